using System;
using System.Collections.Generic;
using System.Linq;
using ExpressHa.Config;

namespace ExpressHa.Policy
{
    /// <summary>One decision of a simulation: the event, the engine's plan for it, what had to be assumed to carry the
    /// plan out, and the groups and servers afterwards.</summary>
    public sealed class SimulatedStep
    {
        public SimulatedStep(int number, string eventText, PolicyEvent ev, Plan plan, IReadOnlyList<string> assumptions,
            IReadOnlyList<string> groups, IReadOnlyList<string> nodes)
        {
            Number = number; EventText = eventText; Event = ev; Plan = plan; Assumptions = assumptions; Groups = groups; Nodes = nodes;
        }

        public int Number { get; }
        public string EventText { get; }
        public PolicyEvent Event { get; }
        public Plan Plan { get; }
        public IReadOnlyList<string> Assumptions { get; }
        public IReadOnlyList<string> Groups { get; }
        public IReadOnlyList<string> Nodes { get; }
    }

    /// <summary>Runs events through <see cref="PolicyEngine"/> without a cluster, like Pacemaker's crm_simulate: the
    /// state starts with every server online and nothing running, the cluster start comes first (unless the events
    /// begin with it), and each plan is carried out on the state as if every step succeeded (<see cref="PlanApplier"/>).</summary>
    public static class PolicySimulation
    {
        public static IReadOnlyList<SimulatedStep> Run(ClusterConfig config, IEnumerable<string> events)
        {
            if (config == null) throw new ArgumentNullException(nameof(config));
            var texts = (events ?? Enumerable.Empty<string>()).ToList();
            var state = InitialState(config);
            if (texts.Count == 0 || !IsClusterStart(texts[0])) texts.Insert(0, "ClusterStarted");

            var steps = new List<SimulatedStep>();
            foreach (var text in texts)
            {
                var ev = SimulationEvents.Parse(text, config, state);
                PlanApplier.BeforeDecision(state, ev);
                var plan = PolicyEngine.Decide(config, state, ev);
                var assumed = PlanApplier.Apply(config, state, ev, plan);
                steps.Add(new SimulatedStep(steps.Count + 1, text.Trim(), ev, plan, assumed,
                    PlanApplier.Describe(config, state), PlanApplier.DescribeNodes(config, state)));
            }
            return steps;
        }

        /// <summary>Every server online, every group offline with its resources, every monitor normal.</summary>
        public static ClusterState InitialState(ClusterConfig config)
        {
            var state = new ClusterState();
            foreach (var n in config.Nodes) state.Nodes[n.Name] = new NodeStatus { State = NodeState.Online };
            foreach (var g in config.Groups)
            {
                var gs = new GroupStatus();
                foreach (var r in g.Resources) gs.Resources[r.Name] = new ResourceStatus();
                state.Groups[g.Name] = gs;
            }
            foreach (var m in config.Monitors) state.Monitors[m.Name] = new MonitorStatus();
            return state;
        }

        static bool IsClusterStart(string text)
        {
            var word = text.Trim().Split(' ')[0];
            return word.Equals("ClusterStarted", StringComparison.OrdinalIgnoreCase) || word.Equals("ClusterStart", StringComparison.OrdinalIgnoreCase);
        }
    }
}
