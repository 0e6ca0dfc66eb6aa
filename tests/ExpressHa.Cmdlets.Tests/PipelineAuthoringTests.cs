using System.Management.Automation;

namespace ExpressHa.Cmdlets.Tests;

/// <summary>Building a cluster in one pipeline and in a YAML file in place, as the README shows.</summary>
public class PipelineAuthoringTests
{
    const string TwoNodes = """
        $c = New-HaCluster -Name cluster |
            Add-HaNode -Name server1 -Address 10.0.110.10 -InstanceId i-0a1 -AvailabilityZone ap-northeast-1a -PassThru |
            Add-HaNode -Name server2 -Address 10.0.120.10 -InstanceId i-0b2 -AvailabilityZone ap-northeast-1b -PassThru |
            Add-HaGroup -Name failover1 -Server server1, server2 -PassThru
        """;

    [Fact]
    public void Pipeline_builds_the_whole_cluster_and_the_awsvip_generic_form_works()
    {
        using var s = new PsSession();
        s.Run(TwoNodes + """

            $c | Add-HaResource -Group failover1 -Name awsvip1 -Type awsvip -Property @{ ip = '10.1.0.20'; vpcId = 'vpc-1234abcd'; eni = @{ server1 = 'eni-aaa'; server2 = 'eni-bbb' } }
            """).Ok();
        var nodes = s.Run("$c.Nodes | ForEach-Object { $_.Name }").Ok().Output.Select(o => o.ToString());
        Assert.Equal(new[] { "server1", "server2" }, nodes);
        Assert.Equal("10.1.0.20", s.Run("(Get-HaResource -InputObject $c -Name awsvip1).Parameters['ip']").Ok().Single());
        Assert.Equal("eni-bbb", s.Run("(Get-HaResource -InputObject $c awsvip1).Parameters['eni']['server2']").Ok().Single());
        Assert.Equal("failover1", s.Run("(Get-HaResource -InputObject $c awsvip1).Group").Ok().Single());
    }

    [Fact]
    public void Aws_resources_add_their_monitor_unless_NoMonitor()
    {
        using var s = new PsSession();
        s.Run(TwoNodes + """

            $c | Add-HaResource -Group failover1 -Name awsvip1 -Type awsvip -Property @{ ip = '10.1.0.20'; vpcId = 'vpc-1234abcd' }
            $c | Add-HaResource -Group failover1 -Name awseip1 -Type awseip -Property @{ allocationId = 'eipalloc-01' }
            $c | Add-HaResource -Group failover1 -Name awssip1 -Type awssip -Property @{ ip = '10.0.110.100' }
            $c | Add-HaResource -Group failover1 -Name awsdns1 -Type awsdns -Property @{ hostedZoneId = 'Z0123'; recordName = 'app.example.com.' }
            $c | Add-HaResource -Group failover1 -Name exec1 -Type exec -Property @{ start = '/bin/true' }
            $c | Add-HaResource -Group failover1 -Name awsvip2 -Type awsvip -Property @{ ip = '10.1.0.21'; vpcId = 'vpc-1234abcd' } -NoMonitor
            """).Ok();
        var monitors = s.Run("Get-HaMonitor -InputObject $c | ForEach-Object { $_.Name + ':' + $_.Type + ':' + $_.Target + ':' + $_.OnApiFailure }").Ok()
            .Output.Select(o => o.ToString()).ToList();
        Assert.Equal(new[] { "awsvipw1:awsvip:awsvip1:recover", "awseipw1:awseip:awseip1:recover", "awssipw1:awssip:awssip1:recover", "awsdnsw1:awsdns:awsdns1:recover" }, monitors);
    }

    [Fact]
    public void Editing_a_file_in_place_keeps_it_valid_and_round_trips()
    {
        using var s = new PsSession();
        s.Run("""
            $f = [System.IO.Path]::Combine($TestDir, 'cluster.yaml')
            New-HaCluster -Name cluster -Path $f | Out-Null
            Add-HaNode -Path $f -Name server1 -Address 10.0.110.10
            Add-HaNode -Path $f -Name server2 -Address 10.0.120.10
            Add-HaGroup -Path $f -Name failover1 -Server server1, server2 -Failback auto
            Add-HaResource -Path $f -Group failover1 -Name app -Type exec -Property @{ start = '/opt/app/start.sh'; stop = '/opt/app/stop.sh' }
            Set-HaCluster -Path $f -PingTarget 10.0.0.1
            """).Ok();
        var yaml = File.ReadAllText(Path.Combine(s.TempDir, "cluster.yaml"));
        Assert.Contains("failback: auto", yaml);
        Assert.Contains("start: /opt/app/start.sh", yaml);
        Assert.Equal(true, s.Run("Test-HaClusterConfig -Path $f -Quiet").Ok().Single());
        s.Run("Import-HaClusterConfig -Path $f | Export-HaClusterConfig -Path ([System.IO.Path]::Combine($TestDir, 'again.yaml'))").Ok();
        Assert.Equal(yaml, File.ReadAllText(Path.Combine(s.TempDir, "again.yaml")));
    }

