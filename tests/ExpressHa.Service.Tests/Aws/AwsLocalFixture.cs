using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace ExpressHa.Service.Tests.Aws;

/// <summary>Runs the local AWS-compatible endpoint (src/ExpressHa.AwsLocal, its built expressha-awslocal.dll; built on
/// demand when missing) as a process on loopback with the example world, plus the IMDSv2 endpoint of node 1.</summary>
public sealed class AwsLocalFixture : IAsyncLifetime
{
    public const string Node1 = "i-0node100000000001";
    public const string Eni1 = "eni-0node1000000000001";
    public const string Eni2 = "eni-0node2000000000002";
    public const string VpcId = "vpc-0a1b2c3d4e5f60001";
    public const string Zone = "Z0EXPRESSHA00000000001";
    public const string Key = "AKIAEXPRESSHA0000001";
    public const string Secret = "expressha-local-secret-key-0000000000001";
    public const string TopicArn = "arn:aws:sns:ap-northeast-1:123456789012:expressha-alerts";

    private static readonly SemaphoreSlim BuildLock = new(1, 1);
    private Process? _process;
    private string? _dir;
    private readonly StringBuilder _stderr = new();

    public Uri Url { get; private set; } = null!;
    public Uri ImdsUrl { get; private set; } = null!;
    public HttpClient Control { get; } = new() { Timeout = TimeSpan.FromSeconds(10) };

    public async Task InitializeAsync()
    {
        var root = RepoRoot();
        var dll = await FindOrBuildAsync(root);
        _dir = Directory.CreateTempSubdirectory("expressha-awslocal-test-").FullName;
        var world = await File.ReadAllTextAsync(Path.Combine(root, "src", "ExpressHa.AwsLocal", "examples", "world.yaml"));
        world = world.Replace("stopHook: 'echo \"instance $1 stopped\" >&2'", "stopHook: null");
        var worldPath = Path.Combine(_dir, "world.yaml");
        await File.WriteAllTextAsync(worldPath, world);

        var psi = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { dll, "--world", worldPath, "--listen", "127.0.0.1:0", "--imds", Node1 + "=127.0.0.1:0" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        _process = Process.Start(psi)!;
        _process.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (_stderr) _stderr.AppendLine(e.Data); };
        _process.BeginErrorReadLine();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (Url == null || ImdsUrl == null)
        {
            var line = await _process.StandardOutput.ReadLineAsync(cts.Token)
                ?? throw new InvalidOperationException("expressha-awslocal exited: " + _stderr);
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts is ["listening", var url]) Url = new Uri(url);
            else if (parts is ["imds", _, var imdsUrl]) ImdsUrl = new Uri(imdsUrl);
        }
        _ = Task.Run(async () => { while (await _process.StandardOutput.ReadLineAsync() != null) { } });
    }

    /// <summary>Adds a fault rule (see AwsLocal's FaultSpec: action, throttle, hang, hangMs, errors, errorStatus, latencyMs, lagMs).</summary>
    public async Task AddFaultAsync(object rule) =>
        (await Control.PostAsync(new Uri(Url, "_faults"), new StringContent(JsonSerializer.Serialize(rule), Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();

    public async Task ClearFaultsAsync() => (await Control.DeleteAsync(new Uri(Url, "_faults"))).EnsureSuccessStatusCode();

    public async Task<int> CallsAsync(string action) =>
        (await Control.GetFromJsonAsync<JsonElement>(new Uri(Url, "_calls?action=" + Uri.EscapeDataString(action)))).GetProperty("count").GetInt32();

    public async Task<JsonElement> SnsMessagesAsync() => await Control.GetFromJsonAsync<JsonElement>(new Uri(Url, "_sns/messages"));

    public Task DisposeAsync()
    {
        if (_process != null)
        {
            try { if (!_process.HasExited) { _process.Kill(); _process.WaitForExit(5000); } } catch (InvalidOperationException) { }
            _process.Dispose();
        }
        Control.Dispose();
        if (_dir != null) try { Directory.Delete(_dir, true); } catch (IOException) { }
        return Task.CompletedTask;
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "ExpressHa.slnx"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("ExpressHa.slnx not found above " + AppContext.BaseDirectory);
    }

    private static async Task<string> FindOrBuildAsync(string root)
    {
        var project = Path.Combine(root, "src", "ExpressHa.AwsLocal");
        string? Find() => new[] { "Debug", "Release" }.Select(c => Path.Combine(project, "bin", c, "net10.0", "expressha-awslocal.dll"))
            .Where(File.Exists).OrderByDescending(File.GetLastWriteTimeUtc).FirstOrDefault();
        await BuildLock.WaitAsync();
        try
        {
            if (Find() is { } found) return found;
            var psi = new ProcessStartInfo("dotnet") { ArgumentList = { "build", project, "-v", "q", "-nologo" }, RedirectStandardOutput = true, RedirectStandardError = true };
            using var p = Process.Start(psi)!;
            var output = await p.StandardOutput.ReadToEndAsync();
            await p.WaitForExitAsync();
            return Find() ?? throw new InvalidOperationException("could not build src/ExpressHa.AwsLocal:\n" + output);
        }
        finally
        {
            BuildLock.Release();
        }
    }
}
