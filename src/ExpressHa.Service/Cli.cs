namespace ExpressHa.Service;

/// <summary>Command-line entry of expresshad: parses the verb and its options and runs the command (Commands/).</summary>
public static class Cli
{
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            stdout.WriteLine("usage: expresshad <command> [options]");
            stdout.WriteLine("  version, --version                           the version and the commit it was built from");
            stdout.WriteLine("  run --config FILE --node NAME --state-dir DIR  the cluster service on one node");
            stdout.WriteLine("      [--watchdog-device PATH]                  override cluster.watchdog.device on this node");
            stdout.WriteLine("  witness --listen ADDR:PORT --state-dir DIR   the witness server for HTTP partition resolution (third site)");
            stdout.WriteLine("  api-fingerprint --state-dir DIR              the SHA-256 of the node's API certificate (made when missing)");
            stdout.WriteLine("  validate --config FILE                       validate a cluster config and print what it describes (exit 1 when invalid)");
            stdout.WriteLine("  nbd-serve --file PATH --listen ADDR:PORT|unix:/PATH [--name NAME] [--read-only]");
            stdout.WriteLine("                                               export a file or block device over NBD, no cluster");
            return args.Length == 0 ? 2 : 0;
        }
        if (args[0] is "--version" or "version") return Commands.VersionCommand.Run(stdout);
        var options = CliOptions.Parse(args.Skip(1).ToArray(), out var parseError);
        if (parseError != null)
        {
            stderr.WriteLine($"expresshad {args[0]}: {parseError}");
            return 2;
        }
        return args[0] switch
        {
            "validate" => Commands.ValidateCommand.Run(options, stdout, stderr),
            "api-fingerprint" => Commands.ApiFingerprintCommand.Run(options, stdout, stderr),
            "run" => Commands.RunCommand.Run(options, stdout, stderr),
            "demo" => DemoMoved(stderr),
            "witness" => Commands.WitnessCommand.Run(options, stdout, stderr),
            "demo-app" => Commands.DemoAppCommand.Run(options, stdout, stderr),
            "nbd-serve" => Commands.NbdServeCommand.Run(options, stdout, stderr),
            _ => Unknown(args[0], stderr),
        };
    }

    static int DemoMoved(TextWriter stderr)
    {
        stderr.WriteLine("expresshad: the demo is its own program: dotnet run --project src/ExpressHa.Demo [-- --aws]");
        return 2;
    }

    static int Unknown(string verb, TextWriter stderr)
    {
        stderr.WriteLine($"expresshad: unknown command '{verb}'; run 'expresshad --help'");
        return 2;
    }
}
