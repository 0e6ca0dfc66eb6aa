using System;
using System.Collections.Generic;
using System.Linq;
using ExpressHa.Api;
namespace ExpressHa.Policy;

/// <summary>The alerts the engine plans, with their module, event id and level from the catalog (<see cref="AlertEvents"/>).</summary>
public static class PolicyAlerts
{
    public const string Error = "error";
    public const string Warning = "warning";
    public const string Info = "info";

    public static RaiseAlert ResourceStartFailed(string node, string resource, string reason)
        => Raise(node, AlertEvents.Rc.ResourceStartFailed, $"Activating {resource} resource has failed.({reason})");

    public static RaiseAlert GroupStartFailed(string node, string group)
        => Raise(node, AlertEvents.Rc.GroupStartFailed, $"Activating {group} group has failed.");

    public static RaiseAlert ResourceStopFailed(string node, string resource, string reason)
        => Raise(node, AlertEvents.Rc.ResourceStopFailed, $"Deactivating {resource} resource has failed.({reason})");

    public static RaiseAlert GroupMoving(string node, string group, string from, string to)
        => Raise(node, AlertEvents.Rc.GroupMoving, $"Group {group} will be moved from {from} to {to}.");

    public static RaiseAlert GroupBlocked(string node, string group, string where, string why)
        => Raise(node, AlertEvents.Rc.GroupBlocked, $"Group {group} is blocked on {where}: {why}");

    public static RaiseAlert NoServer(string node, string group)
        => Raise(node, AlertEvents.Rc.NoServer, $"Group {group} cannot start: no server of its failover policy is online.");

    public static RaiseAlert NodeLost(string node, string lost)
        => Raise(node, AlertEvents.Nm.NodeLost, $"Server {lost} is lost: every heartbeat path timed out.");

    public static RaiseAlert MonitorFailed(string node, string monitor, string reason)
        => Raise(node, AlertEvents.Rm.MonitorFailed, $"Detected an error in monitoring {monitor}. ({reason})");

    public static RaiseAlert MonitorNoRecovery(string node, string monitor, string why)
        => Raise(node, AlertEvents.Rm.NoRecovery, $"Monitor {monitor} failed; no recovery is done: {why}");

    static RaiseAlert Raise(string node, AlertEvent e, string message) => new(node, e.Level, e.Module, e.Id, message);
}
