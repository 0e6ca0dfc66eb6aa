using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace ExpressHa.Cmdlets
{
    /// <summary>Base of the cmdlets that act on one mirror: the name (also by property from Get-HaMirror objects, one
    /// per node: a name already handled in this pipeline is skipped) and the cluster check.</summary>
    public abstract class MirrorNameCmdlet : OperationCmdlet
    {
        readonly HashSet<string> _done = new HashSet<string>(StringComparer.Ordinal);

        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string Name { get; set; } = "";

        /// <summary>The cluster the piped object came from; it must be the connected one.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("Cluster")]
        public string? ClusterName { get; set; }

        protected abstract void Act(HaConnection c);

        protected override void ProcessRecord()
        {
            try
            {
                var c = Connection;
                CheckCluster(ClusterName, Name);
                if (!_done.Add(Name)) return;
                Act(c);
            }
            catch (HaCmdletException ex)
            {
                Report(ex);
            }
        }

        protected string Target(HaConnection c) => $"mirror '{Name}' in cluster '{c.ClusterName}'";

        /// <summary>This mirror's copies as status objects.</summary>
        protected IEnumerable<PSObject> Copies(HaConnection c)
            => Invoke((api, ct) => api.GetMirrorsAsync(ct)).Mirrors.Where(m => m.Name == Name).Select(m => MirrorObjects.Wrap(m, c.ClusterName));
    }
}
