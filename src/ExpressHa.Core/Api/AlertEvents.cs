using System.Collections.Generic;
using ExpressHa.Config;

// One catalog for the whole file: every alert the service raises, grouped by module (~250 lines).
namespace ExpressHa.Api
{
    /// <summary>Every alert of ExpressHa: module, event id, level and message (docs/alerts.md is written from it and
    /// checked against it). Ids are unique within a module. Ids 12, 32 and 201 of rc are the ones the
    /// "HA Cluster Configuration Guide for Amazon Web Services" gives these events.
    /// Change from earlier versions: np 9 meant two things; the failed fencing of a restarted node is now np 10.</summary>
    public static class AlertEvents
    {
        const string I = AlertLevels.Info, W = AlertLevels.Warning, E = AlertLevels.Error;

        /// <summary>pm: the node's cluster service (start, stop, suspend, leftovers of a previous run, stalls).</summary>
        public static class Pm
        {
            public const string Module = "pm";
            public static readonly AlertEvent Starting = new AlertEvent(Module, 1, I, "Cluster service on {node} is starting (cluster {cluster}, config generation {generation}).");
            public static readonly AlertEvent Stopping = new AlertEvent(Module, 2, I, "Cluster service on {node} is stopping: {reason}.");
            public static readonly AlertEvent StopFailed = new AlertEvent(Module, 3, E, "Stopping on {node}: {message}");
            public static readonly AlertEvent Stopped = new AlertEvent(Module, 4, I, "Cluster service on {node} has stopped.");
            public static readonly AlertEvent CommandFailed = new AlertEvent(Module, 5, E, "The command '{command}' could not run: {error}");
            public static readonly AlertEvent LeftoverFound = new AlertEvent(Module, 6, W, "{what the previous run left and what is done about it}");
            public static readonly AlertEvent LeftoverStopFailed = new AlertEvent(Module, 7, E, "Stopping what the previous run of {node} left failed ({message}); the group is not started elsewhere until it is stopped.");
            public static readonly AlertEvent ActiveBeforeJoin = new AlertEvent(Module, 8, W, "Probe on {node}: {resources} of group {group} already active here before the service joined.");
            public static readonly AlertEvent CoordinatorFailed = new AlertEvent(Module, 9, E, "The coordinator failed on {work}: {error}");
            public static readonly AlertEvent RecoveryGivenUp = new AlertEvent(Module, 10, E, "Giving up after {depth} recovery plans for {event}; the group is left as it is.");
            public static readonly AlertEvent Suspended = new AlertEvent(Module, 11, I, "The cluster service on {node} is suspended.");
            public static readonly AlertEvent Resumed = new AlertEvent(Module, 12, I, "The cluster service on {node} is running.");
            public static readonly AlertEvent StoppedByOperator = new AlertEvent(Module, 13, I, "The cluster service on {node} is stopped; its groups are offline.");
            public static readonly AlertEvent Killed = new AlertEvent(Module, 14, W, "The cluster service on {node} is killed on request (operation test).");
            public static readonly AlertEvent LeftoverAdopted = new AlertEvent(Module, 15, I, "The previous run of the cluster service on {node} left group {group} running and no other server took it over: it {verdict}.");
            public static readonly AlertEvent Stalled = new AlertEvent(Module, 20, E, "The cluster service on {node} was stalled for {ms} ms, longer than the heartbeat timeout ({timeout} ms); {what follows}");
            public static readonly AlertEvent StaleCopy = new AlertEvent(Module, 21, E, "Group {group} also runs on {holder} under a newer ownership; {node} was cut off or stalled, so it stops its copy now.");
            public static readonly AlertEvent StaleCopyStopFailed = new AlertEvent(Module, 22, E, "Stopping the stale copy of group {group} on {node} failed: {reason}. Stop it by hand.");
        }

        /// <summary>nm: membership, from the heartbeats.</summary>
        public static class Nm
        {
            public const string Module = "nm";
            public static readonly AlertEvent NodeStarted = new AlertEvent(Module, 1, I, "Server {node} has started (heartbeat received).");
            public static readonly AlertEvent NodeLost = new AlertEvent(Module, 2, E, "Server {node} is lost: every heartbeat path timed out.");
            public static readonly AlertEvent PathDown = new AlertEvent(Module, 3, W, "Heartbeat path {interconnect} to {node} is down; {node} is still reachable on another path.");
            public static readonly AlertEvent PathUp = new AlertEvent(Module, 4, I, "Heartbeat path {interconnect} to {node} is up again.");
            public static readonly AlertEvent NodeRestarted = new AlertEvent(Module, 5, E, "Server {node} restarted within the heartbeat timeout; it counts as lost (and is fenced first when it ran a group).");
        }

