using System.Diagnostics;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using ExpressHa.Api;
using ExpressHa.Service.Api;
using ExpressHa.Service.Tests.Api;

namespace ExpressHa.Cmdlets.Tests;

/// <summary>The operating cmdlets against a real ManagementApi on 127.0.0.1 with a fake node behind it (the fake
/// records every call, so -WhatIf can be shown to send nothing). The end-to-end runs with real nodes are the service's.</summary>
public sealed class OperationsTests : IAsyncLifetime
{
    const string Token = "operations-test-token-0123456789";
    readonly string _stateDir = Directory.CreateTempSubdirectory("expressha-ops-").FullName;
    ManagementApi _api = null!;
    readonly FakeClusterControl _fake = new() { TransitionMs = 800 };

    public async Task InitializeAsync()
        => _api = await ManagementApi.StartAsync(new ApiOptions { Port = 0, Token = Token, Tls = false, StateDir = _stateDir }, _fake);

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        try { Directory.Delete(_stateDir, true); } catch (IOException) { }
    }

    string Endpoint => _api.BaseAddress.ToString();

    PsSession Connected()
    {
        var s = new PsSession();
        File.WriteAllText(Path.Combine(s.TempDir, "api.token"), Token + "\n");
        s.Run($"Connect-HaCluster -Endpoint '{Endpoint}' -TokenFile (Join-Path $TestDir api.token)").Ok();
        return s;
    }

    IEnumerable<string> OperationCalls => _fake.Calls.Where(c => c != "status" && c != "alerts" && c != "push-dry");

    static string Show(PsSession s, string cmd) => string.Concat(s.Run(cmd + " | Out-String -Width 200").Ok().Output.Select(o => o.ToString()));

    [Fact]
    public void Connect_with_a_token_file_then_status_at_a_glance()
    {
        using var s = Connected();
        var conn = s.Run("Connect-HaCluster -Endpoint '" + Endpoint + "' -TokenFile (Join-Path $TestDir api.token) -PassThru").Ok().Single();
        Assert.Equal("ExpressHa.Cmdlets.HaConnection", conn!.GetType().FullName);
        Assert.Equal("fake", P(conn, "ClusterName"));
        Assert.DoesNotContain(Token, Show(s, "Connect-HaCluster -Endpoint '" + Endpoint + "' -TokenFile (Join-Path $TestDir api.token) -PassThru | Format-List *"));

        var text = Show(s, "Get-HaClusterStatus");
        Assert.Contains("Cluster : fake", text);
        Assert.Matches(@"server1 \* \.+ online\s+priority 0", text);
        Assert.Matches(@"lan1\s+127\.0\.0\.2\s+up\s+0\.4 s ago", text);
        Assert.Matches(@"failover1 \.+ online\s+on server1", text);
        Assert.Matches(@"app\s+exec\s+online", text);
        Assert.Matches(@"failover2 \.+ offline", text);
        Assert.Matches(@"userw \.+ normal\s+userw", text);

        Assert.Equal(2, s.Run("(Get-HaClusterStatus).Nodes.Count").Ok().Single());
        Assert.Equal("failover1", s.Run("((Get-HaClusterStatus).Resources | Where-Object Name -eq app).Group").Ok().Single());
    }

    [Fact]
    public void Token_as_secure_string_and_a_wrong_token()
    {
        using var s = new PsSession();
        s.Run($"Connect-HaCluster -Endpoint '{Endpoint}' -Token (ConvertTo-SecureString '{Token}' -AsPlainText -Force)").Ok();
        Assert.Equal("fake", s.Run("(Get-HaClusterStatus).ClusterName").Ok().Single());

        var bad = Failure(s.Run($"Connect-HaCluster -Endpoint '{Endpoint}' -Token (ConvertTo-SecureString 'wrong-token' -AsPlainText -Force)"));
        Assert.Equal("ExpressHa.Unauthorized,ExpressHa.Cmdlets.ConnectHaClusterCommand", bad.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.AuthenticationError, bad.CategoryInfo.Category);
        // the failed attempt did not replace the working connection
        Assert.Equal("fake", s.Run("(Get-HaClusterStatus).ClusterName").Ok().Single());
    }

    [Fact]
    public void Not_connected_tells_to_run_Connect_HaCluster()
    {
        using var s = new PsSession();
        foreach (var cmd in new[] { "Get-HaClusterStatus", "Get-HaGroup", "Move-HaGroup failover1", "Get-HaAlertLog", "Stop-HaCluster -Confirm:$false" })
        {
            var record = Failure(s.Run(cmd));
            Assert.StartsWith("ExpressHa.NotConnected", record.FullyQualifiedErrorId);
            Assert.Contains("Connect-HaCluster", record.ToString());
        }
        using var other = Connected();
        other.Run("Disconnect-HaCluster").Ok();
        Assert.StartsWith("ExpressHa.NotConnected", Failure(other.Run("Get-HaClusterStatus")).FullyQualifiedErrorId);
    }

    [Fact]
    public async Task Https_without_a_fingerprint_is_refused_and_shows_the_fingerprint()
    {
        var dir = Directory.CreateTempSubdirectory("expressha-ops-tls-").FullName;
        await using var tls = await ManagementApi.StartAsync(new ApiOptions { Port = 0, Token = Token, Tls = true, StateDir = dir }, new FakeClusterControl());
        using var s = new PsSession();
        File.WriteAllText(Path.Combine(s.TempDir, "api.token"), Token);
        var r = Failure(s.Run($"Connect-HaCluster -Endpoint '{tls.BaseAddress}' -TokenFile (Join-Path $TestDir api.token)"));
        Assert.StartsWith("ExpressHa.CertificateNotTrusted", r.FullyQualifiedErrorId);
        Assert.Contains(tls.CertificateFingerprint!, r.ToString());
        Assert.Contains("-CertificateFingerprint", r.ToString());

        var wrong = s.Run($"Connect-HaCluster -Endpoint '{tls.BaseAddress}' -TokenFile (Join-Path $TestDir api.token) -CertificateFingerprint {new string('0', 64)}");
        Assert.StartsWith("ExpressHa.CertificateMismatch", Failure(wrong).FullyQualifiedErrorId);

        var colons = string.Join(":", Enumerable.Range(0, 32).Select(i => tls.CertificateFingerprint!.Substring(i * 2, 2).ToLowerInvariant()));
        s.Run($"Connect-HaCluster -Endpoint '{tls.BaseAddress}' -TokenFile (Join-Path $TestDir api.token) -CertificateFingerprint '{colons}'").Ok();
        Assert.Equal("fake", s.Run("(Get-HaClusterStatus).ClusterName").Ok().Single());

        var clear = Failure(s.Run("Connect-HaCluster -Endpoint http://10.1.2.3:29003 -TokenFile (Join-Path $TestDir api.token)"));
        Assert.StartsWith("ExpressHa.InvalidArgument", clear.FullyQualifiedErrorId);
        Assert.Contains("loopback", clear.ToString());
        try { Directory.Delete(dir, true); } catch (IOException) { }
    }

    [Fact]
    public void Live_Get_cmdlets_return_status_objects_and_not_found_errors()
    {
        using var s = Connected();
        var groups = s.Run("Get-HaGroup").Ok().Output;
        Assert.Equal(new[] { "failover1", "failover2" }, groups.Select(g => P(g, "Name")));
        Assert.All(groups, g => Assert.Equal("fake", P(g, "ClusterName")));
        Assert.All(groups, g => Assert.Equal("ExpressHa.Cmdlets.HaGroupStatus", g.BaseObject.GetType().FullName));
        Assert.Matches(@"failover1\s+online\s+server1\s+app=online", Show(s, "Get-HaGroup failover1"));
        Assert.Matches(@"ClusterName\s+: fake", Show(s, "Get-HaGroup failover1 | Format-List"));
        Assert.Equal("server2", s.Run("(Get-HaNode server2).Name").Ok().Single());
        Assert.Matches(@"server2\s+online\s+1\s+lan1 127\.0\.0\.2 up", Show(s, "Get-HaNode server*"));
        Assert.Equal("failover2", s.Run("(Get-HaResource web).Group").Ok().Single());
        Assert.Empty(s.Run("Get-HaResource -Group failover1 -Type floatip").Ok().Output);
        Assert.Equal("normal", s.Run("(Get-HaMonitor -Type userw).State").Ok().Single());

        var nf = s.Run("Get-HaGroup nope, failover2");
        Assert.Single(nf.Output);
        var e = Assert.Single(nf.Errors);
        Assert.StartsWith("ExpressHa.GroupNotFound", e.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, e.CategoryInfo.Category);
        Assert.StartsWith("ExpressHa.NodeNotFound", Assert.Single(s.Run("Get-HaNode server9").Errors).FullyQualifiedErrorId);
        Assert.StartsWith("ExpressHa.GroupNotFound", Assert.Single(s.Run("Get-HaResource -Group nope").Errors).FullyQualifiedErrorId);

        // the config sets still work, from the pipeline too
        s.Run("$c = New-HaCluster -Name offline | Add-HaNode -Name n1 -Address 10.0.0.1 -PassThru | Add-HaGroup -Name g1 -PassThru").Ok();
        Assert.Equal("g1", s.Run("($c | Get-HaGroup).Name").Ok().Single());
        Assert.Equal("g1", s.Run("(Get-HaGroup -InputObject $c g1).Name").Ok().Single());
    }

    [Fact]
    public void Move_binds_from_Get_HaGroup_and_from_objects_rebuilt_from_json()
    {
        using var s = Connected();
        var moved = s.Run("Get-HaGroup failover1 | Move-HaGroup -Node server2").Ok().Single()!;
        Assert.Equal("failover1", P(moved, "Name"));
        Assert.Contains("move failover1 server2", _fake.Calls);

        s.Run("Start-Sleep -Milliseconds 900").Ok();
        s.Run("Get-HaGroup failover1 | ConvertTo-Json -Depth 4 | ConvertFrom-Json | Move-HaGroup -Node server1").Ok();
        Assert.Contains("move failover1 server1", _fake.Calls);

        var wrong = s.Run("[pscustomobject]@{ Name = 'failover2'; ClusterName = 'another' } | Start-HaGroup");
        Assert.StartsWith("ExpressHa.WrongCluster", Assert.Single(wrong.Errors).FullyQualifiedErrorId);
        Assert.DoesNotContain("start failover2", _fake.Calls);
    }

    [Fact]
    public void WhatIf_sends_nothing()
    {
        using var s = Connected();
        s.Run("""
            Move-HaGroup failover1 -Node server2 -WhatIf
            Get-HaGroup | Stop-HaGroup -WhatIf
            Start-HaGroup failover2 -WhatIf
            Suspend-HaNode server2 -WhatIf
            Resume-HaNode server2 -WhatIf
            Suspend-HaMonitor userw -WhatIf
            Resume-HaMonitor userw -WhatIf
            Start-HaCluster -WhatIf
            Stop-HaCluster -WhatIf
            """).Ok();
        Assert.Empty(OperationCalls);
        Assert.Empty(s.Run("Move-HaGroup failover1 -Node server2 -WhatIf").Ok().Output);
    }

    [Fact]
    public void Node_monitor_and_cluster_operations_reach_the_node()
    {
        using var s = Connected();
        s.Run("""
            Suspend-HaNode server2
            Resume-HaNode server2
            Get-HaMonitor userw | Suspend-HaMonitor
            Resume-HaMonitor userw
            Start-HaCluster
            Stop-HaCluster -Confirm:$false
            """).Ok();
        Assert.Equal(new[] { "suspend-node server2", "resume-node server2", "suspend-monitor userw", "resume-monitor userw", "start-cluster", "stop-cluster" },
            OperationCalls);
        Assert.Equal("server2", s.Run("(Suspend-HaNode server2 -PassThru).Name").Ok().Single());

        var nf = s.Run("Suspend-HaMonitor nope; Resume-HaNode server9");
        Assert.Equal(new[] { "ExpressHa.MonitorNotFound", "ExpressHa.NodeNotFound" }, nf.Errors.Select(e => e.FullyQualifiedErrorId.Split(',')[0]));
        Assert.All(nf.Errors, e => Assert.Equal(ErrorCategory.ObjectNotFound, e.CategoryInfo.Category));
        var group = s.Run("Stop-HaGroup nope -Confirm:$false");
        Assert.StartsWith("ExpressHa.GroupNotFound", Assert.Single(group.Errors).FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, group.Errors[0].CategoryInfo.Category);
        var conflict = s.Run("Start-HaGroup failover1");
        Assert.StartsWith("ExpressHa.GroupAlreadyOnline", Assert.Single(conflict.Errors).FullyQualifiedErrorId);
    }

    [Fact]
    public void Wait_polls_with_progress_until_the_group_is_there()
    {
        using var s = Connected();
        var (output, progress, errors) = RunWithStreams(s, "Move-HaGroup failover1 -Node server2 -Wait");
        Assert.Empty(errors);
        var g = Assert.Single(output);
        Assert.Equal("online", P(g, "State"));
        Assert.Equal("server2", P(g, "Owner"));
        Assert.Contains(progress, p => p.Activity.Contains("Moving group 'failover1' to server2") && p.StatusDescription.StartsWith("stopping on server1"));
        Assert.Equal(ProgressRecordType.Completed, progress.Last().RecordType);

        var stopped = s.Run("Stop-HaGroup failover1 -Wait -Confirm:$false").Ok().Single()!;
        Assert.Equal("offline", P(stopped, "State"));
        var started = s.Run("Start-HaGroup failover1 -Node server1 -Wait").Ok().Single()!;
        Assert.Equal(("online", "server1"), (P(started, "State"), P(started, "Owner")));

        _fake.TransitionMs = 60_000;
        var timeout = s.Run("Move-HaGroup failover1 -Wait -TimeoutSeconds 1");
        Assert.StartsWith("ExpressHa.WaitTimeout", Assert.Single(timeout.Errors).FullyQualifiedErrorId);
    }

    [Fact]
    public void Ctrl_C_stops_a_wait_at_once()
    {
        using var s = Connected();
        _fake.TransitionMs = 120_000;
        var watch = Stopwatch.StartNew();
        var (_, _, errors, stoppedEarly) = RunAndStop(s, "Move-HaGroup failover1 -Node server2 -Wait", TimeSpan.FromSeconds(1));
        Assert.True(stoppedEarly);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), watch.Elapsed.ToString());
        Assert.Empty(errors);
    }

    [Fact]
    public void Publish_WhatIf_shows_the_diff_then_applies_and_refusals_are_errors()
    {
        using var s = Connected();
        File.WriteAllText(Path.Combine(s.TempDir, "c.yaml"), FakeClusterControl.DefaultYaml);
        s.Run("$c = Import-HaClusterConfig -Path (Join-Path $TestDir c.yaml); $c | Set-HaMonitor -Name userw -IntervalSeconds 20").Ok();

        var diff = (ConfigDiff)s.Run("$c | Publish-HaClusterConfig -WhatIf").Ok().Single()!;
        Assert.Equal(new[] { "monitor/userw" }, diff.Changed);
        Assert.Matches(@"Changed\s+: monitor/userw", Show(s, "$c | Publish-HaClusterConfig -WhatIf"));
        Assert.DoesNotContain("push", _fake.Calls);

        var unchanged = (ConfigDiff)s.Run("Publish-HaClusterConfig -Path (Join-Path $TestDir c.yaml) -WhatIf").Ok().Single()!;
        Assert.True(unchanged.IsEmpty);

        _fake.RefusePushWith = "disk full";
        var refused = s.Run("$c | Publish-HaClusterConfig -Confirm:$false");
        var e = Assert.Single(refused.Errors);
        Assert.StartsWith("ExpressHa.ConfigRefused", e.FullyQualifiedErrorId);
        Assert.Contains("server2", e.ToString());
        Assert.Contains("disk full", e.ToString());
        Assert.Empty(refused.Output);

        _fake.RefusePushWith = null;
        var result = (ConfigPushResult)s.Run("$c | Publish-HaClusterConfig").Ok().Single()!;
        Assert.True(result.Applied);
        Assert.Equal(2, result.Generation);

        File.WriteAllText(Path.Combine(s.TempDir, "bad.yaml"), FakeClusterControl.DefaultYaml.Replace("servers: [server1, server2]", "servers: [server1, server7]"));
        var invalid = s.Run("Publish-HaClusterConfig -Path (Join-Path $TestDir bad.yaml)");
        Assert.NotEmpty(invalid.Errors);
        Assert.All(invalid.Errors, x => Assert.StartsWith("ExpressHa.ConfigInvalid", x.FullyQualifiedErrorId));
        Assert.Equal(2, _fake.Calls.Count(c => c == "push")); // the refused one and the applied one
    }

    [Fact]
    public void Alert_log_filters_and_table_view()
    {
        using var s = Connected();
        Assert.Equal(3, s.Run("Get-HaAlertLog").Ok().Output.Count);
        Assert.Equal(2, s.Run("Get-HaAlertLog -Level warning").Ok().Output.Count);
        Assert.Equal("nm", s.Run("(Get-HaAlertLog -Module nm).Module").Ok().Single());
        Assert.Equal(102, s.Run("(Get-HaAlertLog -Last 1).EventId").Ok().Single());
        s.Run("Get-HaAlertLog -Since ([datetime]'2025-01-01T00:00:04Z')").Ok();
        Assert.NotNull(_fake.LastAlertQuery!.Since);
        var text = Show(s, "Get-HaAlertLog -Level error");
        Assert.Matches(@"Time\s+Node\s+Level\s+Module/Id\s+Message", text);
        Assert.Matches(@"server1\s+error\s+rc/30\s+Activating app resource has failed", text);
        Assert.StartsWith("ParameterArgumentValidationError", Failure(s.Run("Get-HaAlertLog -Level debug")).FullyQualifiedErrorId);
    }

    /// <summary>The first error, whether it ended the script or only its statement.</summary>
    static ErrorRecord Failure(PsResult r)
        => r.Terminating?.ErrorRecord ?? r.Errors.FirstOrDefault() ?? throw new Xunit.Sdk.XunitException("expected an error, got none");

    static object? P(object? o, string name) => PSObject.AsPSObject(o).Properties[name]?.Value;

    // ------------------------------------------------------------------ helpers for streams PsSession does not keep

    static (List<PSObject> Output, List<ProgressRecord> Progress, List<ErrorRecord> Errors) RunWithStreams(PsSession s, string script)
    {
        using var ps = PowerShell.Create();
        ps.Runspace = RunspaceOf(s);
        ps.AddScript(script);
        var output = ps.Invoke().ToList();
        return (output, ps.Streams.Progress.ToList(), ps.Streams.Error.ToList());
    }

    static (List<PSObject> Output, List<ProgressRecord> Progress, List<ErrorRecord> Errors, bool Stopped) RunAndStop(PsSession s, string script, TimeSpan after)
    {
        using var ps = PowerShell.Create();
        ps.Runspace = RunspaceOf(s);
        ps.AddScript(script);
        var async = ps.BeginInvoke();
        Thread.Sleep(after);
        var stoppedEarly = !async.IsCompleted;
        ps.Stop();
        try { ps.EndInvoke(async); } catch (PipelineStoppedException) { }
        return (new List<PSObject>(), ps.Streams.Progress.ToList(), ps.Streams.Error.ToList(), stoppedEarly && ps.InvocationStateInfo.State == PSInvocationState.Stopped);
    }

    static Runspace RunspaceOf(PsSession s)
        => (Runspace)typeof(PsSession).GetField("_runspace", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(s)!;
}
