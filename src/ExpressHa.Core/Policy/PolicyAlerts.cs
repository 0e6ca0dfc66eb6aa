using System;
using System.Collections.Generic;
using System.Linq;
namespace ExpressHa.Policy;

/// <summary>The alerts the engine plans: module, event id, level and message in one place. Ids 12, 32 and 201 of module rc follow
/// the seeds; the others are ExpressHa's own.</summary>
public static class PolicyAlerts
{
    public const string Error = "error";
    public const string Warning = "warning";
    public const string Info = "info";

    public static RaiseAlert ResourceStartFailed(string node, string resource, string reason)
        => new(node, Error, "rc", 32, $"Activating {resource} resource has failed.({reason})");

    public static RaiseAlert GroupStartFailed(string node, string group)
        => new(node, Error, "rc", 12, $"Activating {group} group has failed.");

    public static RaiseAlert ResourceStopFailed(string node, string resource, string reason)
        => new(node, Error, "rc", 42, $"Deactivating {resource} resource has failed.({reason})");

    public static RaiseAlert GroupMoving(string node, string group, string from, string to)
        => new(node, Warning, "rc", 201, $"Group {group} will be moved from {from} to {to}.");

    public static RaiseAlert GroupBlocked(string node, string group, string where, string why)
        => new(node, Error, "rc", 46, $"Group {group} is blocked on {where}: {why}");

    public static RaiseAlert NoServer(string node, string group)
        => new(node, Error, "rc", 13, $"Group {group} cannot start: no server of its failover policy is online.");

    public static RaiseAlert NodeLost(string node, string lost)
        => new(node, Error, "nm", 2, $"Server {lost} is lost: every heartbeat path timed out.");

    public static RaiseAlert MonitorFailed(string node, string monitor, string reason)
        => new(node, Error, "rm", 9, $"Detected an error in monitoring {monitor}. ({reason})");

    public static RaiseAlert MonitorNoRecovery(string node, string monitor, string why)
        => new(node, Warning, "rm", 10, $"Monitor {monitor} failed; no recovery is done: {why}");
}
