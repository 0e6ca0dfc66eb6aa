using System.Management.Automation;

namespace ExpressHa.Cmdlets.Tests;

/// <summary>The type-specific parameters of Add-/Set-HaResource and Add-/Set-HaMonitor as dynamic parameters: binding,
/// per-node values, completion, conversion errors, the collision rule, and -WhatIf.</summary>
public class TypedParameterTests
{
    const string Base = ErrorReportingTests.Base;

    static List<string> Complete(PsSession s, string line)
    {
        s.Run("$line = @'\n" + line + "\n'@").Ok();
        return s.Run("(TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches | ForEach-Object { $_.CompletionText }")
            .Ok().Output.Select(o => o.ToString()).ToList();
    }

    static ErrorRecord Failure(PsResult r) => r.Terminating?.ErrorRecord ?? Assert.Single(r.Errors);

    [Fact]
    public void Typed_parameters_bind_with_their_schema_kinds_and_a_scalar_per_node_value_stays_single()
    {
        using var s = new PsSession();
        s.Run(Base + """

            $c | Add-HaResource awsvip1 awsvip -Group failover1 -Ip 10.1.0.20 -VpcId vpc-1234abcd -Eni @{ server1 = 'eni-aaa'; server2 = 'eni-bbb' } -Interface ens5 -TimeoutSeconds 50
            $c | Add-HaResource fip floatip -Group failover1 -Ip 192.168.0.100 -PingCheck $false -ArpCount 5
            $p = (Get-HaResource -InputObject $c awsvip1).Parameters
            $f = (Get-HaResource -InputObject $c fip).Parameters
            """).Ok();
        Assert.Equal("10.1.0.20", s.Run("$p['ip']").Ok().Single());
        Assert.Equal("eni-bbb", s.Run("$p['eni']['server2']").Ok().Single());
        Assert.Equal("ens5", s.Run("$p['interface']").Ok().Single());
        Assert.Equal(50L, s.Run("$p['timeoutSeconds']").Ok().Single());
        Assert.Equal(false, s.Run("$f['pingCheck']").Ok().Single());
        Assert.Equal(5L, s.Run("$f['arpCount']").Ok().Single());
        Assert.Equal("awsvipw1", s.Run("(Get-HaMonitor -InputObject $c -Target awsvip1).Name").Ok().Single());
    }

    [Fact]
    public void Typed_parameters_edit_a_file_and_a_scalar_is_written_as_given()
    {
        using var s = new PsSession();
        s.Run(Base + """

            $f = [System.IO.Path]::Combine($TestDir, 'cluster.yaml')
            $c | Set-HaCluster -PingTarget 10.0.0.1 -PassThru | Export-HaClusterConfig -Path $f
            Add-HaResource -Path $f -Group failover1 app exec -Start /opt/app/start.sh -Stop @{ server1 = '/opt/app/stop.sh'; server2 = '/usr/local/bin/stop-app' }
            Add-HaMonitor -Path $f appw process -Target app -PidFile /run/app.pid
            """).Ok();
        var yaml = File.ReadAllText(Path.Combine(s.TempDir, "cluster.yaml"));
        Assert.Contains("\n    start: /opt/app/start.sh\n    stop:\n      server1: /opt/app/stop.sh\n      server2: /usr/local/bin/stop-app\n", yaml);
        Assert.Contains("\n  pidFile: /run/app.pid\n", yaml);
        Assert.Equal(true, s.Run("Test-HaClusterConfig -Path $f -Quiet").Ok().Single());
    }

