using System.Diagnostics;
using ExpressHa.Api;
using ExpressHa.Service.Api;

namespace ExpressHa.Service.Tests.Api;

/// <summary>The fake node's mirror md1 (group failover1): primary on server1, standby on server2. Backup and restore
/// jobs advance with time over <see cref="JobMs"/>; an image path containing "fail" makes the job fail halfway.</summary>
public sealed partial class FakeClusterControl
{
    readonly Dictionary<string, (JobStatus Job, Stopwatch Clock, bool Fails)> _jobs = new(StringComparer.Ordinal);
    bool _suspended;

    public const long MirrorSize = 1L << 30;
    public int JobMs { get; set; } = 600;
    public List<string> MissingMirrorNodes { get; } = new();
    /// <summary>What the internal mirror routes reach; unset, they fail.</summary>
    public IMirrorNode? Local { get; set; }
    public IMirrorNode LocalMirrors => Local ?? throw new NotSupportedException("the fake node has no local mirrors");

    public Task<MirrorReport> GetMirrorsAsync(CancellationToken ct)
    {
        Calls.Enqueue("mirrors");
        var r = new MirrorReport { MissingNodes = MissingMirrorNodes.ToList() };
        foreach (var node in new[] { "server1", "server2" }.Except(MissingMirrorNodes))
            r.Mirrors.Add(new MirrorStatus
            {
                Name = "md1", Node = node, Peer = node == "server1" ? "server2" : "server1",
                Role = node == "server1" ? "Primary" : "Secondary",
                Connection = _suspended ? "Suspended" : "Connected",
                Disk = "UpToDate", Sync = "None", SyncPercent = 100, DirtyBytes = _suspended && node == "server1" ? 65536 : 0,
                SizeBytes = MirrorSize, BlockSize = 65536, CurrentGeneration = "7f3a9c01", Encrypted = true,
                ExportAddress = node == "server1" ? "127.0.0.1:10809" : null,
            });
        return Task.FromResult(r);
    }

    static OperationResult? CheckMirror(string mirror)
        => mirror == "md1" ? null : OperationResult.Failure("ExpressHa.MirrorNotFound", $"Mirror '{mirror}' does not exist in cluster 'fake'.");

    public Task<OperationResult> SuspendMirrorAsync(string mirror, CancellationToken ct)
    {
        var r = Simple($"suspend-mirror {mirror}", CheckMirror(mirror));
        if (mirror == "md1") _suspended = true;
        return r;
    }

    public Task<OperationResult> ResumeMirrorAsync(string mirror, CancellationToken ct)
    {
        var r = Simple($"resume-mirror {mirror}", CheckMirror(mirror));
        if (mirror == "md1") _suspended = false;
        return r;
    }

    public Task<OperationResult> RepairMirrorAsync(string mirror, string source, CancellationToken ct)
        => Simple($"repair-mirror {mirror} {source}", CheckMirror(mirror) ?? CheckNode(source));

    public Task<JobStart> StartMirrorBackupAsync(string mirror, BackupRequest request, CancellationToken ct)
    {
        Calls.Enqueue($"backup {mirror} {request.Path} pre={request.PreCommand} post={request.PostCommand} node={request.Node}");
        if ((CheckMirror(mirror) ?? CheckNode(request.Node)) is { } bad) return Task.FromResult(JobStart.Refused(bad));
        return Task.FromResult(JobStart.Started(NewJob(JobKinds.Backup, mirror, request.Node ?? "server2", request.Path.Contains("fail"))));
    }

    public Task<JobStart> StartMirrorRestoreAsync(string mirror, RestoreRequest request, CancellationToken ct)
    {
        Calls.Enqueue($"restore {mirror} {request.Path} node={request.Node}");
        if ((CheckMirror(mirror) ?? CheckNode(request.Node)) is { } bad) return Task.FromResult(JobStart.Refused(bad));
        lock (_gate)
            if (_groups["failover1"].State != "offline")
                return Task.FromResult(JobStart.Refused("ExpressHa.GroupActive",
                    $"Mirror '{mirror}' belongs to group 'failover1', which is {_groups["failover1"].State} on {_groups["failover1"].Owner}; Stop-HaGroup failover1 first."));
        return Task.FromResult(JobStart.Started(NewJob(JobKinds.Restore, mirror, request.Node ?? "server1", request.Path.Contains("fail"))));
    }

    JobStatus NewJob(string kind, string mirror, string node, bool fails)
    {
        var job = new JobStatus { Id = Guid.NewGuid().ToString("N")[..16], Kind = kind, Mirror = mirror, Node = node, BytesTotal = MirrorSize, Message = "starting" };
        lock (_jobs) _jobs[job.Id] = (job, Stopwatch.StartNew(), fails);
        return job;
    }

    public JobStatus? GetJob(string id)
    {
        Calls.Enqueue("job");
        lock (_jobs)
        {
            if (!_jobs.TryGetValue(id, out var j)) return Local?.GetJobAsync(id, default).GetAwaiter().GetResult();
            var fraction = Math.Min(1.0, j.Clock.ElapsedMilliseconds / (double)JobMs);
            var s = j.Job;
            if (j.Fails && fraction >= 0.5)
                return new JobStatus { Id = s.Id, Kind = s.Kind, Mirror = s.Mirror, Node = s.Node, BytesTotal = s.BytesTotal, BytesDone = s.BytesTotal / 2,
                    State = JobStates.Failed, Message = "Copying on server2 failed: No space left on device." };
            return new JobStatus { Id = s.Id, Kind = s.Kind, Mirror = s.Mirror, Node = s.Node, BytesTotal = s.BytesTotal, BytesDone = (long)(s.BytesTotal * fraction),
                State = fraction >= 1 ? JobStates.Succeeded : JobStates.Running, Message = fraction >= 1 ? "done" : "copying" };
        }
    }
}
