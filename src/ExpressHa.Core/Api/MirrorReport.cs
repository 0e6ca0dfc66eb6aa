using System.Collections.Generic;

namespace ExpressHa.Api
{
    /// <summary>GET /v1/mirrors: every reachable node's view of every mirror it runs, and the nodes that did not answer.</summary>
    public sealed class MirrorReport
    {
        public List<MirrorStatus> Mirrors { get; set; } = new List<MirrorStatus>();
        /// <summary>Nodes of the cluster whose mirrors are not in the list because they did not answer.</summary>
        public List<string> MissingNodes { get; set; } = new List<string>();
    }
}
