using System.Diagnostics;

namespace ExpressHa.NetnsBench;

/// <summary>Runs a command and returns its exit code and output; Must throws with the output when it fails.</summary>
static class Sh
{
    public static (int Code, string Output) Run(params string[] argv)
    {
        var psi = new ProcessStartInfo(argv[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in argv.Skip(1)) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return (p.ExitCode, o.Result + e.Result);
    }

    public static string Must(params string[] argv)
    {
        var (code, output) = Run(argv);
        if (code != 0) throw new InvalidOperationException($"{string.Join(' ', argv)} failed ({code}): {output.Trim()}");
        return output;
    }
}
