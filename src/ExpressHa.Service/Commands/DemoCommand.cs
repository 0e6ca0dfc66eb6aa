namespace ExpressHa.Service.Commands;

public static class DemoCommand
{
    public static int Run(CliOptions options, TextWriter stdout, TextWriter stderr) => Demo.DemoRunner.Run(options, stdout, stderr);
}
