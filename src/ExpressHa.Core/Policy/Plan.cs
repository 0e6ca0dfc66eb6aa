using System;
using System.Collections.Generic;
using System.Linq;
namespace ExpressHa.Policy;

/// <summary>The engine's answer to an event: steps in order, and why.</summary>
public sealed class Plan
{
    public Plan(IReadOnlyList<PlanAction> actions, string reason, bool refused = false)
    {
        Actions = actions;
        Reason = reason;
        Refused = refused;
    }

    /// <summary>An operator request that cannot be carried out (as opposed to one that has nothing left to do).</summary>
    public bool Refused { get; }

    public IReadOnlyList<PlanAction> Actions { get; }
    public string Reason { get; }
    public bool IsEmpty => Actions.Count == 0;

    public static Plan Nothing(string reason) => new(Array.Empty<PlanAction>(), reason);
    public static Plan Refuse(string reason) => new(Array.Empty<PlanAction>(), reason, refused: true);

    public override string ToString() => Reason + Environment.NewLine + string.Join(Environment.NewLine, Actions.Select(a => "  " + a.Describe()));
}
