using System.Management.Automation;

namespace ExpressHa.Cmdlets.Tests;

/// <summary>Bad input: terminating errors for bad arguments, one ErrorRecord per invalid object, stable ErrorIds, nothing written.</summary>
public class ErrorReportingTests
{
    /// <summary>Two nodes and a group failover1, in $c.</summary>
    internal const string Base = """
        $c = New-HaCluster -Name cluster |
            Add-HaNode -Name server1 -Address 10.0.110.10 -PassThru |
            Add-HaNode -Name server2 -Address 10.0.120.10 -PassThru |
            Add-HaGroup -Name failover1 -Server server1, server2 -PassThru
        """;

    [Fact]
    public void Unknown_type_is_a_terminating_error_with_a_suggestion()
    {
        using var s = new PsSession();
        s.Run(Base).Ok();
        var r = s.Run("try { $c | Add-HaResource -Group failover1 -Name x -Type awsvp -Property @{}; 'went on' } catch { $_ }").Ok();
        var e = Assert.IsType<System.Management.Automation.ErrorRecord>(r.Single());
        Assert.Equal("ExpressHa.UnknownType,ExpressHa.Cmdlets.AddHaResourceCommand", e.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, e.CategoryInfo.Category);
        Assert.Contains("did you mean 'awsvip'", e.Exception.Message);
    }

    [Fact]
    public void Vip_inside_the_vpc_is_refused_with_path_and_fix_and_the_config_is_untouched()
    {
        using var s = new PsSession();
        s.Run(Base).Ok();
        var r = s.Run("$c | Add-HaResource -Group failover1 -Name awsvip1 -Type awsvip -Property @{ ip = '10.0.3.4'; vpcId = 'vpc-1'; vpcCidr = '10.0.0.0/16' }");
        var e = Assert.Single(r.Errors);
        Assert.Equal("ExpressHa.ConfigInvalid,ExpressHa.Cmdlets.AddHaResourceCommand", e.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidData, e.CategoryInfo.Category);
        Assert.StartsWith("groups[0].resources[0].ip: 10.0.3.4 is inside VPC CIDR 10.0.0.0/16; an AWS virtual IP must be outside it", e.Exception.Message);
        Assert.Empty(s.Run("Get-HaResource -InputObject $c").Ok().Output);
        Assert.Empty(s.Run("Get-HaMonitor -InputObject $c").Ok().Output);
    }

    [Fact]
    public void Each_invalid_object_gets_its_own_error_and_the_valid_ones_go_through()
    {
        using var s = new PsSession();
        s.Run(Base).Ok();
        var r = s.Run("""
            'a', 'b', 'a', 'c' | ForEach-Object { $c | Add-HaResource -Group failover1 -Name $_ -Type exec -Property @{ start = '/bin/true' } }
            $c | Add-HaResource -Group nogroup -Name d -Type exec -Property @{ start = '/bin/true' }
            """);
        Assert.Null(r.Terminating);
        Assert.Equal(new[] { "ExpressHa.DuplicateName", "ExpressHa.GroupNotFound" }, r.Errors.Select(e => e.FullyQualifiedErrorId.Split(',')[0]));
        Assert.Equal(ErrorCategory.ObjectNotFound, r.Errors[1].CategoryInfo.Category);
        Assert.Equal(new[] { "a", "b", "c" }, s.Run("Get-HaResource -InputObject $c | ForEach-Object { $_.Name }").Ok().Output.Select(o => o.ToString()));
    }

    [Fact]
    public void Unknown_property_names_the_field_and_suggests_the_right_one()
    {
        using var s = new PsSession();
        s.Run(Base).Ok();
        var r = s.Run("$c | Add-HaResource -Group failover1 -Name dns1 -Type awsdns -Property @{ hostedZoneId = 'Z1'; recordname = 'app.example.com.' }");
        Assert.Contains(r.Errors, e => e.Exception.Message.Contains("groups[0].resources[0].recordname") && e.Exception.Message.Contains("did you mean 'recordName'"));
    }

    [Fact]
    public void Dns_name_without_trailing_dot_is_refused_in_a_file_and_the_file_is_unchanged()
    {
        using var s = new PsSession();
        s.Run(Base + """

            $f = [System.IO.Path]::Combine($TestDir, 'c.yaml')
            $c | Export-HaClusterConfig -Path $f
            $before = [System.IO.File]::ReadAllText($f)
            """).Ok();
        var r = s.Run("Add-HaResource -Path $f -Group failover1 -Name dns1 -Type awsdns -Property @{ hostedZoneId = 'Z1'; recordName = 'App.example.com' }");
        Assert.NotEmpty(r.Errors);
        Assert.All(r.Errors, e => Assert.StartsWith("ExpressHa.ConfigInvalid", e.FullyQualifiedErrorId));
        Assert.Contains(r.Errors, e => e.Exception.Message.Contains("groups[0].resources[0].recordName"));
        Assert.Equal(true, s.Run("$before -ceq [System.IO.File]::ReadAllText($f)").Ok().Single());
    }

