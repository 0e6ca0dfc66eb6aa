namespace ExpressHa.Cmdlets.Tests;

/// <summary>Add-HaMonitor starts from the type's defaults for a monitor with or without a target
/// (docs/monitor-defaults.md): a process monitor on an exec resource checks only while it is active.</summary>
public class MonitorDefaultsTests
{
    /// <summary>A cluster with an exec resource (app) and a mirror (md1).</summary>
    const string Cluster = "$c = Import-HaClusterConfig -Path (Join-Path $RepoRoot examples/onprem-floatip-mirror/onprem-floatip-mirror.yaml)";

    static string Settings(PsSession s, string monitor)
        => s.Run($"$m = Get-HaMonitor -InputObject $c {monitor}; '{{0}} {{1}}/{{2}}/{{3}} {{4}}' -f $m.Timing, $m.Recovery.Restarts, $m.Recovery.Failovers, $m.EffectiveRecoveryTarget, $m.OnApiFailure")
            .Ok().Single()!.ToString()!.TrimEnd();

    [Fact]
    public void A_monitor_bound_to_a_resource_gets_the_types_timing_and_restarts()
    {
        using var s = new PsSession();
        s.Run(Cluster + """

            $c | Add-HaMonitor apppidw process -Target app -Property @{ pidFile = '/run/app.pid' }
            $c | Add-HaMonitor apphttpw http -Target app -Property @{ url = 'http://127.0.0.1/' }
            $c | Add-HaMonitor scriptw custom -Target app -Property @{ script = '/opt/app/check.sh' }
            $c | Add-HaMonitor mdw2 mirror -Target md1
            """).Ok();
        Assert.Equal("active 3/1/app", Settings(s, "apppidw"));
        Assert.Equal("active 3/1/app", Settings(s, "apphttpw"));
        Assert.Equal("always 3/1/app", Settings(s, "scriptw"));
        Assert.Equal("always 0/0/md1", Settings(s, "mdw2"));
    }

    [Fact]
    public void A_monitor_without_a_target_runs_always_and_recovers_the_local_server()
    {
        using var s = new PsSession();
        s.Run(Cluster + """

            $c | Add-HaMonitor sshd process -Property @{ processName = 'sshd' }
            $c | Add-HaMonitor awsazw1 awsaz
            """).Ok();
        Assert.Equal("always 0/1/local", Settings(s, "sshd"));
        Assert.Equal("always 0/0/local warn", Settings(s, "awsazw1"));
    }
}
