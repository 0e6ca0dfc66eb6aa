using System.Linq;
using System.Text;
using ExpressHa.Policy;

namespace ExpressHa.Cmdlets
{
    /// <summary>One decision of Test-HaClusterConfig -Simulate: the event, the policy engine's reason and steps, what
    /// the simulation assumed, and the groups and servers afterwards.</summary>
    public sealed class HaSimulationStep
    {
        public int Step { get; set; }
        public string Event { get; set; } = "";
        public string Reason { get; set; } = "";
        /// <summary>The engine refused the request (e.g. a move to a server that is down).</summary>
        public bool Refused { get; set; }
        public string[] Actions { get; set; } = new string[0];
        public string[] Assumptions { get; set; } = new string[0];
        public string[] Groups { get; set; } = new string[0];
        public string[] Nodes { get; set; } = new string[0];

        public static HaSimulationStep From(SimulatedStep s) => new HaSimulationStep
        {
            Step = s.Number,
            Event = s.EventText,
            Reason = s.Plan.Reason,
            Refused = s.Plan.Refused,
            Actions = s.Plan.Actions.Select(a => a.Describe()).ToArray(),
            Assumptions = s.Assumptions.ToArray(),
            Groups = s.Groups.ToArray(),
            Nodes = s.Nodes.ToArray(),
        };

        /// <summary>The step as the default view prints it, wrapped to 80 columns.</summary>
        public string ToDisplayText()
        {
            const int width = 79;
            var sb = new StringBuilder();
            sb.Append("Step ").Append(Step).Append(": ").Append(Event).Append(Refused ? " (refused)" : "").Append('\n');
            TextWrap.Append(sb, Reason, width, "  ", "  ");
            for (int i = 0; i < Actions.Length; i++)
                TextWrap.Append(sb, Actions[i], width, $"  {i + 1,2}. ", "      ");
            foreach (var a in Assumptions) TextWrap.Append(sb, "assumed: " + a, width, "  ", "    ");
            TextWrap.Append(sb, "groups: " + string.Join("; ", Groups), width, "  ", "    ");
            TextWrap.Append(sb, "servers: " + string.Join("; ", Nodes), width, "  ", "    ");
            return sb.ToString().TrimEnd('\n');
        }

        public override string ToString() => $"Step {Step}: {Event}";
    }
}