        /// <summary>np: partition resolution and what makes a lost node count as down.</summary>
        public static class Np
        {
            public const string Module = "np";
            public static readonly AlertEvent ResolutionLost = new AlertEvent(Module, 1, E, "{node} lost partition resolution after losing {lost} ({reason}); it stops its groups and its cluster service.");
            public static readonly AlertEvent Survives = new AlertEvent(Module, 2, I, "Partition resolution after losing {lost}: {node} survives ({reason}).");
            /// <summary>info when a watchdog bounds the wait, warning otherwise.</summary>
            public static readonly AlertEvent WaitWithoutFencing = new AlertEvent(Module, 3, W, "No fencing is configured: the groups of {lost} start here after {ms} ms, because {reason}.");
            public static readonly AlertEvent ConfirmedDown = new AlertEvent(Module, 4, I, "{lost} counts as down: {why}.");
            public static readonly AlertEvent LossHandlingFailed = new AlertEvent(Module, 9, E, "Handling the loss of {lost} failed: {error}; its groups stay down until it is confirmed down.");
            /// <summary>Was np 9 too before; now its own id.</summary>
            public static readonly AlertEvent RestartedFenceFailed = new AlertEvent(Module, 10, E, "Fencing the restarted {node} failed: {error}; its groups stay down until it is confirmed down.");
        }

        /// <summary>rc: groups and resources, started and stopped by the plans.</summary>
        public static class Rc
        {
            public const string Module = "rc";
            public static readonly AlertEvent GroupStartFailed = new AlertEvent(Module, 12, E, "Activating {group} group has failed.");
            public static readonly AlertEvent NoServer = new AlertEvent(Module, 13, E, "Group {group} cannot start: no server of its failover policy is online.");
            public static readonly AlertEvent ResourceStarted = new AlertEvent(Module, 31, I, "Activating {resource} resource has completed. ({ms} ms)");
            public static readonly AlertEvent ResourceStartFailed = new AlertEvent(Module, 32, E, "Activating {resource} resource has failed.({code} : {reason})");
            public static readonly AlertEvent ResourceStopped = new AlertEvent(Module, 41, I, "Deactivating {resource} resource has completed.");
            public static readonly AlertEvent ResourceStopFailed = new AlertEvent(Module, 42, E, "Deactivating {resource} resource has failed.({code} : {reason})");
            public static readonly AlertEvent GroupBlocked = new AlertEvent(Module, 46, E, "Group {group} is blocked on {node}: {why}");
            public static readonly AlertEvent FinalAction = new AlertEvent(Module, 60, E, "Final action {action} on {node}: {reason}");
            public static readonly AlertEvent FinalActionCommandFailed = new AlertEvent(Module, 61, E, "The {action} command '{command}' could not run: {error}");
            public static readonly AlertEvent GroupMoving = new AlertEvent(Module, 201, W, "Group {group} will be moved from {from} to {to}.");
        }

        /// <summary>rm: the policy's decisions on a failed monitor.</summary>
        public static class Rm
        {
            public const string Module = "rm";
            public static readonly AlertEvent MonitorFailed = new AlertEvent(Module, 9, E, "Detected an error in monitoring {monitor}. ({reason})");
            public static readonly AlertEvent NoRecovery = new AlertEvent(Module, 10, W, "Monitor {monitor} failed; no recovery is done: {why}");
        }

        /// <summary>monitor: the monitors' own results. A failure's id is the probe's code (5 failed, 6 timeout,
        /// 7 stalled, 8 pseudo-failure, the AWS monitors' 50-58 numbered per monitor type as in the
        /// "HA Cluster Configuration Guide for Amazon Web Services"); a warning
        /// (onApiFailure: warn) is 100 + that code.</summary>
        public static class Monitor
        {
            public const string Module = "monitor";
            public static readonly AlertEvent Recovered = new AlertEvent(Module, 1, I, "Monitor {monitor} returned to normal. ({message})");
            public static readonly AlertEvent PseudoFailureCleared = new AlertEvent(Module, 2, I, "Monitor {monitor}: the pseudo-failure on {node} is cleared.");
            public static readonly AlertEvent Failed = new AlertEvent(Module, 5, E, "Detected an error in monitoring {monitor}. ({code} : {text})", lastId: 99);
            public static readonly AlertEvent Warning = new AlertEvent(Module, 105, W, "Monitor {monitor} is in the warning status. ({100 + code} : {text})", lastId: 199);
            /// <summary>The warning an operator's pseudo-failure raises (100 + the pseudo-failure code 8).</summary>
            public const int PseudoFailureSetId = 108;
        }

