using System;
using System.Collections.Generic;
using System.Linq;
using ExpressHa.Config;

namespace ExpressHa.Policy
{
    /// <summary>What the cluster state looks like after an event and its plan when every step succeeds: the
    /// conventions of <see cref="PolicyEngine"/> carried out on the state, for a simulation. Steps that need the outside
    /// world (fencing, waiting for a lost node) are taken as done and said so.</summary>
    public static class PlanApplier
    {
        /// <summary>What the runtime records before it asks the engine: membership changes and the failure counts.</summary>
        public static void BeforeDecision(ClusterState state, PolicyEvent ev)
        {
            switch (ev)
            {
                case NodeLost e: Node(state, e.Node).State = NodeState.Lost; break;
                case NodeJoined e: Node(state, e.Node).State = NodeState.Online; Node(state, e.Node).ConfirmedDown = false; break;
                case NodeSuspended e: Node(state, e.Node).State = NodeState.Suspended; break;
                case NodeResumed e: Node(state, e.Node).State = NodeState.Online; break;
                case NodeDownConfirmed e: Node(state, e.Node).ConfirmedDown = true; break;
                case ResourceStartFailed e when Resource(state, e.Group, e.Resource) is { } r: r.StartFailures++; r.State = ResourceState.StartFailed; break;
                case ResourceStopFailed e when Resource(state, e.Group, e.Resource) is { } r: r.StopFailures++; r.State = ResourceState.StopFailed; break;
            }
        }

        /// <summary>Applies every step as if it succeeded; returns what the simulation had to assume.</summary>
        public static IReadOnlyList<string> Apply(ClusterConfig config, ClusterState state, PolicyEvent ev, Plan plan)
        {
            var assumed = new List<string>();
            foreach (var step in plan.Actions)
            {
                switch (step)
                {
                    case StartResource a when Resource(state, a.Group, a.Resource) is { } r:
                        r.State = ResourceState.Online;
                        // The runtime forgets the failures once the start succeeds; the simulation keeps them, so that
                        // repeating the failure event plays a resource whose retries fail too.
                        if (ev is ResourceStartFailed f && f.Group == a.Group && f.Resource == a.Resource)
                            assumed.Add($"{a.Group}/{a.Resource} starts on this retry; its failure count stays {r.StartFailures}, so repeating the event plays a retry that fails");
                        else r.StartFailures = 0;
                        break;
                    case StopResource a when Resource(state, a.Group, a.Resource) is { } r:
                        r.State = ResourceState.Offline; r.StopFailures = 0; break;
                    case SetGroupState a:
                        SetGroup(config, state, a); break;
                    case WaitForNodeDown a when !Node(state, a.LostNode).ConfirmedDown:
                        Node(state, a.LostNode).ConfirmedDown = true;
                        assumed.Add($"{a.LostNode} is fenced or confirmed down (the plan waits for it)");
                        break;
                    case FenceNode a:
                        Node(state, a.Target).State = NodeState.Lost;
                        Node(state, a.Target).ConfirmedDown = true;
                        assumed.Add($"fencing {a.Target} succeeds");
                        break;
                    case RunFinalAction a:
                        Node(state, a.Node).State = NodeState.Offline;
                        assumed.Add($"{a.Node} runs its final action {a.Action} and leaves the cluster (simulate NodeLost {a.Node} for what the others do)");
                        break;
                    case RecordCounter a:
                        Count(state, a); break;
                }
            }
            if (ev is NodeStopping stopping) Node(state, stopping.Node).State = NodeState.Offline;
            if (ev is MonitorFailed failed && state.Monitors.TryGetValue(failed.Monitor, out var m) && plan.Actions.Count > 0) m.State = MonitorState.Error;
            if (ev is MonitorRecovered recovered && state.Monitors.TryGetValue(recovered.Monitor, out var mr)) mr.State = MonitorState.Normal;
            return assumed;
        }

        /// <summary>One line per group: "failover1 online on server2".</summary>
        public static IReadOnlyList<string> Describe(ClusterConfig config, ClusterState state)
            => config.Groups.Select(g =>
            {
                if (!state.Groups.TryGetValue(g.Name, out var gs)) return g.Name + " unknown";
                return $"{g.Name} {gs.State.ToString().ToLowerInvariant()}" + (gs.Owner != null ? " on " + gs.Owner : "");
            }).ToList();

        /// <summary>Every server and its state: "server1 lost, confirmed down".</summary>
        public static IReadOnlyList<string> DescribeNodes(ClusterConfig config, ClusterState state)
            => config.Nodes.Select(n =>
            {
                var ns = Node(state, n.Name);
                return $"{n.Name} {ns.State.ToString().ToLowerInvariant()}" + (ns.State == NodeState.Lost && ns.ConfirmedDown ? ", confirmed down" : "");
            }).ToList();

        static void SetGroup(ClusterConfig config, ClusterState state, SetGroupState a)
        {
            if (!state.Groups.TryGetValue(a.Group, out var gs)) return;
            if (a.State == GroupState.Starting)
            {
                if (gs.Owner != a.Owner || gs.State != GroupState.Starting) gs.Generation++;
                foreach (var r in gs.Resources.Values) { r.State = ResourceState.Offline; r.StartFailures = 0; r.StopFailures = 0; }
            }
            gs.State = a.State;
            gs.Owner = a.Owner;
            gs.Next = a.Next;
        }

        static void Count(ClusterState state, RecordCounter a)
        {
            const string group = "group ", monitor = "monitor ";
            if (a.Subject.StartsWith(group, StringComparison.Ordinal) && state.Groups.TryGetValue(a.Subject.Substring(group.Length), out var gs))
            {
                if (a.Counter == Counters.Failovers) gs.Failovers = a.Value;
            }
            else if (a.Subject.StartsWith(monitor, StringComparison.Ordinal) && state.Monitors.TryGetValue(a.Subject.Substring(monitor.Length), out var ms))
            {
                if (a.Counter == Counters.Failovers) ms.Failovers = a.Value;
                else if (a.Counter == Counters.Restarts) ms.Restarts = a.Value;
            }
        }

        static NodeStatus Node(ClusterState state, string name)
        {
            if (!state.Nodes.TryGetValue(name, out var ns)) state.Nodes[name] = ns = new NodeStatus();
            return ns;
        }

        static ResourceStatus? Resource(ClusterState state, string group, string resource)
            => state.Groups.TryGetValue(group, out var gs) && gs.Resources.TryGetValue(resource, out var r) ? r : null;
    }
}
