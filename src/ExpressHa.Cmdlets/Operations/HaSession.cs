using System;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;
using ExpressHa.Client;

namespace ExpressHa.Cmdlets
{
    /// <summary>A connection made by Connect-HaCluster. It never exposes the token.</summary>
    public sealed class HaConnection
    {
        internal HaConnection(HaApiClient client, string clusterName, string reportingNode)
        {
            Client = client;
            ClusterName = clusterName;
            ReportingNode = reportingNode;
            ConnectedAt = DateTime.Now;
        }

        internal HaApiClient Client { get; }
        public string ClusterName { get; }
        public Uri Endpoint => Client.Endpoint;
        /// <summary>The pinned SHA-256 of the node's certificate; empty for plain HTTP on loopback.</summary>
        public string CertificateFingerprint => Client.CertificateFingerprint ?? "";
        /// <summary>The node that answered when the connection was made.</summary>
        public string ReportingNode { get; }
        public DateTime ConnectedAt { get; }

        public override string ToString() => ClusterName + " (" + Endpoint + ")";
    }

    /// <summary>The module-level session: the connection later cmdlets use. Kept per runspace, so two runspaces in
    /// one process (jobs, hosts, tests) never share a connection.</summary>
    internal static class HaSession
    {
        sealed class Holder { public HaConnection? Connection; }

        static readonly ConditionalWeakTable<Runspace, Holder> PerRunspace = new ConditionalWeakTable<Runspace, Holder>();
        static readonly Holder NoRunspace = new Holder();

        static Holder Current
        {
            get
            {
                var rs = Runspace.DefaultRunspace;
                return rs == null ? NoRunspace : PerRunspace.GetValue(rs, _ => new Holder());
            }
        }

        public static HaConnection? Connection
        {
            get => Current.Connection;
            set
            {
                var h = Current;
                var old = h.Connection;
                h.Connection = value;
                if (old != null && !ReferenceEquals(old, value)) old.Client.Dispose();
            }
        }
    }
}