        /// <summary>config: the two-phase config push.</summary>
        public static class Config
        {
            public const string Module = "config";
            public static readonly AlertEvent Applied = new AlertEvent(Module, 1, I, "Config generation {generation} applied on {nodes}.");
            public static readonly AlertEvent Refused = new AlertEvent(Module, 2, W, "Config generation {generation} was refused by {nodes}; no node changed.");
            public static readonly AlertEvent NotConfirmed = new AlertEvent(Module, 3, E, "{node} did not confirm the commit (abort) of config generation {generation}: {error}");
            public static readonly AlertEvent Running = new AlertEvent(Module, 4, I, "{node} now runs config generation {generation}.");
            public static readonly AlertEvent CaughtUp = new AlertEvent(Module, 5, I, "{node} took config generation {generation} from {peer} (it missed the push).");
        }

        /// <summary>mirror: operations on mirrors (suspend, resume, repair, backup, restore).</summary>
        public static class Mirror
        {
            public const string Module = "mirror";
            public static readonly AlertEvent SuspendedOrResumed = new AlertEvent(Module, 80, I, "Mirror '{mirror}': replication suspended (resumed) on {node} by the operator.");
            public static readonly AlertEvent Repaired = new AlertEvent(Module, 81, W, "Mirror '{mirror}': the copy on {source} wins; the copy on {losers} is overwritten by a resync.");
            public static readonly AlertEvent BackupFailed = new AlertEvent(Module, 82, E, "Backup of mirror '{mirror}' has failed.({failure})");
            public static readonly AlertEvent BackupDone = new AlertEvent(Module, 83, I, "{how the backup went}");
            public static readonly AlertEvent RestoreFailed = new AlertEvent(Module, 84, E, "Restore of mirror '{mirror}' has failed.({failure})");
            public static readonly AlertEvent RestoreDone = new AlertEvent(Module, 85, I, "{how the restore went}");
        }

        /// <summary>mm: the mirror engine and the mirror resource on one node.</summary>
        public static class Mm
        {
            public const string Module = "mm";
            public static readonly AlertEvent Break = new AlertEvent(Module, 1, E, "mirror break: mirror {mirror} lost {peer} ({how}); {node} goes on alone and records the changes for a differential resync");
            public static readonly AlertEvent ResyncStarted = new AlertEvent(Module, 2, I, "mirror {mirror}: resync {node} -> {peer} started: {blocks} blocks ({bytes} bytes)");
            public static readonly AlertEvent ResyncFinished = new AlertEvent(Module, 3, I, "mirror {mirror}: resync {node} -> {peer} finished: {bytes} bytes in {seconds} s");
            public static readonly AlertEvent SplitBrain = new AlertEvent(Module, 4, E, "mirror {mirror}: split brain detected between {node} and {peer} ({reason}); no data moves until Repair-HaMirror -Source <node>");
            public static readonly AlertEvent KeyMismatch = new AlertEvent(Module, 5, E, "mirror {mirror}: {problem}");
            public static readonly AlertEvent AuthFailed = new AlertEvent(Module, 6, E, "mirror {mirror}: {problem}");
            public static readonly AlertEvent Connected = new AlertEvent(Module, 7, I, "mirror {mirror}: {node} connected to {peer}");
            public static readonly AlertEvent EngineCannotStart = new AlertEvent(Module, 10, E, "The mirror {mirror} cannot start on {node}: {error}; the group {group} cannot start here.");
            public static readonly AlertEvent FsckCorrected = new AlertEvent(Module, 84, W, "{fsck output line}");
        }

        /// <summary>wd: the watchdog.</summary>
        public static class Wd
        {
            public const string Module = "wd";
            public static readonly AlertEvent NotFed = new AlertEvent(Module, 1, E, "The watchdog {device} is no longer fed: {reason}; it resets this machine within {ms} ms unless that changes.");
            public static readonly AlertEvent FedAgain = new AlertEvent(Module, 2, I, "The watchdog {device} is fed again: {reason}.");
            public static readonly AlertEvent FeedFailed = new AlertEvent(Module, 3, E, "Feeding the watchdog {device} failed: {error}; it resets this machine within {ms} ms.");
            public static readonly AlertEvent Armed = new AlertEvent(Module, 4, I, "The watchdog {device} is armed: this machine resets within {ms} ms of the last feed.");
        }