    [Fact]
    public void Export_of_an_invalid_config_writes_nothing()
    {
        using var s = new PsSession();
        var r = s.Run("""
            $c = New-HaCluster -Name cluster | Add-HaNode -Name server1 -Address 10.0.110.10 -PassThru
            $c.Groups.Add([ExpressHa.Config.GroupConfig]@{ Name = 'g1'; Servers = [System.Collections.Generic.List[string]]@('server1', 'ghost') })
            $c | Export-HaClusterConfig -Path ([System.IO.Path]::Combine($TestDir, 'bad.yaml'))
            """);
        Assert.Contains(r.Errors, e => e.FullyQualifiedErrorId.StartsWith("ExpressHa.ConfigInvalid") && e.Exception.Message.Contains("groups[0].servers[1]"));
        Assert.False(File.Exists(Path.Combine(s.TempDir, "bad.yaml")));
    }

    [Fact]
    public void Malformed_yaml_reports_line_and_column()
    {
        using var s = new PsSession();
        File.WriteAllText(Path.Combine(s.TempDir, "broken.yaml"), "apiVersion: expressha/v1\ncluster:\n  name: c\n  heartbeat: { intervalMs: 1000\nnodes: []\n");
        var r = s.Run("Import-HaClusterConfig -Path ([System.IO.Path]::Combine($TestDir, 'broken.yaml'))");
        var e = Assert.Single(r.Errors);
        Assert.Equal("ExpressHa.ConfigParseError,ExpressHa.Cmdlets.ImportHaClusterConfigCommand", e.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ParserError, e.CategoryInfo.Category);
        Assert.Matches(@"line \d+, column \d+", e.Exception.Message);
        Assert.Empty(r.Output);
    }

    [Fact]
    public void Test_HaClusterConfig_returns_findings_with_positions_and_Quiet_returns_a_bool()
    {
        using var s = new PsSession();
        File.WriteAllText(Path.Combine(s.TempDir, "t.yaml"), """
            apiVersion: expressha/v1
            cluster: { name: c }
            nodes:
              - { name: server1, address: 10.0.110.10 }
            groups:
              - name: g1
                servers: [server1, server2]
                resources:
                  - { name: a, type: exec, start: x, dependsOn: [b] }
                  - { name: b, type: exec, start: y, dependsOn: [a] }
            monitors:
              - { name: m1, type: http, url: 'http://127.0.0.1/', intervalSeconds: 60, timeoutSeconds: 30 }
            """);
        var r = s.Run("Test-HaClusterConfig -Path ([System.IO.Path]::Combine($TestDir, 't.yaml'))").Ok();
        var codes = r.Output.Select(o => (string)o.Properties["Code"].Value).ToList();
        Assert.Contains("MissingReference", codes);
        Assert.Contains("DependencyCycle", codes);
        Assert.Contains("TimeoutNotAboveInterval", codes);
        var missing = r.Output.First(o => (string)o.Properties["Code"].Value == "MissingReference");
        Assert.Equal(7, missing.Properties["Line"].Value);
        Assert.Equal(false, s.Run("Test-HaClusterConfig -Path ([System.IO.Path]::Combine($TestDir, 't.yaml')) -Quiet").Ok().Single());
    }

    [Fact]
    public void Removing_a_node_a_group_uses_needs_Force()
    {
        using var s = new PsSession();
        s.Run(Base).Ok();
        var r = s.Run("$c | Remove-HaNode -Name server2");
        Assert.Equal("ExpressHa.ObjectInUse", Assert.Single(r.Errors).FullyQualifiedErrorId.Split(',')[0]);
        s.Run("$c | Remove-HaNode -Name server2 -Force").Ok();
        Assert.Equal(new[] { "server1" }, s.Run("(Get-HaGroup -InputObject $c failover1).Servers").Ok().Output.Select(o => o.ToString()));
    }