    [Fact]
    public void Nic_and_disk_monitors_take_their_interface_and_device_per_node_and_validate()
    {
        using var s = new PsSession();
        s.Run(Base + """

            $c | Add-HaMonitor lanw nic -Interface @{ server1 = 'eth0'; server2 = 'ens5' } -RecoveryTarget failover1
            $c | Add-HaMonitor diskw disk -Device /dev/sdb1 -IoSizeBytes 8192 -Direct $false
            $n = Get-HaMonitor -InputObject $c lanw
            $d = Get-HaMonitor -InputObject $c diskw
            """).Ok();
        Assert.Equal("ens5", s.Run("$n.Parameters['interface']['server2']").Ok().Single());
        Assert.Equal("failover1", s.Run("$n.Recovery.Target").Ok().Single());
        Assert.Equal(3, s.Run("$n.Retry").Ok().Single());
        Assert.Equal("/dev/sdb1", s.Run("$d.Parameters['device']").Ok().Single());
        Assert.Equal(8192L, s.Run("$d.Parameters['ioSizeBytes']").Ok().Single());
        Assert.Equal(false, s.Run("$d.Parameters['direct']").Ok().Single());
        Assert.Equal(true, s.Run("Test-HaClusterConfig -InputObject $c -Quiet").Ok().Single());

        var missing = s.Run("$c | Add-HaMonitor w2 nic -Property @{}");
        Assert.Contains("interface", Failure(missing).ToString());
        var small = s.Run("$c | Add-HaMonitor w3 disk -Device /dev/sdc -IoSizeBytes 100");
        Assert.Contains("ioSizeBytes", Failure(small).ToString());
    }

