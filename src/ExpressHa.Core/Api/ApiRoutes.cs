using System;
using System.Collections.Generic;

namespace ExpressHa.Api
{
    /// <summary>Every route of the management API, the one list the service maps and its clients (the cmdlets'
    /// <c>HaApiClient</c>, the nodes' <c>PeerClient</c>) call. Routes under v1/internal/ are node to node.</summary>
    public static class ApiRoutes
    {
        public const string InternalPrefix = "v1/internal/";

        // status and alerts
        public static readonly ApiRoute Status = Get("v1/status");
        public static readonly ApiRoute Alerts = Get("v1/alerts");
        public static readonly ApiRoute ClusterAlerts = Get("v1/cluster/alerts");
        /// <summary>Server-sent events: status changes and alerts as they happen (the web UI's stream).</summary>
        public static readonly ApiRoute Events = Get("v1/events");

        // groups
        public static readonly ApiRoute GroupStart = Post("v1/groups/{name}/start");
        public static readonly ApiRoute GroupStop = Post("v1/groups/{name}/stop");
        public static readonly ApiRoute GroupMove = Post("v1/groups/{name}/move");
        public static readonly ApiRoute GroupHistory = Get("v1/groups/{name}/history");

        // nodes and the cluster service
        public static readonly ApiRoute NodeSuspend = Post("v1/nodes/{name}/suspend");
        public static readonly ApiRoute NodeResume = Post("v1/nodes/{name}/resume");
        public static readonly ApiRoute NodeStop = Post("v1/nodes/{name}/stop");
        public static readonly ApiRoute NodeStart = Post("v1/nodes/{name}/start");
        public static readonly ApiRoute NodeKill = Post("v1/nodes/{name}/kill");
        public static readonly ApiRoute ClusterStart = Post("v1/cluster/start");
        public static readonly ApiRoute ClusterStop = Post("v1/cluster/stop");

        // monitors
        public static readonly ApiRoute MonitorSuspend = Post("v1/monitors/{name}/suspend");
        public static readonly ApiRoute MonitorResume = Post("v1/monitors/{name}/resume");
        public static readonly ApiRoute MonitorFail = Post("v1/monitors/{name}/fail");
        public static readonly ApiRoute MonitorClear = Post("v1/monitors/{name}/clear");

        // config
        public static readonly ApiRoute ConfigPush = Post("v1/config");
        public static readonly ApiRoute ConfigGet = Get("v1/config");

        // mirrors and their jobs
        public static readonly ApiRoute Mirrors = Get("v1/mirrors");
        public static readonly ApiRoute MirrorSuspend = Post("v1/mirrors/{name}/suspend");
        public static readonly ApiRoute MirrorResume = Post("v1/mirrors/{name}/resume");
        public static readonly ApiRoute MirrorRepair = Post("v1/mirrors/{name}/repair");
        public static readonly ApiRoute MirrorBackup = Post("v1/mirrors/{name}/backup");
        public static readonly ApiRoute MirrorRestore = Post("v1/mirrors/{name}/restore");
        public static readonly ApiRoute Job = Get("v1/jobs/{id}");

        // operations
        public static readonly ApiRoute SupportBundle = Get("v1/support/bundle");

        // the web UI's session (GET and POST are answered before routing, without a credential)
        public static readonly ApiRoute SessionSignOut = Delete("v1/session");
        public static readonly ApiRoute SessionWhoAmI = Get("v1/session");
        public static readonly ApiRoute SessionSignIn = Post("v1/session");

        // node to node
        public static readonly ApiRoute InternalConfig = Get("v1/internal/config");
        public static readonly ApiRoute InternalPrepare = Post("v1/internal/config/prepare");
        public static readonly ApiRoute InternalFinish = Post("v1/internal/config/finish");
        public static readonly ApiRoute InternalActions = Post("v1/internal/actions");
        public static readonly ApiRoute InternalOwnership = Get("v1/internal/ownership");
        public static readonly ApiRoute InternalSupportBundle = Get("v1/internal/support/bundle");
        public static readonly ApiRoute InternalMirrors = Get("v1/internal/mirrors");
        public static readonly ApiRoute InternalMirrorSuspend = Post("v1/internal/mirrors/{name}/suspend");
        public static readonly ApiRoute InternalMirrorResume = Post("v1/internal/mirrors/{name}/resume");
        public static readonly ApiRoute InternalMirrorOutdate = Post("v1/internal/mirrors/{name}/outdate");
        public static readonly ApiRoute InternalMirrorRepair = Post("v1/internal/mirrors/{name}/repair");
        public static readonly ApiRoute InternalMirrorCommand = Post("v1/internal/mirrors/{name}/command");
        public static readonly ApiRoute InternalMirrorCopyOut = Post("v1/internal/mirrors/{name}/copyout");
        public static readonly ApiRoute InternalMirrorRestore = Post("v1/internal/mirrors/{name}/restore");

        /// <summary>The routes the service maps as endpoints (everything but the session's sign-in and who-am-I,
        /// which are answered before the credential check).</summary>
        public static IReadOnlyList<ApiRoute> Mapped { get; } = new[]
        {
            Status, Alerts, ClusterAlerts, Events,
            GroupStart, GroupStop, GroupMove, GroupHistory,
            NodeSuspend, NodeResume, NodeStop, NodeStart, NodeKill, ClusterStart, ClusterStop,
            MonitorSuspend, MonitorResume, MonitorFail, MonitorClear,
            ConfigPush, ConfigGet,
            Mirrors, MirrorSuspend, MirrorResume, MirrorRepair, MirrorBackup, MirrorRestore, Job,
            SupportBundle, SessionSignOut,
            InternalConfig, InternalPrepare, InternalFinish, InternalActions, InternalOwnership, InternalSupportBundle,
            InternalMirrors, InternalMirrorSuspend, InternalMirrorResume, InternalMirrorOutdate, InternalMirrorRepair,
            InternalMirrorCommand, InternalMirrorCopyOut, InternalMirrorRestore,
        };

        /// <summary>Routes answered before routing and without a credential (the web UI's sign-in).</summary>
        public static IReadOnlyList<ApiRoute> BeforeAuthentication { get; } = new[] { SessionWhoAmI, SessionSignIn };

        /// <summary>Whether a path or template (with or without its leading '/') is a node-to-node route.</summary>
        public static bool IsNodeToNode(string? path)
            => path != null && path.TrimStart('/').StartsWith(InternalPrefix, StringComparison.OrdinalIgnoreCase);

        static ApiRoute Get(string template) => new ApiRoute("GET", template);
        static ApiRoute Post(string template) => new ApiRoute("POST", template);
        static ApiRoute Delete(string template) => new ApiRoute("DELETE", template);
    }
}
