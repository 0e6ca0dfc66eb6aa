using ExpressHa.Policy;

namespace ExpressHa.Service.Runtime;

/// <summary>Applies RecordCounter steps to the local state: "group NAME" failovers, "monitor NAME" restarts/failovers.</summary>
public static class CounterStore
{
    public static void Apply(LocalState local, RecordCounter c)
    {
        if (c.Subject.StartsWith("group ", StringComparison.Ordinal) && c.Counter == Counters.Failovers)
            local.Update(c.Subject["group ".Length..], g => g.Failovers = c.Value);
        else if (c.Subject.StartsWith("monitor ", StringComparison.Ordinal))
        {
            var name = c.Subject["monitor ".Length..];
            local.SetMonitor(name, m =>
            {
                if (c.Counter == Counters.Restarts) m.Restarts = c.Value;
                else if (c.Counter == Counters.Failovers) m.Failovers = c.Value;
            });
        }
    }
}