    [Fact]
    public void Property_and_typed_parameters_combine_and_a_key_given_twice_is_an_error_naming_it()
    {
        using var s = new PsSession();
        s.Run(Base + "\n$c | Add-HaResource app exec -Group failover1 -Start /bin/true -Property @{ stop = '/bin/false' }").Ok();
        Assert.Equal("/bin/false", s.Run("(Get-HaResource -InputObject $c app).Parameters['stop']").Ok().Single());

        var r = s.Run("$c | Add-HaResource app2 exec -Group failover1 -Start /bin/true -Property @{ Start = '/bin/false' }");
        var e = Failure(r);
        Assert.Equal("ExpressHa.InvalidArgument", e.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Equal("-Start: start is given twice, as -Start and as the -Property key 'Start'; give it once.", e.Exception.Message);
        Assert.Null(s.Run("Get-HaResource -InputObject $c app2 -ErrorAction SilentlyContinue").Output.FirstOrDefault());
    }

    [Fact]
    public void Required_schema_parameters_are_mandatory_unless_Property_is_given()
    {
        using var s = new PsSession();
        s.Run(Base).Ok();
        var missing = Failure(s.Run("$c | Add-HaResource app exec -Group failover1"));
        Assert.StartsWith("MissingMandatoryParameter", missing.FullyQualifiedErrorId);
        Assert.Contains("Start", missing.Exception.Message);

        // With -Property the schema, not the binder, names what is missing.
        var invalid = Failure(s.Run("$c | Add-HaResource app exec -Group failover1 -Property @{ stop = '/bin/false' }"));
        Assert.Equal("ExpressHa.ConfigInvalid", invalid.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Contains("exec needs start", invalid.Exception.Message);
    }

    [Fact]
    public void Conversion_errors_name_the_parameter()
    {
        using var s = new PsSession();
        s.Run(Base).Ok();
        var notNumber = Failure(s.Run("$c | Add-HaResource fip floatip -Group failover1 -Ip 192.168.0.100 -ArpCount lots"));
        Assert.StartsWith("CannotConvertArgumentNoMessage,ExpressHa.Cmdlets.AddHaResourceCommand", notNumber.FullyQualifiedErrorId);
        Assert.Contains("ArpCount", notNumber.Exception.Message);

        var badAddress = Failure(s.Run("$c | Add-HaResource fip floatip -Group failover1 -Ip 192.168.0.300"));
        Assert.Equal("ExpressHa.ConfigInvalid", badAddress.FullyQualifiedErrorId.Split(',')[0]);
        Assert.StartsWith("groups[0].resources[0].ip: '192.168.0.300' is not an IPv4 address; use dotted form", badAddress.Exception.Message);

        var outOfRange = Failure(s.Run("$c | Add-HaResource fip floatip -Group failover1 -Ip 192.168.0.100 -ArpCount 500"));
        Assert.Contains("arpCount: 500 is out of range; use a value from 0 to 100", outOfRange.Exception.Message);
        Assert.Empty(s.Run("Get-HaResource -InputObject $c").Ok().Output);
    }

    [Fact]
    public void Completion_offers_the_parameters_of_the_bound_type()
    {
        using var s = new PsSession();
        var vip = Complete(s, "Add-HaResource -Type awsvip -V");
        Assert.Contains("-VpcId", vip);
        Assert.Contains("-VpcCidr", vip);
        var exec = Complete(s, "Add-HaResource app exec -S");
        Assert.Contains("-Start", exec);
        Assert.Contains("-StopTimeoutSeconds", exec);
        Assert.DoesNotContain("-SizeMiB", exec);
        Assert.Equal(new[] { "-PidFile", "-ProcessName" }, Complete(s, "Add-HaMonitor w -Type process -P").Where(c => c is "-PidFile" or "-ProcessName").OrderBy(x => x));
        Assert.DoesNotContain("-VpcId", Complete(s, "Add-HaResource -Type exec -V"));
    }

    [Fact]
    public void Set_learns_the_type_from_the_file_or_object_named_on_the_command_line()
    {
        using var s = new PsSession();
        s.Run(Base + """

            $c | Add-HaResource vip awsvip -Group failover1 -Ip 10.1.0.20 -VpcId vpc-1234abcd -NoMonitor
            $f = [System.IO.Path]::Combine($TestDir, 'cluster.yaml')
            $c | Export-HaClusterConfig -Path $f
            """).Ok();
        var fromFile = Complete(s, $"Set-HaResource -Path {Path.Combine(s.TempDir, "cluster.yaml")} vip -I");
        Assert.Contains("-Ip", fromFile);
        Assert.Contains("-Interface", fromFile);
        Assert.DoesNotContain("-InsyncTries", fromFile);
        var fromObject = Complete(s, "Set-HaResource -InputObject $c vip -I");
        Assert.Contains("-Interface", fromObject);
        Assert.DoesNotContain("-InsyncTries", fromObject);
        // Piped: the type is not known while binding, so every resource type's parameters are offered.
        Assert.Contains("-InsyncTries", Complete(s, "$c | Set-HaResource vip -I"));

        s.Run("Set-HaResource -Path $f vip -Eni @{ server1 = 'eni-aaa'; server2 = 'eni-bbb' }").Ok();
        Assert.Contains("\n    eni:\n      server1: eni-aaa\n      server2: eni-bbb\n", File.ReadAllText(Path.Combine(s.TempDir, "cluster.yaml")));
    }

    [Fact]
    public void Set_on_a_piped_config_checks_the_parameters_against_the_real_type_and_merges_per_node_maps()
    {
        using var s = new PsSession();
        s.Run(Base + """

            $c | Add-HaResource vip awsvip -Group failover1 -Ip 10.1.0.20 -VpcId vpc-1234abcd -Eni @{ server1 = 'eni-aaa'; server2 = 'eni-bbb' }
            $c | Add-HaResource app exec -Group failover1 -Start /bin/true
            $c | Set-HaResource vip -Eni @{ server2 = 'eni-ccc' }
            $c | Set-HaResource app -Stop /bin/false -WorkingDirectory @{ server1 = '/srv/a'; server2 = '/srv/b' }
            """).Ok();
        Assert.Equal("eni-aaa", s.Run("(Get-HaResource -InputObject $c vip).Parameters['eni']['server1']").Ok().Single());
        Assert.Equal("eni-ccc", s.Run("(Get-HaResource -InputObject $c vip).Parameters['eni']['server2']").Ok().Single());
        Assert.Equal("/srv/b", s.Run("(Get-HaResource -InputObject $c app).Parameters['workingDirectory']['server2']").Ok().Single());

        var wrong = Failure(s.Run("$c | Set-HaResource app -Ip 10.1.0.21"));
        Assert.Equal("ExpressHa.InvalidArgument", wrong.FullyQualifiedErrorId.Split(',')[0]);
        Assert.StartsWith("-Ip: exec resource 'app' has no parameter ip; its parameters are: start, stop,", wrong.Exception.Message);

        var hint = Failure(s.Run("$c | Set-HaResource app -Type awsvip -Ip 10.1.0.21"));
        Assert.Equal("ExpressHa.InvalidArgument", hint.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Contains("resource 'app' is of type exec, not awsvip", hint.Exception.Message);

        var narrowed = Failure(s.Run("$c | Set-HaResource app -Type exec -Ip 10.1.0.21"));
        Assert.StartsWith("NamedParameterNotFound", narrowed.FullyQualifiedErrorId);

        s.Run("$c | Set-HaMonitor vipw -IntervalSeconds 30").Ok();
        Assert.Equal(30, s.Run("(Get-HaMonitor -InputObject $c vipw).IntervalSeconds").Ok().Single());
        s.Run("$c | Add-HaMonitor web http -Target app -Url http://127.0.0.1/health; $c | Set-HaMonitor web -ExpectedStatus 204").Ok();
        Assert.Equal(204L, s.Run("(Get-HaMonitor -InputObject $c web).Parameters['expectedStatus']").Ok().Single());
    }

    [Fact]
    public void WhatIf_with_typed_parameters_changes_neither_the_object_nor_the_file()
    {
        using var s = new PsSession();
        s.Run(Base + """

            $f = [System.IO.Path]::Combine($TestDir, 'cluster.yaml')
            $c | Export-HaClusterConfig -Path $f
            """).Ok();
        var before = File.ReadAllBytes(Path.Combine(s.TempDir, "cluster.yaml"));
        s.Run("""
            Add-HaResource -Path $f vip awsvip -Group failover1 -Ip 10.1.0.20 -VpcId vpc-1234abcd -WhatIf
            $c | Add-HaResource vip awsvip -Group failover1 -Ip 10.1.0.20 -VpcId vpc-1234abcd -WhatIf
            """).Ok();
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(s.TempDir, "cluster.yaml")));
        Assert.Empty(s.Run("Get-HaResource -InputObject $c").Ok().Output);
        Assert.Empty(s.Run("Get-HaMonitor -InputObject $c").Ok().Output);
    }

    [Fact]
    public void A_partial_per_node_map_is_a_warning_on_the_edit_and_in_Test_HaClusterConfig()
    {
        using var s = new PsSession();
        var r = s.Run(Base + "\n$c | Add-HaResource fip floatip -Group failover1 -Ip 192.168.0.100 -Interface @{ server1 = 'eth0' }").Ok();
        Assert.Contains(r.Warnings, w => w.StartsWith("groups[0].resources[0].interface.server2: interface has no value for node 'server2'"));
        var finding = s.Run("Test-HaClusterConfig -InputObject $c | Where-Object Code -eq MissingPerNodeValue").Ok().Single();
        Assert.Equal("Warning", ((dynamic)finding!).Severity.ToString());
        Assert.Equal("groups[0].resources[0].interface.server2", ((dynamic)finding).Path);
    }

    [Fact]
    public void A_schema_name_the_cmdlet_already_uses_gets_the_Param_prefix()
    {
        using var s = new PsSession();
        var names = s.Run("""
            $specs = [ExpressHa.Schema.ParameterSpec[]]@(
                [ExpressHa.Schema.ParameterSpec]::new('name', 'String', 'A name.'),
                [ExpressHa.Schema.ParameterSpec]::new('path', 'String', 'A path.'),
                [ExpressHa.Schema.ParameterSpec]::new('filePath', 'String', 'An alias of -Path.'),
                [ExpressHa.Schema.ParameterSpec]::new('verbose', 'Bool', 'A common parameter.'),
                [ExpressHa.Schema.ParameterSpec]::new('ea', 'String', 'A common alias.'),
                [ExpressHa.Schema.ParameterSpec]::new('mode', 'String', 'Free.'))
            $specs[5].AllowedValues = 'fast', 'safe'
            $specs[5].Required = $true
            $p = [ExpressHa.Cmdlets.TypeParameters]::For([ExpressHa.Cmdlets.AddHaResourceCommand], $specs, $true).Parameters
            $p.Keys | Sort-Object
            """).Ok().Output.Select(o => o.ToString());
        Assert.Equal(new[] { "Mode", "ParamEa", "ParamFilePath", "ParamName", "ParamPath", "ParamVerbose" }, names);
        var mode = s.Run("""
            $a = $p['Mode'].Attributes
            ($a | Where-Object { $_ -is [System.Management.Automation.ValidateSetAttribute] }).ValidValues -join ','
            ($a | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] }).Mandatory
            ($a | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] }).HelpMessage
            $p['ParamVerbose'].ParameterType.FullName
            """).Ok().Output.Select(o => o.ToString()).ToList();
        Assert.Equal(new[] { "fast,safe", "True", "Free.", "System.Boolean" }, mode);
    }
}
