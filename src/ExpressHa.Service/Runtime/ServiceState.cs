using ExpressHa.Api;

namespace ExpressHa.Service.Runtime;

/// <summary>The state of a node's cluster service. On the wire (heartbeats, status, the setServiceState step) it is
/// the lower-case name: running, suspended, stopping, stopped.</summary>
public enum ServiceState
{
    /// <summary>Monitors run, the node is a failover target and may coordinate.</summary>
    Running,
    /// <summary>Monitors off, not a failover target, its groups keep running.</summary>
    Suspended,
    /// <summary>The service is on its way out (orderly stop in progress).</summary>
    Stopping,
    /// <summary>Groups stopped, nothing fails over to or from it; Start-HaNode brings it back.</summary>
    Stopped,
}

/// <summary>The wire names of <see cref="ServiceState"/>: Core's <see cref="ServiceStates"/>.</summary>
public static class ServiceStateNames
{
    public static string Wire(this ServiceState state) => state switch
    {
        ServiceState.Running => ServiceStates.Running,
        ServiceState.Suspended => ServiceStates.Suspended,
        ServiceState.Stopping => ServiceStates.Stopping,
        _ => ServiceStates.Stopped,
    };

    /// <summary>The state a wire name stands for; null for a name no version of the service sends.</summary>
    public static ServiceState? Parse(string? wire) => wire switch
    {
        ServiceStates.Running => ServiceState.Running,
        ServiceStates.Suspended => ServiceState.Suspended,
        ServiceStates.Stopping => ServiceState.Stopping,
        ServiceStates.Stopped => ServiceState.Stopped,
        _ => null,
    };
}

/// <summary>Where this node's service is in its life: its state, whether the cluster has started, why and how it
/// stops. Written by the control steps, the coordinator and the loss handler; each field on its own (no invariant
/// spans two of them), so no lock.</summary>
public sealed class ServiceLifecycle
{
    readonly CancellationTokenSource _stopping = new();
    volatile ServiceState _state = ServiceState.Running;
    volatile bool _clusterStarted;
    volatile bool _shuttingDown;
    volatile bool _lostResolution;
    volatile string? _stopReason;
    volatile string? _afterStopCommand;

    public ServiceState State { get => _state; set => _state = value; }

    /// <summary>"The cluster has started" (auto groups started once); spreads from node to node in heartbeats.</summary>
    public bool ClusterStarted { get => _clusterStarted; set => _clusterStarted = value; }

    /// <summary>The orderly stop is under way (the loops ended).</summary>
    public bool ShuttingDown { get => _shuttingDown; set => _shuttingDown = value; }

    /// <summary>This node lost partition resolution: it stops its groups and service (and runs the configured OS action).</summary>
    public bool LostResolution => _lostResolution;

    /// <summary>The OS command to run once the orderly stop is done (shutdown or reboot after a lost resolution).</summary>
    public string? AfterStopCommand => _afterStopCommand;

    public string? StopReason => _stopReason;

    /// <summary>Cancelled when the service decides to stop itself (final action stopService, Stop-HaCluster, lost resolution).</summary>
    public CancellationToken Stopping => _stopping.Token;

    public void RequestStop(string reason)
    {
        _stopReason = reason;
        _stopping.Cancel();
    }

    public void LoseResolution(string? afterStopCommand, string reason)
    {
        _lostResolution = true;
        _afterStopCommand = afterStopCommand;
        RequestStop(reason);
    }
}
