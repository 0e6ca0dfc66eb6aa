using System.Diagnostics;
using ExpressHa.Api;
using ExpressHa.Config;
using ExpressHa.Service.Alerts;
using ExpressHa.Policy;
using ExpressHa.Service.Resources;

namespace ExpressHa.Service.Runtime;

/// <summary>The outcome of one plan step: ok, or the event the failure becomes for the policy engine.</summary>
public sealed record ActionOutcome(bool Ok, string Message, PolicyEvent? Failure = null)
{
    public static ActionOutcome Done(string message) => new(true, message);
}

/// <summary>What a final action or a fencing step asks of the service around the runner.</summary>
public interface IServiceHooks
{
    /// <summary>The incarnation of the node the membership knows now (what a wait for that node waits on).</summary>
    long IncarnationOf(string node);
    /// <summary>Whether the lost <paramref name="incarnation"/> of the node is down, still lost, or back.</summary>
    LostNodeStatus LostNode(string node, long incarnation);
    /// <summary>Completes at the next change of membership or of who counts as down.</summary>
    Task MembershipChanged();
    /// <summary>Stops the cluster service on this node (groups stopped first).</summary>
    void RequestServiceStop(string reason);
    long NextGeneration(string group);
    /// <summary>Fences a node (levels, delays, retries); true once it is known to be down.</summary>
    Task<bool> FenceAsync(string target, string reason, CancellationToken ct);
}

/// <summary>Carries out plan steps addressed to this node: resources through their drivers, group state and counters in
/// the local state, alerts, final actions. One step at a time; the coordinator decides what comes next.</summary>
public sealed class ActionRunner
{
    readonly Func<ClusterConfig> _config;
    readonly string _self;
    readonly LocalState _local;
    readonly ResourceDriverRegistry _drivers;
    readonly IAlertSink _alerts;
    readonly string _stateDir;
    readonly IServiceHooks _hooks;
    readonly Mirror.IMirrorRegistry _mirrors;

    /// <summary>Where group state changes are recorded durably (ownership.jsonl); none when null.</summary>
    public OwnershipJournal? Journal { get; init; }

    public ActionRunner(Func<ClusterConfig> config, string self, LocalState local, ResourceDriverRegistry drivers, IAlertSink alerts, string stateDir, IServiceHooks hooks,
        Mirror.IMirrorRegistry mirrors)
    {
        _mirrors = mirrors;
        _config = config;
        _self = self;
        _local = local;
        _drivers = drivers;
        _alerts = alerts;
        _stateDir = stateDir;
        _hooks = hooks;
    }

    public async Task<ActionOutcome> RunAsync(PlanAction action, CancellationToken ct)
    {
        if (action.Node != _self) return new ActionOutcome(false, $"step for {action.Node} sent to {_self}");
        switch (action)
        {
            case StartResource s: return await StartAsync(s, ct);
            case StopResource s: return await StopAsync(s, ct);
            case SetGroupState s:
                // Read before taking the local state's lock: NextGeneration reads the local state and then the
                // membership (MembershipState's rule: its lock is never taken while another is held).
                var nextGeneration = _hooks.NextGeneration(s.Group);
                long recorded = 0;
                _local.Update(s.Group, g =>
                {
                    if (s.State == GroupState.Starting)
                    {
                        if (g.State != GroupState.Starting) g.Generation = nextGeneration;
                    }
                    else if (g.State == GroupState.Offline && g.Generation < nextGeneration - 1)
                    {
                        // A record about a group another node held (e.g. marking a lost node's group offline) takes the
                        // newest generation, so it supersedes that node's last report.
                        g.Generation = nextGeneration - 1;
                    }
                    if (s.State == GroupState.Starting)
                    {
                        g.StartFailures.Clear();
                        g.StopFailures.Clear();
                    }
                    g.State = s.State;
                    g.Owner = s.Owner;
                    g.Next = s.Next;
                    if (s.State == GroupState.Offline) g.Resources.Clear();
                    recorded = g.Generation;
                });
                Journal?.Record(s.Group, s.State, recorded, s.Owner, s.Next);
                return ActionOutcome.Done(action.Describe());
            case RecordCounter c:
                CounterStore.Apply(_local, c);
                return ActionOutcome.Done(action.Describe());
            case RaiseAlert a:
                _alerts.Alert(a.Level, a.Module, a.EventId, a.Message);
                return ActionOutcome.Done(action.Describe());
            case WaitForNodeDown w:
                var lost = _hooks.IncarnationOf(w.LostNode);
                while (true)
                {
                    // Taken before the look, so a change between the look and the wait is not missed.
                    var changed = _hooks.MembershipChanged();
                    switch (_hooks.LostNode(w.LostNode, lost))
                    {
                        case LostNodeStatus.Down:
                            return ActionOutcome.Done(action.Describe());
                        case LostNodeStatus.Back:
                            return new ActionOutcome(false, $"{w.LostNode} is back with the same service: it was never down, so the plan made for its loss no longer applies");
                    }
                    // The poll stays for what no signal marks (a new incarnation's report that no longer runs anything).
                    await Task.WhenAny(changed, Task.Delay(100, ct)).ConfigureAwait(false);
                    ct.ThrowIfCancellationRequested();
                }
            case RunFinalAction f:
                return RunFinal(f);
            case FenceNode f:
                return await _hooks.FenceAsync(f.Target, f.Reason, ct)
                    ? ActionOutcome.Done(f.Describe())
                    : new ActionOutcome(false, $"{f.Target} could not be fenced; what it ran stays down until it is confirmed down");
            default:
                return new ActionOutcome(false, $"unknown step {action.GetType().Name}");
        }
    }

