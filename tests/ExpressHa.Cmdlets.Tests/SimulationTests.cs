namespace ExpressHa.Cmdlets.Tests;

/// <summary>Test-HaClusterConfig -Simulate: the policy engine on an unapplied config, step by step.</summary>
public class SimulationTests
{
    const string Base = ErrorReportingTests.Base;

    const string WriteFile = """

        $f = [System.IO.Path]::Combine($TestDir, 'cluster.yaml')
        $c | Set-HaCluster -PingTarget 10.0.0.1 -PassThru |
            Add-HaResource -Group failover1 app exec -Start /opt/app/start.sh -PassThru | Export-HaClusterConfig -Path $f
        """;

    [Fact]
    public void A_lost_server_and_a_failed_resource_print_the_plans_in_order()
    {
        using var s = new PsSession();
        s.Run(Base + WriteFile).Ok();
        var steps = s.Run("$steps = Test-HaClusterConfig -Path $f -Simulate 'NodeLost server1', 'ResourceFailed failover1/app'; $steps.Count; $steps.Event").Ok().Output
            .Select(o => o.ToString()).ToList();
        Assert.Equal(new[] { "3", "ClusterStarted", "NodeLost server1", "ResourceFailed failover1/app" }, steps);

        var lost = s.Run("$steps[1].Actions").Ok().Output.Select(o => o.ToString()).ToList();
        Assert.Equal("server2: wait until server1 is fenced or confirmed down", lost[0]);
        Assert.Contains("server2: group failover1 online on server2", lost);
        Assert.Contains("failover1 online on server2", s.Run("$steps[1].Groups").Ok().Output.Select(o => o.ToString()));
        // The failure happens where the group runs after the loss.
        Assert.Contains(s.Run("$steps[2].Actions").Ok().Output.Select(o => o.ToString()), a => a.StartsWith("server2: ", StringComparison.Ordinal));

        var text = string.Concat(s.Run("$steps | Out-String -Width 80").Ok().Output.Select(o => o.ToString()));
        Assert.Contains("Step 2: NodeLost server1", text);
        Assert.Contains("assumed: server1 is fenced or confirmed down", text);
        Assert.All(text.Split('\n'), l => Assert.True(l.TrimEnd('\r').Length <= 80, l));
    }

    [Fact]
    public void The_config_object_works_too_and_nothing_is_written()
    {
        using var s = new PsSession();
        s.Run(Base + WriteFile).Ok();
        var before = File.ReadAllText(Path.Combine(s.TempDir, "cluster.yaml"));
        var groups = s.Run("(Import-HaClusterConfig -Path $f | Test-HaClusterConfig -Simulate 'GroupMove failover1 server2')[-1].Groups").Ok().Output.Select(o => o.ToString());
        Assert.Contains("failover1 online on server2", groups);
        Assert.Equal(before, File.ReadAllText(Path.Combine(s.TempDir, "cluster.yaml")));
    }

    [Fact]
    public void An_unknown_name_is_an_invalid_argument_listing_the_known_ones()
    {
        using var s = new PsSession();
        s.Run(Base + WriteFile).Ok();
        var r = s.Run("Test-HaClusterConfig -Path $f -Simulate 'NodeLost server9'");
        var e = r.Terminating?.ErrorRecord ?? Assert.Single(r.Errors);
        Assert.StartsWith("ExpressHa.InvalidArgument", e.FullyQualifiedErrorId);
        Assert.Contains("known: server1, server2", e.ToString());
    }

    [Fact]
    public void An_invalid_config_is_not_simulated()
    {
        using var s = new PsSession();
        s.Run(Base + WriteFile + "\nAdd-Content $f 'extraField: 1'").Ok();
        var r = s.Run("Test-HaClusterConfig -Path $f -Simulate 'NodeLost server1'");
        Assert.Empty(r.Output);
        Assert.StartsWith("ExpressHa.ConfigInvalid", Assert.Single(r.Errors).FullyQualifiedErrorId);
    }
}
