using System.Globalization;

namespace ExpressHa.Cmdlets
{
    /// <summary>What one operation test (Invoke-HaFailoverDrill) did and how long each part took, in seconds from the
    /// moment the request was sent.</summary>
    public sealed class HaDrillResult
    {
        public string ClusterName { get; set; } = "";
        /// <summary>"Move failover1 to server2", "Pseudo-failure of appw", ...</summary>
        public string Drill { get; set; } = "";
        /// <summary>Move, ServiceStop, MonitorFailure or ServiceKill.</summary>
        public string Kind { get; set; } = "";
        public string? Group { get; set; }
        public string? Node { get; set; }
        public string? Monitor { get; set; }
        public bool Succeeded { get; set; }
        /// <summary>When the cluster showed that it noticed (monitor in error, server lost, service stopped); null for moves.</summary>
        public double? DetectionSeconds { get; set; }
        /// <summary>When the drill's outcome was reached (group online on its new server, service running again, ...).</summary>
        public double TotalSeconds { get; set; }
        public HaDrillResourceTime[] Resources { get; set; } = new HaDrillResourceTime[0];
        public HaDrillEvent[] Timeline { get; set; } = new HaDrillEvent[0];
        public string Message { get; set; } = "";

        public override string ToString() => Drill;
    }

    /// <summary>When a resource was seen stopped or started during a drill.</summary>
    public sealed class HaDrillResourceTime
    {
        public string Resource { get; set; } = "";
        public string Node { get; set; } = "";
        /// <summary>offline (stopped) or online (started).</summary>
        public string State { get; set; } = "";
        public double Seconds { get; set; }

        public override string ToString() => $"{Resource} {State} on {Node} at {Seconds.ToString("0.00", CultureInfo.InvariantCulture)} s";
    }

    /// <summary>One observation on a drill's timeline.</summary>
    public sealed class HaDrillEvent
    {
        public double Seconds { get; set; }
        /// <summary>request, node, group, resource, monitor, detected, done or note.</summary>
        public string Kind { get; set; } = "";
        /// <summary>The node, group, group/resource or monitor the observation is about.</summary>
        public string Subject { get; set; } = "";
        public string Text { get; set; } = "";

        public override string ToString() => $"{Seconds.ToString("0.00", CultureInfo.InvariantCulture),7} s  {Text}";
    }
}