        /// <summary>fence: fencing a lost node.</summary>
        public static class Fence
        {
            public const string Module = "fence";
            public static readonly AlertEvent Started = new AlertEvent(Module, 10, I, "Fencing {node} from {self} ({reason}); levels: {levels}; timeout {timeout} s, {tries} attempt(s) per level.");
            public static readonly AlertEvent Delaying = new AlertEvent(Module, 11, I, "Waiting {delay} s (fencing delay of {node}) before fencing it ({reason}).");
            public static readonly AlertEvent AttemptFailed = new AlertEvent(Module, 12, W, "Fencing {node}: level {n} ({type}) attempt {attempt}/{tries} failed ({code}): {message}");
            public static readonly AlertEvent Fenced = new AlertEvent(Module, 13, I, "{node} has been fenced by level {n} ({type}) on attempt {attempt}: {message}");
            /// <summary>Every level failed; the node is not known to be down.</summary>
            public static readonly AlertEvent Failed = new AlertEvent(Module, 14, E, "Fencing {node} failed: every level failed ({count} attempt(s)); it is not known to be down and the groups it ran stay down. Last: {message}");
            /// <summary>Abandoned because it is no longer needed.</summary>
            public static readonly AlertEvent Aborted = new AlertEvent(Module, 15, I, "Fencing {node} abandoned {when}: it is no longer needed.");
            /// <summary>Fencing is needed but none is configured.</summary>
            public static readonly AlertEvent Disabled = new AlertEvent(Module, 16, W, "Fencing {node} is needed ({reason}) but no fencing is configured; it is not known to be down.");
            /// <summary>The race check found this node's own instance stopping; this node does not fence.</summary>
            public static readonly AlertEvent SelfStopping = new AlertEvent(Module, 17, E, "Fencing {node} refused: {message}");
        }

        /// <summary>Every entry, module by module.</summary>
        public static IReadOnlyList<AlertEvent> All { get; } = new[]
        {
            Pm.Starting, Pm.Stopping, Pm.StopFailed, Pm.Stopped, Pm.CommandFailed, Pm.LeftoverFound, Pm.LeftoverStopFailed, Pm.ActiveBeforeJoin,
            Pm.CoordinatorFailed, Pm.RecoveryGivenUp, Pm.Suspended, Pm.Resumed, Pm.StoppedByOperator, Pm.Killed, Pm.LeftoverAdopted,
            Pm.Stalled, Pm.StaleCopy, Pm.StaleCopyStopFailed,
            Nm.NodeStarted, Nm.NodeLost, Nm.PathDown, Nm.PathUp, Nm.NodeRestarted,
            Np.ResolutionLost, Np.Survives, Np.WaitWithoutFencing, Np.ConfirmedDown, Np.LossHandlingFailed, Np.RestartedFenceFailed,
            Rc.GroupStartFailed, Rc.NoServer, Rc.ResourceStarted, Rc.ResourceStartFailed, Rc.ResourceStopped, Rc.ResourceStopFailed,
            Rc.GroupBlocked, Rc.FinalAction, Rc.FinalActionCommandFailed, Rc.GroupMoving,
            Rm.MonitorFailed, Rm.NoRecovery,
            Monitor.Recovered, Monitor.PseudoFailureCleared, Monitor.Failed, Monitor.Warning,
            Config.Applied, Config.Refused, Config.NotConfirmed, Config.Running, Config.CaughtUp,
            Mirror.SuspendedOrResumed, Mirror.Repaired, Mirror.BackupFailed, Mirror.BackupDone, Mirror.RestoreFailed, Mirror.RestoreDone,
            Mm.Break, Mm.ResyncStarted, Mm.ResyncFinished, Mm.SplitBrain, Mm.KeyMismatch, Mm.AuthFailed, Mm.Connected, Mm.EngineCannotStart, Mm.FsckCorrected,
            Wd.NotFed, Wd.FedAgain, Wd.FeedFailed, Wd.Armed,
            Fence.Started, Fence.Delaying, Fence.AttemptFailed, Fence.Fenced, Fence.Failed, Fence.Aborted, Fence.Disabled, Fence.SelfStopping,
        };
    }
}
