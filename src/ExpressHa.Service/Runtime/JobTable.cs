using System.Globalization;
using System.Security.Cryptography;
using ExpressHa.Api;

namespace ExpressHa.Service.Runtime;

/// <summary>The background jobs of this node (mirror backups, restores, copies), by id. Finished jobs are kept for a
/// while so a client polling late still reads the outcome; the oldest are dropped beyond <see cref="KeepFinished"/>.</summary>
public sealed class JobTable
{
    readonly object _gate = new();
    readonly Dictionary<string, Job> _jobs = new(StringComparer.Ordinal);

    public int KeepFinished { get; init; } = 100;

    /// <summary>Registers a job and runs its body in the background. The body reports through the job; an exception it
    /// throws fails the job with its message.</summary>
    public Job Start(string kind, string mirror, string node, Func<Job, CancellationToken, Task> body, CancellationToken ct, long bytesTotal = 0)
    {
        var job = new Job(Convert.ToHexString(RandomNumberGenerator.GetBytes(8)).ToLowerInvariant(), kind, mirror, node);
        job.Progress(0, bytesTotal);
        lock (_gate)
        {
            Prune();
            _jobs[job.Id] = job;
        }
        job.Completion = Task.Run(async () =>
        {
            try
            {
                await body(job, ct);
                if (job.Snapshot().State == JobStates.Running) job.Succeed("done");
            }
            catch (Exception ex)
            {
                job.Fail(ex is OperationCanceledException ? "the service stopped before the job finished" : ex.Message);
            }
        }, CancellationToken.None);
        return job;
    }

    public JobStatus? Get(string id)
    {
        lock (_gate) return _jobs.TryGetValue(id, out var j) ? j.Snapshot() : null;
    }

    public Job? Find(string id)
    {
        lock (_gate) return _jobs.TryGetValue(id, out var j) ? j : null;
    }

    void Prune()
    {
        var finished = _jobs.Values.Where(j => j.Snapshot().State != JobStates.Running).OrderBy(j => j.Snapshot().Started, StringComparer.Ordinal).ToList();
        foreach (var j in finished.Take(Math.Max(0, finished.Count - KeepFinished + 1))) _jobs.Remove(j.Id);
    }
}

/// <summary>One background job; thread-safe. Once finished it does not change any more.</summary>
public sealed class Job
{
    readonly object _gate = new();
    readonly JobStatus _s;

    internal Job(string id, string kind, string mirror, string node)
    {
        _s = new JobStatus { Id = id, Kind = kind, Mirror = mirror, Node = node, State = JobStates.Running, Message = "starting", Started = Now() };
    }

    public string Id => _s.Id;
    /// <summary>Ends when the job has finished (never faults).</summary>
    public Task Completion { get; internal set; } = Task.CompletedTask;

    public JobStatus Snapshot()
    {
        lock (_gate)
            return new JobStatus
            {
                Id = _s.Id, Kind = _s.Kind, State = _s.State, Mirror = _s.Mirror, Node = _s.Node, BytesDone = _s.BytesDone,
                BytesTotal = _s.BytesTotal, Message = _s.Message, Started = _s.Started, Finished = _s.Finished,
            };
    }

    public void Step(string message) => Update(s => s.Message = message);
    public void Progress(long done, long total = -1) => Update(s => { s.BytesDone = done; if (total >= 0) s.BytesTotal = total; });
    public void Succeed(string message) => Finish(JobStates.Succeeded, message);
    public void Fail(string message) => Finish(JobStates.Failed, message);

    void Finish(string state, string message) => Update(s => { s.State = state; s.Message = message; s.Finished = Now(); });

    void Update(Action<JobStatus> change)
    {
        lock (_gate)
            if (_s.State == JobStates.Running) change(_s);
    }

    static string Now() => DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
}

/// <summary>Reports bytes copied straight into a job (Progress&lt;T&gt; would post them out of order).</summary>
public sealed class JobProgress(Job job) : IProgress<long>
{
    public void Report(long value) => job.Progress(value);
}
