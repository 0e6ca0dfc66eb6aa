using System;
using System.Collections.Generic;
using System.Linq;
using ExpressHa.Config;

namespace ExpressHa.Policy;

/// <summary>Where a group may run: its ordered server list filtered by node state.</summary>
public static class Placement
{
    /// <summary>Online only: Suspended (maintenance), Lost and Offline nodes never receive a group.</summary>
    public static bool IsOnline(ClusterState state, string node)
        => state.Nodes.TryGetValue(node, out var s) && s.State == NodeState.Online;

    public static bool IsServerOf(GroupConfig group, string node) => group.Servers.Contains(node, StringComparer.Ordinal);

    /// <summary>The first server of the group's list that is online and not excluded (the failing or lost node).</summary>
    public static string? FirstOnline(GroupConfig group, ClusterState state, params string?[] exclude)
        => group.Servers.FirstOrDefault(s => IsOnline(state, s) && !exclude.Contains(s));

    /// <summary>The next online server after <paramref name="owner"/> in policy order, wrapping round (move without a target).</summary>
    public static string? NextAfter(GroupConfig group, ClusterState state, string owner)
    {
        var i = group.Servers.IndexOf(owner);
        for (var k = 1; k <= group.Servers.Count; k++)
        {
            var s = group.Servers[((i < 0 ? -1 : i) + k + group.Servers.Count) % group.Servers.Count];
            if (s != owner && IsOnline(state, s)) return s;
        }
        return null;
    }

    /// <summary>The node that records cluster-wide facts when no better node is concerned: the first online node in config order
    /// (other than the excluded one), else the first node of the config.</summary>
    public static string Coordinator(ClusterConfig config, ClusterState state, string? exclude = null)
        => config.Nodes.Select(n => n.Name).FirstOrDefault(n => n != exclude && IsOnline(state, n))
           ?? config.Nodes.Select(n => n.Name).FirstOrDefault(n => n != exclude)
           ?? exclude ?? "cluster";

    /// <summary>Why a named node cannot take the group, or null when it can.</summary>
    public static string? Refusal(GroupConfig group, ClusterState state, string node)
    {
        if (!IsServerOf(group, node))
            return $"{node} is not one of the servers of group {group.Name} ({string.Join(", ", group.Servers)}).";
        if (!IsOnline(state, node))
        {
            var st = state.Nodes.TryGetValue(node, out var s) ? s.State.ToString().ToLowerInvariant() : "unknown";
            return $"{node} is not online (it is {st}), so it cannot run group {group.Name}.";
        }
        return null;
    }
}
