using ExpressHa.Api;
using ExpressHa.Client;
using ExpressHa.Diff;
using ExpressHa.Service.Alerts;

namespace ExpressHa.Service.Runtime;

/// <summary>Config pushes: prepared on every online node, then committed on all or aborted on all; a node that missed
/// a push fetches the newer generation from the peer whose heartbeat shows it. A committed config restarts the
/// monitors on it.</summary>
public sealed class ConfigPush(ConfigStore config, string self, MembershipState members, PeerClients peers, MonitorHost monitors, IAlertSink alerts,
    Action changed)
{
    int _fetching;

    List<string> OnlineNodes()
    {
        var online = members.OnlinePeers();
        return config.Current.Nodes.Where(n => n.Name == self || online.Contains(n.Name)).Select(n => n.Name).ToList();
    }

    public async Task<ConfigPushResult> PushAsync(string yaml, bool dryRun, CancellationToken ct)
    {
        var result = new ConfigPushResult { DryRun = dryRun, Generation = config.Generation };
        result.Errors = ConfigStore.Check(yaml, out var pushed);
        if (pushed == null) return result;
        result.Diff = ConfigDiffer.Diff(config.Current, pushed);
        if (dryRun || result.Diff.IsEmpty) return result;
        if (result.Diff.NeedsSuspend && monitors.Count > 0 && OnlineNodes().Count > 1)
            alerts.Log("config", "the pushed config changes nodes or heartbeat settings; they take effect as each service restarts");

        var generation = config.Generation + 1;
        var nodes = OnlineNodes();
        var prepared = new List<string>();
        foreach (var n in nodes)
        {
            NodeRefusal? refusal;
            if (n == self) refusal = await PrepareAsync(yaml, generation, ct);
            else
            {
                try
                {
                    using var c = peers.For(n);
                    refusal = await c.PrepareConfigAsync(yaml, generation, ct);
                }
                catch (Exception ex) when (ex is HaApiException or HttpRequestException or TaskCanceledException)
                {
                    refusal = new NodeRefusal { Node = n, Reasons = { "did not answer the prepare request: " + ex.Message } };
                }
            }
            if (refusal != null) result.Refusals.Add(refusal);
            else prepared.Add(n);
        }
        var commit = result.Refusals.Count == 0;
        foreach (var n in prepared)
        {
            if (n == self) await FinishAsync(generation, commit, ct);
            else
            {
                try
                {
                    using var c = peers.For(n);
                    await c.FinishConfigAsync(generation, commit, ct);
                }
                catch (Exception ex) when (ex is HaApiException or HttpRequestException or TaskCanceledException)
                {
                    alerts.Raise(AlertEvents.Config.NotConfirmed, $"{n} did not confirm the {(commit ? "commit" : "abort")} of config generation {generation}: {ex.Message}");
                }
            }
        }
        result.Applied = commit;
        result.Generation = commit ? generation : config.Generation;
        alerts.Raise(commit ? AlertEvents.Config.Applied : AlertEvents.Config.Refused, commit
            ? $"Config generation {generation} applied on {string.Join(", ", prepared)}."
            : $"Config generation {generation} was refused by {string.Join(", ", result.Refusals.Select(r => r.Node))}; no node changed.");
        return result;
    }

    public Task<NodeRefusal?> PrepareAsync(string yaml, long generation, CancellationToken ct)
    {
        var errors = config.Stage(yaml, generation);
        if (errors.Count == 0 && ConfigStore.Check(yaml, out var c) is { Count: 0 } && c!.FindNode(self) == null)
        {
            config.Finish(generation, commit: false);
            errors.Add($"node {self} is not in the pushed config; remove a node by stopping it first");
        }
        return Task.FromResult(errors.Count == 0 ? null : new NodeRefusal { Node = self, Reasons = errors });
    }

    public Task<OperationResult> FinishAsync(long generation, bool commit, CancellationToken ct)
    {
        if (!config.Finish(generation, commit))
            return Task.FromResult(OperationResult.Failure(ErrorCodes.NothingStaged, $"No config generation {generation} is staged on {self}."));
        if (commit) Changed();
        changed();
        return Task.FromResult(OperationResult.Success(commit ? $"{self} runs config generation {generation}." : $"{self} dropped config generation {generation}."));
    }

    /// <summary>A committed config: restart the monitors on it; a changed node list takes effect as each service restarts.</summary>
    void Changed()
    {
        monitors.StopForReload();
        var c = config.Current;
        if (!c.Nodes.Select(n => n.Name).SequenceEqual(members.Peers().Append(self).OrderBy(x => x)))
            alerts.Log("config", "the node list changed; restart the service on every node for heartbeats to follow");
        monitors.Start();
        alerts.Raise(AlertEvents.Config.Running, $"{self} now runs config generation {config.Generation}.");
    }

    /// <summary>A peer's heartbeat shows a newer config generation: take it from that peer (one fetch at a time).</summary>
    public async Task FetchNewerAsync(string peer, long generation)
    {
        if (Interlocked.Exchange(ref _fetching, 1) == 1) return;
        try
        {
            using var client = peers.For(peer);
            var (yaml, gen) = await client.GetConfigAsync(CancellationToken.None);
            if (gen > config.Generation && ConfigStore.Check(yaml, out _).Count == 0 && config.Adopt(yaml, gen))
            {
                alerts.Raise(AlertEvents.Config.CaughtUp, $"{self} took config generation {gen} from {peer} (it missed the push).");
                Changed();
            }
        }
        catch (Exception ex) when (ex is HaApiException or HttpRequestException or TaskCanceledException or InvalidOperationException)
        {
            alerts.Log("config", $"could not fetch config generation {generation} from {peer}: {ex.Message}");
        }
        finally
        {
            Interlocked.Exchange(ref _fetching, 0);
        }
    }
}
