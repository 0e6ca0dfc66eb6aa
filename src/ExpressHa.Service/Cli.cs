namespace ExpressHa.Service;

/// <summary>Command-line entry: run, demo, witness (the verbs grow with the issues).</summary>
public static class Cli
{
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            stdout.WriteLine("usage: expresshad <command> [options]");
            stdout.WriteLine("  validate --config FILE   validate a cluster config and print what it describes");
            return args.Length == 0 ? 2 : 0;
        }
        stderr.WriteLine($"expresshad: unknown command '{args[0]}'; run 'expresshad --help'");
        return 2;
    }
}
