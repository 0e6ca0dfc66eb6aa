using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace ExpressHa.Cmdlets.Tests;

/// <summary>A real PowerShell engine with the built module imported by its manifest, as a user would.</summary>
public sealed class PsSession : IDisposable
{
    readonly Runspace _runspace;

    public PsSession()
    {
        var iss = InitialSessionState.CreateDefault2();
        _runspace = RunspaceFactory.CreateRunspace(iss);
        _runspace.Open();
        var result = Run($"Import-Module '{Repo.ModuleManifest}' -ErrorAction Stop");
        if (result.Errors.Count > 0) throw new InvalidOperationException("Import-Module failed: " + result.ErrorText);
        TempDir = Directory.CreateTempSubdirectory("expressha-test-").FullName;
        _runspace.SessionStateProxy.SetVariable("TestDir", TempDir);
        _runspace.SessionStateProxy.SetVariable("RepoRoot", Repo.Root);
    }

    public string TempDir { get; }

    public PsResult Run(string script)
    {
        using var ps = PowerShell.Create();
        ps.Runspace = _runspace;
        ps.AddScript(script);
        Collection<PSObject> output;
        RuntimeException? terminating = null;
        try
        {
            output = ps.Invoke();
        }
        catch (RuntimeException ex)
        {
            output = new Collection<PSObject>();
            terminating = ex;
        }
        return new PsResult(output.ToList(), ps.Streams.Error.ToList(), ps.Streams.Warning.Select(w => w.Message).ToList(),
            ps.Streams.Verbose.Select(v => v.Message).ToList(), terminating, ps.HadErrors);
    }

    public void Dispose()
    {
        _runspace.Dispose();
        try { Directory.Delete(TempDir, recursive: true); } catch (IOException) { }
    }
}

public sealed record PsResult(List<PSObject> Output, List<ErrorRecord> Errors, List<string> Warnings, List<string> Verbose,
    RuntimeException? Terminating, bool HadErrors)
{
    public string ErrorText => string.Join("\n", Errors.Select(e => e.FullyQualifiedErrorId + ": " + e)) +
        (Terminating != null ? "\nterminating: " + Terminating.ErrorRecord.FullyQualifiedErrorId + ": " + Terminating.Message : "");

    public PsResult Ok()
    {
        Assert.True(Errors.Count == 0 && Terminating == null, "expected no errors, got:\n" + ErrorText);
        return this;
    }

    public object? Single() => Assert.Single(Output)?.BaseObject;
}

public static class Repo
{
    public static string Root { get; } = FindRoot();
    public static string ModuleManifest => Path.Combine(Root, "out", "ExpressHa", "ExpressHa.psd1");
    public static string Examples => Path.Combine(Root, "examples");

    static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ExpressHa.slnx"))) return dir.FullName;
        throw new InvalidOperationException("cannot find the repository root (ExpressHa.slnx) above " + AppContext.BaseDirectory);
    }
}
