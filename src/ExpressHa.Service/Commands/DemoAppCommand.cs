using System.Net;
using System.Text;

namespace ExpressHa.Service.Commands;

/// <summary>`demo-app --listen ADDR:PORT --name TEXT [--pid-file F]`: the demo's application, a small HTTP server that
/// answers every GET with the node it runs on. The demo's exec resource starts and stops it.</summary>
public static class DemoAppCommand
{
    public static int Run(CliOptions options, TextWriter stdout, TextWriter stderr)
    {
        var listen = options.Get("listen");
        var name = options.Get("name") ?? Environment.GetEnvironmentVariable("EXPRESSHA_NODE") ?? "unknown";
        if (listen == null || !IPEndPoint.TryParse(listen, out var endpoint))
        {
            stderr.WriteLine("expresshad demo-app: --listen ADDR:PORT is required");
            return 2;
        }
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://{endpoint.Address}:{endpoint.Port}/");
        listener.Start();
        // Written once the port is open: the start command waits for this file, so "started" means "answering".
        var pidFile = options.Get("pid-file");
        if (pidFile != null) File.WriteAllText(pidFile, Environment.ProcessId.ToString());
        stdout.WriteLine($"demo-app on {listen} answering '{name}'");
        var body = Encoding.UTF8.GetBytes(name + "\n");
        while (true)
        {
            var ctx = listener.GetContext();
            ctx.Response.StatusCode = 200;
            ctx.Response.ContentType = "text/plain";
            ctx.Response.OutputStream.Write(body);
            ctx.Response.Close();
        }
    }
}
