namespace ExpressHa.Service.Demo;

public static class DemoRunner
{
    public static int Run(CliOptions options, TextWriter stdout, TextWriter stderr)
    {
        stderr.WriteLine("demo: not written yet");
        return 1;
    }
}
