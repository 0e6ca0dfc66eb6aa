using System.Diagnostics;

namespace ExpressHa.Service.Tests.Mirror.Nbd;

/// <summary>Runs a client program (qemu-io, nbdinfo, ...) to completion with its output captured.</summary>
public static class ExternalTool
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
    }

    public static async Task<Result> RunAsync(string program, params string[] args)
    {
        var psi = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {program}");
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        try
        {
            await p.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', args)} did not finish in 120 s");
        }
        return new Result(p.ExitCode, await stdout, await stderr);
    }

    /// <summary>Runs and requires exit code 0.</summary>
    public static async Task<Result> RunOkAsync(string program, params string[] args)
    {
        var r = await RunAsync(program, args);
        Assert.True(r.ExitCode == 0, $"{program} {string.Join(' ', args)} failed: {r}");
        return r;
    }
}
