using System.Collections.Generic;

namespace ExpressHa.Api
{
    /// <summary>GET /v1/cluster/alerts: every reachable node's alerts merged by time, and the nodes that did not answer.</summary>
    public sealed class ClusterAlertReport
    {
        public List<AlertEntry> Alerts { get; set; } = new List<AlertEntry>();
        public List<string> MissingNodes { get; set; } = new List<string>();
    }
}