    [Fact]
    public void Set_and_Remove_change_what_Get_returns()
    {
        using var s = new PsSession();
        s.Run(TwoNodes + """

            $c | Add-HaResource -Group failover1 -Name vip -Type floatip -Property @{ ip = '192.168.0.100' }
            $c | Add-HaResource -Group failover1 -Name app -Type exec -Property @{ start = 'a'; workingDirectory = '/srv' } -DependsOn vip
            $c | Set-HaResource -Name app -Property @{ stop = 'b'; workingDirectory = $null } -ActivationRetries 2
            $c | Set-HaNode -Name server2 -Priority 5
            $c | Add-HaMonitor -Name ipw1 -Type ip -Property @{ targets = '10.0.0.1', '10.0.0.2' } -IntervalSeconds 10 -TimeoutSeconds 30
            """).Ok();
        Assert.Equal("b", s.Run("(Get-HaResource -InputObject $c app).Parameters['stop']").Ok().Single());
        Assert.Equal(false, s.Run("(Get-HaResource -InputObject $c app).Parameters.ContainsKey('workingDirectory')").Ok().Single());
        Assert.Equal(2, s.Run("(Get-HaResource -InputObject $c app).OnActivationFailure.Retries").Ok().Single());
        Assert.Equal(5, s.Run("(Get-HaNode -InputObject $c server2).Priority").Ok().Single());
        Assert.Equal(2, s.Run("(Get-HaMonitor -InputObject $c ipw1).Parameters['targets'].Count").Ok().Single());

        var inUse = s.Run("$c | Remove-HaResource -Name vip");
        Assert.Equal("ExpressHa.ObjectInUse,ExpressHa.Cmdlets.RemoveHaResourceCommand", Assert.Single(inUse.Errors).FullyQualifiedErrorId);
        s.Run("$c | Remove-HaResource -Name vip -Force; $c | Remove-HaMonitor -Name ipw1").Ok();
        Assert.Equal(new[] { "app" }, s.Run("Get-HaResource -InputObject $c | ForEach-Object { $_.Name }").Ok().Output.Select(o => o.ToString()));
        Assert.Empty(s.Run("Get-HaMonitor -InputObject $c").Ok().Output);
    }

    [Fact]
    public void Get_cmdlets_take_wildcards_and_report_plain_names_not_found()
    {
        using var s = new PsSession();
        s.Run(TwoNodes).Ok();
        Assert.Equal(2, s.Run("Get-HaNode -InputObject $c -Name server*").Ok().Output.Count);
        Assert.Empty(s.Run("Get-HaNode -InputObject $c -Name nothing*").Ok().Output);
        var r = s.Run("Get-HaNode -InputObject $c -Name server9");
        var e = Assert.Single(r.Errors);
        Assert.Equal("ExpressHa.NodeNotFound,ExpressHa.Cmdlets.GetHaNodeCommand", e.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, e.CategoryInfo.Category);
        Assert.Equal("cluster", s.Run("(Get-HaGroup -InputObject $c failover1).ClusterName").Ok().Single());
    }

    [Fact]
    public void Set_HaResource_merges_per_node_maps_and_roles_and_partition_timings_are_settable()
    {
        using var s = new PsSession();
        s.Run(TwoNodes + """

            $c | Add-HaResource -Group failover1 -Name awsvip1 -Type awsvip -Property @{ ip = '10.1.0.20'; vpcId = 'vpc-1'; eni = @{ server1 = 'eni-1'; server2 = 'eni-2' } }
            $c | Set-HaResource -Name awsvip1 -Property @{ eni = @{ server2 = 'eni-3' } }
            $c | Set-HaCluster -PingTarget 10.0.0.1 -PingTimeoutMs 5000 -PingIntervalMs 2000
            $d = New-HaCluster -Name d -Interconnect lan1, mdc1 -InterconnectRole @{ mdc1 = 'mirror' }
            """).Ok();
        Assert.Equal("{server1=eni-1, server2=eni-3}", s.Run("(Get-HaResource -InputObject $c awsvip1).Parameters.ToString()").Ok().Single()!.ToString()!.Split("eni=")[1].Split(';')[0]);
        Assert.Equal(5000, s.Run("$c.Cluster.PartitionResolution.Ping.TimeoutMs").Ok().Single());
        Assert.Equal("mirror", s.Run("$d.Cluster.Interconnects[1].Role").Ok().Single());
        var bad = s.Run("try { $c | Set-HaCluster -WitnessTimeoutMs 100 } catch { $_.FullyQualifiedErrorId }").Ok();
        Assert.StartsWith("ExpressHa.InvalidArgument", bad.Single()!.ToString());
    }

    [Fact]
    public void Export_says_so_when_nothing_reached_it()
    {
        using var s = new PsSession();
        var r = s.Run("New-HaCluster -Name c1 | Add-HaNode -Name server1 -Address 10.0.110.10 | Export-HaClusterConfig -Path ([System.IO.Path]::Combine($TestDir, 'x.yaml'))");
        var e = Assert.Single(r.Errors);
        Assert.Contains("-PassThru", e.Exception.Message);
        Assert.False(File.Exists(Path.Combine(s.TempDir, "x.yaml")));
    }
}