    async Task<ActionOutcome> StartAsync(StartResource s, CancellationToken ct)
    {
        var (ctx, error) = Context(s.Group, s.Resource);
        if (ctx == null) return Fail(s, error!, start: true, code: 1);
        _local.Update(s.Group, g => g.Resources[s.Resource] = ResourceState.Starting);
        var sw = Stopwatch.StartNew();
        try
        {
            await _drivers.Get(ctx.Resource.Type).StartAsync(ctx, ct);
        }
        catch (ResourceException ex)
        {
            return Fail(s, ex.Message, start: true, code: ex.Code);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return Fail(s, ex.Message, start: true, code: 99);
        }
        _local.Update(s.Group, g => { g.Resources[s.Resource] = ResourceState.Online; g.StartFailures.Remove(s.Resource); });
        _alerts.Raise(AlertEvents.Rc.ResourceStarted, $"Activating {s.Resource} resource has completed. ({sw.ElapsedMilliseconds} ms)");
        return ActionOutcome.Done(s.Describe());
    }

    async Task<ActionOutcome> StopAsync(StopResource s, CancellationToken ct)
    {
        var (ctx, error) = Context(s.Group, s.Resource);
        if (ctx == null) return Fail(s, error!, start: false, code: 1);
        _local.Update(s.Group, g => g.Resources[s.Resource] = ResourceState.Stopping);
        try
        {
            await _drivers.Get(ctx.Resource.Type).StopAsync(ctx, ct);
        }
        catch (ResourceException ex)
        {
            return Fail(s, ex.Message, start: false, code: ex.Code);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return Fail(s, ex.Message, start: false, code: 99);
        }
        _local.Update(s.Group, g => { g.Resources[s.Resource] = ResourceState.Offline; g.StopFailures.Remove(s.Resource); });
        _alerts.Raise(AlertEvents.Rc.ResourceStopped, $"Deactivating {s.Resource} resource has completed.");
        return ActionOutcome.Done(s.Describe());
    }

    ActionOutcome Fail(PlanAction step, string message, bool start, int code)
    {
        var (group, resource) = step switch
        {
            StartResource s => (s.Group, s.Resource),
            StopResource s => (s.Group, s.Resource),
            _ => ("", ""),
        };
        var reason = $"{code} : {message}";
        if (start)
        {
            _local.Update(group, g =>
            {
                g.Resources[resource] = ResourceState.StartFailed;
                g.StartFailures[resource] = g.StartFailures.GetValueOrDefault(resource) + 1;
            });
            _alerts.Log("rc", $"starting {resource} failed: {reason}");
            return new ActionOutcome(false, step.Describe() + " failed", new ResourceStartFailed(group, resource, _self, reason));
        }
        _local.Update(group, g =>
        {
            g.Resources[resource] = ResourceState.StopFailed;
            g.StopFailures[resource] = g.StopFailures.GetValueOrDefault(resource) + 1;
        });
        _alerts.Log("rc", $"stopping {resource} failed: {reason}");
        return new ActionOutcome(false, step.Describe() + " failed", new ResourceStopFailed(group, resource, _self, reason));
    }

    (ResourceContext? Context, string? Error) Context(string groupName, string resourceName)
    {
        var config = _config();
        var group = config.FindGroup(groupName);
        var resource = group?.FindResource(resourceName);
        var node = config.FindNode(_self);
        if (group == null || resource == null || node == null) return (null, $"resource {groupName}/{resourceName} is not in the running config");
        if (!_drivers.Has(resource.Type)) return (null, $"resource type {resource.Type} is not available in this build");
        return (new ResourceContext { Config = config, Group = group, Resource = resource, Node = node, StateDir = _stateDir, Alerts = _alerts, Mirrors = _mirrors }, null);
    }

    ActionOutcome RunFinal(RunFinalAction f)
    {
        var config = _config();
        _alerts.Raise(AlertEvents.Rc.FinalAction, $"Final action {f.Action} on {_self}: {f.Reason}");
        switch (f.Action)
        {
            case FinalActions.StopService:
                _hooks.RequestServiceStop(f.Reason);
                break;
            case FinalActions.Shutdown:
            case FinalActions.Reboot:
                var command = f.Action == FinalActions.Shutdown ? config.Cluster.ShutdownCommand : config.Cluster.RebootCommand;
                if (CommandRunner.RunOsAction(command, TimeSpan.FromSeconds(30)) is string error)
                    _alerts.Raise(AlertEvents.Rc.FinalActionCommandFailed, $"The {f.Action} command '{command}' could not run: {error}");
                _hooks.RequestServiceStop(f.Reason);
                break;
        }
        return ActionOutcome.Done(f.Describe());
    }
}
