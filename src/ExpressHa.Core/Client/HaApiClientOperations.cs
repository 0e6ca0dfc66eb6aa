using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using ExpressHa.Api;

namespace ExpressHa.Client
{
    /// <summary>The day-to-day operations routes: the cluster's merged alerts, the running config, a group's history and
    /// a node's support bundle.</summary>
    public static class HaApiClientOperations
    {
        /// <summary>Every reachable node's alerts merged by time; the node asked gathers them from its peers.</summary>
        public static Task<ClusterAlertReport> GetClusterAlertsAsync(this HaApiClient client, string? minLevel = null, string? module = null,
            DateTimeOffset? since = null, int? last = null, CancellationToken ct = default)
            => client.Connection.CallAsync<ClusterAlertReport>(ApiRoutes.ClusterAlerts, null, ct, query: AlertQueryString(minLevel, module, since, last));

        public static Task<RunningClusterConfig> GetRunningConfigAsync(this HaApiClient client, CancellationToken ct = default)
            => client.Connection.CallAsync<RunningClusterConfig>(ApiRoutes.ConfigGet, null, ct);

        public static Task<GroupHistoryReport> GetGroupHistoryAsync(this HaApiClient client, string group, CancellationToken ct = default)
            => client.Connection.CallAsync<GroupHistoryReport>(ApiRoutes.GroupHistory, null, ct, group);

        /// <summary>Streams one node's support bundle (a zip) into <paramref name="destination"/>; the node asked
        /// relays a peer's bundle. Returns the number of bytes written.</summary>
        public static Task<long> DownloadSupportBundleAsync(this HaApiClient client, string node, DateTimeOffset? since, Stream destination,
            Action<long>? progress = null, CancellationToken ct = default)
        {
            if (destination == null) throw new ArgumentNullException(nameof(destination));
            var path = ApiRoutes.SupportBundle.Path() + "?node=" + Uri.EscapeDataString(node)
                + (since != null ? "&since=" + Uri.EscapeDataString(Iso(since.Value)) : "");
            return client.Connection.DownloadAsync(path, destination, progress, ct);
        }

        /// <summary>"?minLevel=...&amp;since=..." for the alert routes, or "" without filters.</summary>
        public static string AlertQueryString(string? minLevel, string? module, DateTimeOffset? since, int? last)
        {
            var q = new List<string>();
            if (minLevel != null) q.Add("minLevel=" + Uri.EscapeDataString(minLevel));
            if (module != null) q.Add("module=" + Uri.EscapeDataString(module));
            if (since != null) q.Add("since=" + Uri.EscapeDataString(Iso(since.Value)));
            if (last != null) q.Add("last=" + last.Value.ToString(CultureInfo.InvariantCulture));
            return q.Count > 0 ? "?" + string.Join("&", q) : "";
        }

        static string Iso(DateTimeOffset t) => t.ToUniversalTime().ToString("o", CultureInfo.InvariantCulture);
    }
}
