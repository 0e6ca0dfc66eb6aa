using System.Collections.Generic;

namespace ExpressHa.Api
{
    /// <summary>The answer to a config push (POST /v1/config, ?dryRun=true for the difference only).</summary>
    public sealed class ConfigPushResult
    {
        public bool Applied { get; set; }
        public bool DryRun { get; set; }
        /// <summary>The generation now running (the new one when applied).</summary>
        public long Generation { get; set; }
        public ConfigDiff Diff { get; set; } = new ConfigDiff();
        /// <summary>Validation errors, as "path: message; fix".</summary>
        public List<string> Errors { get; set; } = new List<string>();
        /// <summary>Nodes that refused the prepare phase, with their reasons; non-empty means nothing changed anywhere.</summary>
        public List<NodeRefusal> Refusals { get; set; } = new List<NodeRefusal>();

        public override string ToString()
            => (Applied ? "applied, generation " + Generation : DryRun ? "dry run against generation " + Generation : "not applied") + "; " + Diff;
    }

    public sealed class NodeRefusal
    {
        public string Node { get; set; } = "";
        public List<string> Reasons { get; set; } = new List<string>();

        public override string ToString() => Node + ": " + string.Join("; ", Reasons);
    }

    /// <summary>Objects are named kind/name: node/server1, group/failover1, resource/awsvip1, monitor/awsvipw1, cluster/settings.</summary>
    public sealed class ConfigDiff
    {
        public List<string> Added { get; set; } = new List<string>();
        public List<string> Removed { get; set; } = new List<string>();
        public List<string> Changed { get; set; } = new List<string>();
        /// <summary>Groups that must be restarted for the change to take effect.</summary>
        public List<string> GroupRestarts { get; set; } = new List<string>();
        /// <summary>True when the change needs the cluster suspended (nodes added or removed, heartbeat settings).</summary>
        public bool NeedsSuspend { get; set; }
        public bool IsEmpty => Added.Count == 0 && Removed.Count == 0 && Changed.Count == 0;

        public override string ToString()
            => IsEmpty ? "no change" : $"{Added.Count} added, {Removed.Count} removed, {Changed.Count} changed"
                + (GroupRestarts.Count > 0 ? "; restarts " + string.Join(", ", GroupRestarts) : "")
                + (NeedsSuspend ? "; needs a cluster suspend" : "");
    }
}