    [Fact]
    public void Removing_a_group_a_monitor_recovers_needs_Force_and_names_match_without_case()
    {
        using var s = new PsSession();
        s.Run(Base + """

            $c | Add-HaResource -Group failover1 -Name app -Type exec -Property @{ start = '/bin/true' }
            $c | Add-HaMonitor -Name pingw -Type ip -Property @{ targets = '10.0.0.1' } -RecoveryTarget failover1 -Failovers 1
            """).Ok();
        Assert.Equal("failover1", s.Run("(Get-HaGroup -InputObject $c FAILOVER1).Name").Ok().Single());
        var r = s.Run("$c | Remove-HaGroup -Name Failover1");
        Assert.Equal("ExpressHa.ObjectInUse", Assert.Single(r.Errors).FullyQualifiedErrorId.Split(',')[0]);
        Assert.Contains("pingw", r.Errors[0].Exception.Message);
        s.Run("$c | Remove-HaGroup -Name failover1 -Force").Ok();
        Assert.Equal(0, s.Run("$c.Monitors.Count + $c.Groups.Count").Ok().Single());
    }

    /// <summary>Scripts match on the ErrorIds: every id the cmdlets write is the shipped string, and the catalog's.</summary>
    [Fact]
    public void The_cmdlets_error_ids_are_the_shipped_strings_of_the_catalog()
    {
        using var s = new PsSession();
        var ids = s.Run("""
            'HaErrorIds', 'HaOperationErrorIds', 'HaMirrorErrorIds', 'GetHaAwsEnvironmentCommand' | ForEach-Object {
                $t = [ExpressHa.Cmdlets.HaErrorIds].Assembly.GetType("ExpressHa.Cmdlets.$_")
                $t.GetFields() | Where-Object IsLiteral | ForEach-Object { "$($t.Name).$($_.Name)=$($_.GetRawConstantValue())" }
            }
            """).Ok().Output.Select(o => o.ToString()!).ToList();
        var catalog = typeof(ExpressHa.Api.ErrorCodes).GetFields().Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToHashSet();
        foreach (var shipped in new[]
        {
            "HaErrorIds.ConfigInvalid=ExpressHa.ConfigInvalid", "HaErrorIds.ConfigParseError=ExpressHa.ConfigParseError",
            "HaErrorIds.ConfigFileNotFound=ExpressHa.ConfigFileNotFound", "HaErrorIds.ConfigFileExists=ExpressHa.ConfigFileExists",
            "HaErrorIds.ConfigWriteFailed=ExpressHa.ConfigWriteFailed", "HaErrorIds.UnknownType=ExpressHa.UnknownType",
            "HaErrorIds.InvalidArgument=ExpressHa.InvalidArgument", "HaErrorIds.DuplicateName=ExpressHa.DuplicateName",
            "HaErrorIds.NodeNotFound=ExpressHa.NodeNotFound", "HaErrorIds.GroupNotFound=ExpressHa.GroupNotFound",
            "HaErrorIds.ResourceNotFound=ExpressHa.ResourceNotFound", "HaErrorIds.MonitorNotFound=ExpressHa.MonitorNotFound",
            "HaErrorIds.ObjectInUse=ExpressHa.ObjectInUse",
            "HaOperationErrorIds.NotConnected=ExpressHa.NotConnected", "HaOperationErrorIds.ConnectionFailed=ExpressHa.ConnectionFailed",
            "HaOperationErrorIds.Unauthorized=ExpressHa.Unauthorized", "HaOperationErrorIds.CertificateNotTrusted=ExpressHa.CertificateNotTrusted",
            "HaOperationErrorIds.CertificateMismatch=ExpressHa.CertificateMismatch", "HaOperationErrorIds.ConfigRefused=ExpressHa.ConfigRefused",
            "HaOperationErrorIds.WrongCluster=ExpressHa.WrongCluster", "HaOperationErrorIds.WaitTimeout=ExpressHa.WaitTimeout",
            "HaOperationErrorIds.GroupFailed=ExpressHa.GroupFailed", "HaOperationErrorIds.FileExists=ExpressHa.FileExists",
            "HaOperationErrorIds.ArchiveWriteFailed=ExpressHa.ArchiveWriteFailed", "HaOperationErrorIds.DrillFailed=ExpressHa.DrillFailed",
            "HaOperationErrorIds.ReportWriteFailed=ExpressHa.ReportWriteFailed",
            "HaMirrorErrorIds.MirrorNotFound=ExpressHa.MirrorNotFound", "HaMirrorErrorIds.MirrorBackupFailed=ExpressHa.MirrorBackupFailed",
            "HaMirrorErrorIds.MirrorRestoreFailed=ExpressHa.MirrorRestoreFailed", "HaMirrorErrorIds.FileExists=ExpressHa.FileExists",
            "HaMirrorErrorIds.KeyWriteFailed=ExpressHa.KeyWriteFailed",
            "GetHaAwsEnvironmentCommand.ImdsUnavailableErrorId=ExpressHa.ImdsUnavailable",
        })
            Assert.Contains(shipped, ids);
        foreach (var id in ids) Assert.Contains(id[(id.IndexOf('=') + 1)..], catalog);
    }
}
