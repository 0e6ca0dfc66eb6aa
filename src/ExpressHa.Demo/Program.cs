using ExpressHa.Service;

namespace ExpressHa.Demo;

/// <summary>`expressha-demo [--aws] [--timeout-ms N] [--keep]` (dotnet run --project src/ExpressHa.Demo): the demo.</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] is "-h" or "--help" or "help")
        {
            Console.WriteLine("usage: expressha-demo [--aws] [--timeout-ms N] [--keep]");
            Console.WriteLine("  two expresshad nodes on loopback, a crash of the active one, the failover timeline and its time");
            Console.WriteLine("  --aws          also a VIP route and a Route 53 record, on the local AWS-compatible endpoint");
            Console.WriteLine("  --timeout-ms   the heartbeat timeout (1000 by default; the interval is a fifth of it)");
            Console.WriteLine("  --keep         keep the work directory (node logs, state) after the demo");
            return 0;
        }
        var options = CliOptions.Parse(args, out var error);
        if (error != null)
        {
            Console.Error.WriteLine($"expressha-demo: {error}");
            return 2;
        }
        return DemoRunner.Run(options, Console.Out, Console.Error);
    }
}
