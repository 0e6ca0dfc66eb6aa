using System;
using System.Collections.Generic;
using System.Linq;
using ExpressHa.Config;

namespace ExpressHa.Policy;

/// <summary>Start and stop order of a group's resources: dependencies first, ties broken by config order; stop is the exact reverse.</summary>
public static class DependencyOrder
{
    /// <summary>Topological order: a resource comes after everything it depends on; among the resources ready at each step the
    /// one listed first in the config goes first. Unknown dependencies are ignored; a cycle (the validator rejects them) leaves
    /// its members in config order at the end, so the answer is always deterministic.</summary>
    public static IReadOnlyList<ResourceConfig> StartOrder(GroupConfig group)
    {
        var names = new HashSet<string>(group.Resources.Select(r => r.Name), StringComparer.Ordinal);
        var placed = new HashSet<string>(StringComparer.Ordinal);
        var order = new List<ResourceConfig>(group.Resources.Count);
        while (order.Count < group.Resources.Count)
        {
            var next = group.Resources.FirstOrDefault(r => !placed.Contains(r.Name)
                && r.DependsOn.All(d => !names.Contains(d) || placed.Contains(d) || d == r.Name));
            if (next == null)
            {
                foreach (var r in group.Resources.Where(r => !placed.Contains(r.Name))) { placed.Add(r.Name); order.Add(r); }
                break;
            }
            placed.Add(next.Name);
            order.Add(next);
        }
        return order;
    }

    public static IReadOnlyList<ResourceConfig> StopOrder(GroupConfig group) => StartOrder(group).Reverse().ToList();

    /// <summary>The resource and everything in the group that depends on it, directly or not, in start order.</summary>
    public static IReadOnlyList<ResourceConfig> WithDependents(GroupConfig group, string resource)
    {
        var set = new HashSet<string>(StringComparer.Ordinal) { resource };
        bool grew = true;
        while (grew)
        {
            grew = false;
            foreach (var r in group.Resources)
                if (!set.Contains(r.Name) && r.DependsOn.Any(set.Contains)) { set.Add(r.Name); grew = true; }
        }
        return StartOrder(group).Where(r => set.Contains(r.Name)).ToList();
    }
}
