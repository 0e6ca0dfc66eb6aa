using ExpressHa.Policy;

namespace ExpressHa.Service.Tests.Policy;

/// <summary>Runs every Scenarios/*.scenario through the policy engine and compares the plan with the file.
/// EXPRESSHA_UPDATE_GOLDEN=1 rewrites the expected sections instead (review the diff before committing).</summary>
public class ScenarioTests
{
    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var f in ScenarioFile.All()) data.Add(f);
        return data;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Scenario(string file)
    {
        var path = Path.Combine(ScenarioFile.ScenarioDirectory(), file);
        var scenario = ScenarioFile.Load(path);
        var plan = PolicyEngine.Decide(scenario.Config, scenario.State, scenario.Event);

        if (Environment.GetEnvironmentVariable("EXPRESSHA_UPDATE_GOLDEN") == "1")
        {
            ScenarioFile.RewriteExpected(path, plan);
            return;
        }
        var actual = plan.Actions.Select(a => a.Describe()).ToList();
        if (scenario.ExpectedReason != plan.Reason || scenario.ExpectedPlan == null || !actual.SequenceEqual(scenario.ExpectedPlan))
            Assert.Fail($"{file} ({scenario.Title}): the plan differs from the golden file. Actual, in the file's format " +
                        "(rerun with EXPRESSHA_UPDATE_GOLDEN=1 to accept it):\n" + ScenarioFile.RenderExpected(plan));
    }

    [Fact]
    public void ThereAreAtLeastThirtyScenarios() => Assert.True(ScenarioFile.All().Count() >= 30);

    [Theory]
    [MemberData(nameof(Files))]
    public void EngineIsPureAndDeterministic(string file)
    {
        var scenario = ScenarioFile.Load(Path.Combine(ScenarioFile.ScenarioDirectory(), file));
        var before = Snapshot(scenario.State);
        var first = PolicyEngine.Decide(scenario.Config, scenario.State, scenario.Event).ToString();
        var second = PolicyEngine.Decide(scenario.Config, scenario.State, scenario.Event).ToString();
        Assert.Equal(first, second);
        Assert.Equal(before, Snapshot(scenario.State));
    }

    static string Snapshot(ClusterState s)
        => string.Join(";", s.Nodes.OrderBy(k => k.Key, StringComparer.Ordinal).Select(n => $"{n.Key}={n.Value.State}/{n.Value.ConfirmedDown}"))
         + "|" + string.Join(";", s.Groups.OrderBy(k => k.Key, StringComparer.Ordinal).Select(g => $"{g.Key}={g.Value.State}/{g.Value.Owner}/{g.Value.Next}/{g.Value.Failovers}/{g.Value.Generation}/"
             + string.Join(",", g.Value.Resources.OrderBy(k => k.Key, StringComparer.Ordinal).Select(r => $"{r.Key}:{r.Value.State}:{r.Value.StartFailures}:{r.Value.StopFailures}"))))
         + "|" + string.Join(";", s.Monitors.OrderBy(k => k.Key, StringComparer.Ordinal).Select(m => $"{m.Key}={m.Value.State}/{m.Value.Restarts}/{m.Value.Failovers}"));
}
