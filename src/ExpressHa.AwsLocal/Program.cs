using ExpressHa.AwsLocal;

// expressha-awslocal --world FILE --listen 127.0.0.1:PORT [--state-out FILE] [--imds INSTANCE=ADDR:PORT ...]
string? worldPath = null, stateOut = null;
var listen = "127.0.0.1:0";
var imds = new List<string>();
for (int i = 0; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
    switch (args[i])
    {
        case "--world": worldPath = Next(); break;
        case "--listen": listen = Next(); break;
        case "--state-out": stateOut = Next(); break;
        case "--imds": imds.Add(Next()); break;
        case "-h" or "--help":
            Console.WriteLine("usage: expressha-awslocal --world FILE --listen 127.0.0.1:PORT [--state-out FILE] [--imds INSTANCE=ADDR:PORT ...]");
            return 0;
        default: Console.Error.WriteLine($"unknown argument {args[i]}"); return 2;
    }
}
if (worldPath == null) { Console.Error.WriteLine("--world FILE is required"); return 2; }

World world;
try { world = World.Load(worldPath); }
catch (Exception e) { Console.Error.WriteLine($"cannot load {worldPath}: {e.Message}"); return 1; }

static (string, int) Split(string s)
{
    var i = s.LastIndexOf(':');
    return i < 0 ? ("127.0.0.1", int.Parse(s)) : (s[..i], int.Parse(s[(i + 1)..]));
}

var (addr, port) = Split(listen);
await using var server = await AwsLocalServer.StartAsync(world, addr, port, stateOut);
Console.WriteLine($"listening {server.BaseAddress}");
foreach (var spec in imds)
{
    var eq = spec.IndexOf('=');
    var (ia, ip) = Split(spec[(eq + 1)..]);
    var s = await server.StartImdsAsync(spec[..eq], ia, ip);
    Console.WriteLine($"imds {s.InstanceId} {s.BaseAddress}");
}
server.HookRan += h => Console.WriteLine($"hook {h.InstanceId} {h.State} exit={h.ExitCode}");
Console.Out.Flush();

var done = new TaskCompletionSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; done.TrySetResult(); };
AppDomain.CurrentDomain.ProcessExit += (_, _) => done.TrySetResult();
using var term = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, c => { c.Cancel = true; done.TrySetResult(); });
await done.Task;
return 0;
