using ExpressHa.Service.Membership;
using ExpressHa.Service.Policy;

namespace ExpressHa.Service.Runtime;

/// <summary>A node kept out by the membership (its lost incarnation held a group) is let in only once it counts as
/// down, and only the coordinator fences. When the coordinator that handled the loss is gone, or its fencing failed,
/// the coordinator of the moment takes the loss over: it decides NodeLost again (on the kept report) and handles the
/// loss (resolution, fencing), at most every few seconds per node.</summary>
public sealed partial class NodeAgent
{
    const int LossRetryMs = 5000;
    readonly HashSet<string> _lossesInHand = new(StringComparer.Ordinal);
    readonly Dictionary<string, long> _lossTriedAtMs = new(StringComparer.Ordinal);

    /// <summary>Runs a loss handler for the node, marked as in hand meanwhile; an attempt made as the coordinator is
    /// remembered for the retry delay.</summary>
    async Task HandleInHandAsync(string node, Func<string, Task> handle)
    {
        lock (_gate)
            if (!_lossesInHand.Add(node)) return;
        try
        {
            await handle(node);
        }
        finally
        {
            var tried = IsCoordinator;
            lock (_gate)
            {
                _lossesInHand.Remove(node);
                if (tried) _lossTriedAtMs[node] = Now;
            }
        }
    }

    void TakeOverUnsettledLosses()
    {
        if (_serviceState != "running" || !IsCoordinator) return;
        List<string> due;
        lock (_gate)
            due = _membership.Peers.Where(p => _membership.IsHeldUntilSettled(p) && _membership.StateOf(p) == PeerState.Lost
                    && !_confirmedDown.Contains(p) && !_lossesInHand.Contains(p)
                    && (!_lossTriedAtMs.TryGetValue(p, out var at) || Now - at >= LossRetryMs))
                .ToList();
        foreach (var node in due)
        {
            Alerts.Log("nm", $"{node} is kept out and not known to be down; {Self}, the coordinator, handles its loss");
            Enqueue(new PolicyWork(new NodeLost(node)));
            _ = HandleInHandAsync(node, HandleLossAsync);
        }
    }
}
