using System.Threading.Channels;
using ExpressHa.Policy;

namespace ExpressHa.Service.Runtime;

/// <summary>What the coordinator loop works through, one item at a time.</summary>
public abstract record Work;

/// <summary>A cluster event to decide on; <see cref="Reply"/> gets the plan (an operator request waits for it).</summary>
public sealed record PolicyWork(PolicyEvent Event, TaskCompletionSource<Plan>? Reply = null) : Work;

/// <summary>Look at the monitors' reports and the released groups (coalesced: one queued at a time).</summary>
public sealed record Reconcile : Work;

/// <summary>Stop this node's copy of a group a live peer holds under a newer ownership.</summary>
public sealed record StopStale(string Group, string Holder) : Work;

/// <summary>The coordinator's queue: written from anywhere, read by the coordinator loop only.</summary>
public sealed class WorkQueue
{
    readonly Channel<Work> _work = Channel.CreateUnbounded<Work>(new UnboundedChannelOptions { SingleReader = true });
    int _reconcileQueued;

    public void Enqueue(Work w)
    {
        if (w is Reconcile && Interlocked.Exchange(ref _reconcileQueued, 1) == 1) return;
        _work.Writer.TryWrite(w);
    }

    public void Decide(PolicyEvent ev) => Enqueue(new PolicyWork(ev));

    public void Reconcile() => Enqueue(new Reconcile());

    public IAsyncEnumerable<Work> ReadAllAsync(CancellationToken ct) => _work.Reader.ReadAllAsync(ct);

    /// <summary>The queued reconcile is being handled: the next request queues a new one.</summary>
    public void ReconcileTaken() => Interlocked.Exchange(ref _reconcileQueued, 0);
}
