using ExpressHa.Api;
using ExpressHa.Service.Mirror;

namespace ExpressHa.Service.Tests.Mirror;

/// <summary>A mirror engine that only records its calls ("suspend@server1") into a log shared by every node of a test,
/// so the order across nodes can be checked. Each operation can be made to fail with a MirrorException.</summary>
public sealed class FakeMirrorEngine(string name, string node, string role, EventLog log) : IMirrorEngine
{
    public const long Size = 4L << 20;

    public string Name => name;
    public string Role { get; set; } = role;
    public string Disk { get; set; } = "UpToDate";
    /// <summary>Operation names ("suspend", "copyout"...) that throw.</summary>
    public HashSet<string> Failing { get; } = new();
    /// <summary>CopyOut/Restore wait this long per quarter, so a follower sees progress.</summary>
    public int StepMs { get; set; } = 20;

    public Task StartAsync(CancellationToken ct) => Task.CompletedTask;
    public Task<IBlockDevice> PromoteAsync(CancellationToken ct) => throw new NotSupportedException();
    public Task DemoteAsync(CancellationToken ct) => Task.CompletedTask;
    public void PeerNodeDown() { }
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    public MirrorStatus GetStatus() => new()
    {
        Name = name, Node = node, Role = Role, Disk = Disk, Connection = "Connected", SizeBytes = Size, BlockSize = 4096, CurrentGeneration = "g1",
    };

    Task Do(string op)
    {
        log.Add($"{op}@{node}");
        if (Failing.Contains(op)) throw new MirrorException(ErrorCodes.MirrorBusy, $"{op} failed on {node}: No space left on device");
        return Task.CompletedTask;
    }

    public Task SuspendAsync(CancellationToken ct) => Do("suspend");
    public Task ResumeAsync(CancellationToken ct) => Do("resume");
    public Task RepairAsync(string sourceNode, CancellationToken ct) => Do($"repair({sourceNode})");
    public Task OutdateAsync(CancellationToken ct) => Do("outdate");
    public Task CopyOutAsync(string targetPath, IProgress<long>? progress, CancellationToken ct) => Copy("copyout", targetPath, progress, ct);
    public Task RestoreAsync(string sourcePath, IProgress<long>? progress, CancellationToken ct) => Copy("restore", sourcePath, progress, ct);

    async Task Copy(string op, string path, IProgress<long>? progress, CancellationToken ct)
    {
        log.Add($"{op}({path})@{node}");
        for (var i = 1; i <= 4; i++)
        {
            await Task.Delay(StepMs, ct);
            if (i == 3 && Failing.Contains(op)) throw new MirrorException(ErrorCodes.MirrorBusy, $"writing {path} on {node}: No space left on device");
            progress?.Report(Size * i / 4);
        }
    }
}

/// <summary>Calls and commands in the order they happened, across nodes.</summary>
public sealed class EventLog
{
    readonly List<string> _events = new();
    public void Add(string e) { lock (_events) _events.Add(e); }
    public List<string> Events { get { lock (_events) return _events.ToList(); } }
}
