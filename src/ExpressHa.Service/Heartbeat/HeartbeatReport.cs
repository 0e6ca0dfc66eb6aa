using ExpressHa.Api;
namespace ExpressHa.Service.Heartbeat;

/// <summary>What a node tells the others every interval: that it lives, and what it runs. Groups and monitors are the
/// node's own ground truth, so any node can rebuild the cluster view from the reports alone.</summary>
public sealed class HeartbeatReport
{
    public string Cluster { get; set; } = "";
    public string Node { get; set; } = "";
    /// <summary>Random per service start: a new value means the node restarted.</summary>
    public long Incarnation { get; set; }
    public long Seq { get; set; }
    /// <summary>Sender's wall clock (Unix ms): a packet of an older incarnation cannot be replayed over a newer one.</summary>
    public long SentAtMs { get; set; }
    public long ConfigGeneration { get; set; }
    /// <summary>running, suspended, stopping.</summary>
    public string ServiceState { get; set; } = ServiceStates.Running;
    public string? ApiFingerprint { get; set; }
    /// <summary>The cluster has started its auto groups once; a node joining later does not start them again.</summary>
    public bool ClusterStarted { get; set; }
    /// <summary>Lost nodes this node knows to be down (fenced, or stopped after losing partition resolution).</summary>
    public List<string> ConfirmedDown { get; set; } = new();
    public List<GroupReport> Groups { get; set; } = new();
    public List<MonitorReport> Monitors { get; set; } = new();
    /// <summary>Group → the highest ownership generation the sender's journal held when its service started
    /// (<see cref="Runtime.GenerationSeed"/>). Not a claim on the group: only the floor for the next generation.</summary>
    public Dictionary<string, long> JournalGenerations { get; set; } = new();
    /// <summary>Peer → the newest of its heartbeats the sender heard (incarnation and sequence number): the echo that
    /// lets a node prove the others still count it alive (<see cref="Runtime.PeerProofs"/>).</summary>
    public Dictionary<string, HeardEcho> Heard { get; set; } = new();
    /// <summary>The previous incarnation of the sender whose groups this one adopted at start (its resources still ran
    /// and every peer still counted it online, <see cref="Runtime.LeftoverDecision"/>): a peer that still counts exactly
    /// that incarnation online takes the new one as its continuation, not as a restart. Null otherwise.</summary>
    public long? ResumedFrom { get; set; }
    /// <summary>The watchdog timeout the sender has armed; null when it runs without a watchdog.</summary>
    public int? WatchdogMs { get; set; }
    /// <summary>With a watchdog: how old the sender's newest proof from a peer may be before it stops feeding
    /// (<see cref="Watchdog.ProofLease"/>); a survivor's wait for it rests on this.</summary>
    public int? ProofLeaseMs { get; set; }
}

public sealed class HeardEcho
{
    public long Incarnation { get; set; }
    public long Seq { get; set; }
}

public sealed class GroupReport
{
    public string Name { get; set; } = "";
    public string State { get; set; } = "";
    public long Generation { get; set; }
    public int Failovers { get; set; }
    public Dictionary<string, string> Resources { get; set; } = new();
    public Dictionary<string, int> StartFailures { get; set; } = new();
    public Dictionary<string, int> StopFailures { get; set; } = new();
    public string? Owner { get; set; }
    public string? Next { get; set; }
}

public sealed class MonitorReport
{
    public string Name { get; set; } = "";
    public string State { get; set; } = "";
    public string? Message { get; set; }
    /// <summary>Raised each time the monitor enters the error state, so a repeated failure is seen as new.</summary>
    public long ErrorCount { get; set; }
    public int Restarts { get; set; }
    public int Failovers { get; set; }
}
