using ExpressHa.Policy;

namespace ExpressHa.Core.Tests;

/// <summary>The simulation: events as text through the one policy engine, each plan carried out on the state.</summary>
public class PolicySimulationTests
{
    [Fact]
    public void The_cluster_start_comes_first_and_a_lost_node_fails_its_groups_over_after_it_is_confirmed_down()
    {
        var steps = PolicySimulation.Run(TestUtil.Aws(), new[] { "NodeLost server1" });

        Assert.Equal(2, steps.Count);
        Assert.Equal("ClusterStarted", steps[0].EventText);
        Assert.Contains("failover1 online on server1", steps[0].Groups);
        Assert.Contains("failover2 online on server2", steps[0].Groups);

        var lost = steps[1];
        Assert.IsType<NodeLost>(lost.Event);
        Assert.Equal("server2: wait until server1 is fenced or confirmed down", lost.Plan.Actions[0].Describe());
        Assert.Contains(lost.Plan.Actions, a => a.Describe() == "server2: group failover1 online on server2");
        Assert.Contains("server1 is fenced or confirmed down (the plan waits for it)", lost.Assumptions);
        Assert.Contains("failover1 online on server2", lost.Groups);
        Assert.Contains("server1 lost, confirmed down", lost.Nodes);
    }

    [Fact]
    public void A_failed_resource_is_counted_before_the_decision_so_the_retry_rule_applies()
    {
        var steps = PolicySimulation.Run(TestUtil.Aws(), new[] { "ResourceFailed failover1/app", "ResourceFailed failover1/app", "ResourceFailed failover1/app" });

        // app allows one retry on the owner, then one failover.
        Assert.Contains(steps[1].Plan.Actions, a => a.Describe() == "server1: start failover1/app");
        Assert.DoesNotContain(steps[1].Plan.Actions, a => a is SetGroupState { Owner: "server2" });
        Assert.Contains(steps[2].Plan.Actions, a => a is SetGroupState { Owner: "server2", State: GroupState.Online });
        Assert.Contains("failover1 online on server2", steps[2].Groups);
        // The third failure happens on server2, the new owner.
        Assert.Equal("server2", ((ResourceStartFailed)steps[3].Event).Node);
    }

    [Fact]
    public void The_same_events_give_the_same_plans_as_the_engine_on_the_state_it_reached()
    {
        var config = TestUtil.Aws();
        var first = PolicySimulation.Run(config, new[] { "GroupMove failover1 server2", "MonitorFailed awsvipw1" });
        var second = PolicySimulation.Run(config, new[] { "GroupMove failover1 server2", "MonitorFailed awsvipw1" });
        Assert.Equal(first.Select(s => s.Plan.ToString()), second.Select(s => s.Plan.ToString()));
        Assert.Equal("server2", ((MonitorFailed)first[2].Event).Node); // the monitor reports where its group now runs
        Assert.Contains(first[2].Plan.Actions, a => a.Describe() == "server2: start failover1/awsvip1");
    }

    [Fact]
    public void A_refused_request_is_marked_and_changes_nothing()
    {
        var steps = PolicySimulation.Run(TestUtil.Aws(), new[] { "NodeLost server2", "NodeDownConfirmed server2", "GroupMove failover1 server2" });
        Assert.True(steps[3].Plan.Refused);
        Assert.Empty(steps[3].Plan.Actions);
        Assert.Equal(steps[2].Groups, steps[3].Groups);
    }

    [Theory]
    [InlineData("NodeLost server9", "server 'server9' is not in the config (known: server1, server2)")]
    [InlineData("ResourceFailed failover1/nope", "group failover1 has no resource 'nope'")]
    [InlineData("ResourceFailed app", "'app' is not GROUP/RESOURCE")]
    [InlineData("MonitorFailed nope", "monitor 'nope' is not in the config")]
    [InlineData("Explode server1", "'Explode' is not an event")]
    [InlineData("NodeLost", "NodeLost needs a server name")]
    public void Bad_events_are_clear_errors_that_list_the_forms(string text, string expected)
    {
        var e = Assert.Throws<FormatException>(() => PolicySimulation.Run(TestUtil.Aws(), new[] { text }));
        Assert.Contains(expected, e.Message);
        Assert.Contains("ResourceFailed GROUP/RESOURCE [NODE]", e.Message);
    }
}
