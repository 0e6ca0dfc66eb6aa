using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Text.RegularExpressions;
using ExpressHa.Api;
using ExpressHa.Service.Api;
using ExpressHa.Service.Tests.Api;

namespace ExpressHa.Cmdlets.Tests;

/// <summary>The mirror cmdlets against a real ManagementApi with the fake node behind it (mirror md1 of group
/// failover1, primary on server1; jobs advance over JobMs and a path containing "fail" fails halfway).</summary>
public sealed class MirrorCmdletTests : IAsyncLifetime
{
    const string Token = "mirror-cmdlet-test-token-0123456789";
    readonly string _stateDir = Directory.CreateTempSubdirectory("expressha-mirror-").FullName;
    readonly FakeClusterControl _fake = new() { TransitionMs = 100, JobMs = 2000 };
    ManagementApi _api = null!;

    public async Task InitializeAsync()
        => _api = await ManagementApi.StartAsync(new ApiOptions { Port = 0, Token = Token, Tls = false, StateDir = _stateDir }, _fake);

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        try { Directory.Delete(_stateDir, true); } catch (IOException) { }
    }

    PsSession Connected()
    {
        var s = new PsSession();
        File.WriteAllText(Path.Combine(s.TempDir, "api.token"), Token + "\n");
        s.Run($"Connect-HaCluster -Endpoint '{_api.BaseAddress}' -TokenFile (Join-Path $TestDir api.token)").Ok();
        return s;
    }

    IEnumerable<string> OperationCalls => _fake.Calls.Where(c => c is not ("status" or "mirrors" or "job" or "alerts"));

    static object? P(object? o, string name) => PSObject.AsPSObject(o).Properties[name]?.Value;
    static string Text(PsResult r) => string.Concat(r.Output.Select(o => o.ToString()));
    static string FirstId(PsResult r) => Assert.Single(r.Errors).FullyQualifiedErrorId.Split(',')[0];
    /// <summary>The ErrorId of a script's only error, terminating or not (a binding error ends only its statement).</summary>
    static string AnyId(PsResult r) => (r.Terminating?.ErrorRecord ?? Assert.Single(r.Errors)).FullyQualifiedErrorId.Split(',')[0];

    [Fact]
    public void Get_HaMirror_writes_every_copy_with_table_and_list_views()
    {
        using var s = Connected();
        var all = s.Run("Get-HaMirror").Ok().Output;
        Assert.Equal(new[] { ("server1", "Primary"), ("server2", "Secondary") }, all.Select(o => ((string)P(o, "Node")!, (string)P(o, "Role")!)));
        Assert.All(all, o => Assert.IsType<MirrorStatus>(o.BaseObject));
        Assert.All(all, o => Assert.Equal("fake", P(o, "ClusterName")));
        Assert.Equal("Secondary", s.Run("(Get-HaMirror md* -Node server2).Role").Ok().Single());

        var table = Text(s.Run("Get-HaMirror | Out-String -Width 200").Ok());
        Assert.Matches(new Regex(@"Name\s+Node\s+Role\s+Connection\s+Disk\s+Sync\s+Sync%"), table);
        Assert.Matches(new Regex(@"md1\s+server1\s+Primary\s+Connected\s+UpToDate\s+None\s+100"), table);
        var list = Text(s.Run("Get-HaMirror md1 -Node server1 | Format-List | Out-String -Width 200").Ok());
        Assert.Matches(new Regex(@"ExportAddress\s+: 127\.0\.0\.1:10809"), list);
        Assert.Matches(new Regex(@"SizeBytes\s+: 1073741824"), list);
        Assert.Matches(new Regex(@"CurrentGeneration\s+: 7f3a9c01"), list);
        Assert.Matches(new Regex(@"ClusterName\s+: fake"), list);

        var missing = s.Run("Get-HaMirror nope");
        Assert.Equal("ExpressHa.MirrorNotFound", FirstId(missing));
        Assert.Equal(ErrorCategory.ObjectNotFound, missing.Errors[0].CategoryInfo.Category);

        _fake.MissingMirrorNodes.Add("server2");
        var partial = s.Run("Get-HaMirror").Ok();
        Assert.Equal("server1", P(Assert.Single(partial.Output), "Node"));
        Assert.Contains(partial.Warnings, w => w.Contains("server2 did not answer"));
    }

    [Fact]
    public void Suspend_resume_and_repair_reach_the_node_once_per_mirror()
    {
        using var s = Connected();
        s.Run("Get-HaMirror | Suspend-HaMirror").Ok();
        Assert.Equal(new[] { "suspend-mirror md1" }, OperationCalls);
        Assert.All(s.Run("Get-HaMirror").Ok().Output, o => Assert.Equal("Suspended", P(o, "Connection")));

        var resumed = s.Run("Resume-HaMirror md1 -PassThru").Ok().Output;
        Assert.Equal(2, resumed.Count);
        Assert.All(resumed, o => Assert.Equal("Connected", P(o, "Connection")));

        var repair = s.Run("Repair-HaMirror md1 -Source server2 -Confirm:$false -Verbose").Ok();
        Assert.Contains("repair-mirror md1 server2", OperationCalls);
        Assert.Contains(repair.Verbose, v => v.Contains("keep the copy on server2") && v.Contains("DISCARD the copy on server1"));

        var notFound = s.Run("Suspend-HaMirror nope");
        Assert.Equal("ExpressHa.MirrorNotFound", FirstId(notFound));
        Assert.Equal(ErrorCategory.ObjectNotFound, notFound.Errors[0].CategoryInfo.Category);
        var wrong = s.Run("[pscustomobject]@{ Name = 'md1'; ClusterName = 'other' } | Resume-HaMirror");
        Assert.Equal("ExpressHa.WrongCluster", FirstId(wrong));
        Assert.Equal(new[] { "suspend-mirror md1", "resume-mirror md1", "repair-mirror md1 server2", "suspend-mirror nope" }, OperationCalls);
    }

    [Fact]
    public void WhatIf_sends_nothing()
    {
        using var s = Connected();
        s.Run("""
            Get-HaMirror | Suspend-HaMirror -WhatIf
            Resume-HaMirror md1 -WhatIf
            Repair-HaMirror md1 -Source server1 -WhatIf
            Backup-HaMirror md1 -Path /backup/md1.img -PreCommand sync -WhatIf
            Restore-HaMirror md1 -Path /backup/md1.img -WhatIf
            """).Ok();
        Assert.Empty(OperationCalls);
        Assert.Empty(s.Run("Backup-HaMirror md1 -Path /backup/md1.img -WhatIf").Ok().Output);
    }

    [Fact]
    public void Backup_follows_the_job_with_progress_and_returns_it()
    {
        using var s = Connected();
        var (output, progress, errors) = RunWithStreams(s, "Backup-HaMirror md1 -Path /backup/md1.img -PreCommand 'db-freeze' -PostCommand 'db-thaw'");
        Assert.Empty(errors);
        var job = Assert.IsType<JobStatus>(Assert.Single(output).BaseObject);
        Assert.Equal((JobStates.Succeeded, JobKinds.Backup, "server2"), (job.State, job.Kind, job.Node));
        Assert.Equal(FakeClusterControl.MirrorSize, job.BytesDone);
        Assert.Contains("backup md1 /backup/md1.img pre=db-freeze post=db-thaw node=", OperationCalls);
        Assert.Contains(progress, p => p.Activity.Contains("Backing up mirror 'md1' to /backup/md1.img") && p.PercentComplete is > 0 and < 100);
        Assert.Equal(ProgressRecordType.Completed, progress.Last().RecordType);

        var table = Text(s.Run($"[ExpressHa.Api.JobStatus]@{{ Id = 'j1'; Kind = 'Backup'; Mirror = 'md1'; Node = 'server2'; State = 'Running'; BytesDone = 25; BytesTotal = 100; Message = 'copying' }} | Out-String -Width 160").Ok());
        Assert.Matches(new Regex(@"j1\s+Backup\s+md1\s+server2\s+Running\s+25\s+copying"), table);
    }

    [Fact]
    public void A_failed_backup_is_an_error_record_with_the_reason_and_the_job()
    {
        using var s = Connected();
        var r = s.Run("Backup-HaMirror md1 -Path /backup/fail.img");
        Assert.Empty(r.Output);
        Assert.Equal("ExpressHa.MirrorBackupFailed", FirstId(r));
        Assert.Equal(ErrorCategory.InvalidResult, r.Errors[0].CategoryInfo.Category);
        Assert.Contains("No space left on device", r.Errors[0].Exception.Message);
        var job = Assert.IsType<JobStatus>(r.Errors[0].TargetObject);
        Assert.Equal(JobStates.Failed, job.State);
    }

    [Fact]
    public void Restore_is_refused_while_the_group_is_online_then_runs()
    {
        using var s = Connected();
        var refused = s.Run("Restore-HaMirror md1 -Path /backup/md1.img -Confirm:$false");
        Assert.Equal("ExpressHa.GroupActive", FirstId(refused));
        Assert.Equal(ErrorCategory.InvalidOperation, refused.Errors[0].CategoryInfo.Category);
        Assert.Contains("Stop-HaGroup failover1", refused.Errors[0].Exception.Message);

        s.Run("Stop-HaGroup failover1 -Wait -Confirm:$false").Ok();
        var job = (JobStatus)s.Run("Get-HaMirror md1 -Node server2 | Restore-HaMirror -Path /backup/md1.img -Node server2 -Confirm:$false").Ok().Single()!;
        Assert.Equal((JobStates.Succeeded, JobKinds.Restore, "server2"), (job.State, job.Kind, job.Node));
        Assert.Single(OperationCalls, c => c.StartsWith("restore md1 /backup/md1.img node=server2"));

        var failed = s.Run("Restore-HaMirror md1 -Path /backup/fail.img -Confirm:$false");
        Assert.Equal("ExpressHa.MirrorRestoreFailed", FirstId(failed));
    }

    [Fact]
    public void Parameters_are_validated_before_anything_is_sent()
    {
        using var s = Connected();
        foreach (var bad in new[] { "Backup-HaMirror md1 -Path ''", "Backup-HaMirror md1 -Path /b.img -CommandTimeoutSeconds 0", "Backup-HaMirror md1 -Path /b.img -PreCommand ''", "Repair-HaMirror md1 -Source '' -Confirm:$false" })
        {
            Assert.Equal("ParameterArgumentValidationError", AnyId(s.Run(bad)));
        }
        var relative = s.Run("Backup-HaMirror md1 -Path relative.img");
        Assert.Equal("ExpressHa.BadRequest", FirstId(relative));
        Assert.Equal(ErrorCategory.InvalidArgument, relative.Errors[0].CategoryInfo.Category);
        Assert.Empty(OperationCalls);
    }

    [Fact]
    public void Not_connected_tells_to_run_Connect_HaCluster()
    {
        using var s = new PsSession();
        var r = s.Run("Get-HaMirror");
        Assert.Equal("ExpressHa.NotConnected", AnyId(r));
    }

    [Fact]
    public void Ctrl_C_stops_following_a_job_at_once()
    {
        using var s = Connected();
        _fake.JobMs = 120_000;
        using var ps = PowerShell.Create();
        ps.Runspace = RunspaceOf(s);
        ps.AddScript("Backup-HaMirror md1 -Path /backup/md1.img");
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var running = ps.BeginInvoke();
        Thread.Sleep(1000);
        Assert.False(running.IsCompleted);
        ps.Stop();
        try { ps.EndInvoke(running); } catch (PipelineStoppedException) { }
        Assert.Equal(PSInvocationState.Stopped, ps.InvocationStateInfo.State);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), watch.Elapsed.ToString());
        Assert.Empty(ps.Streams.Error);
    }

    static Runspace RunspaceOf(PsSession s)
        => (Runspace)typeof(PsSession).GetField("_runspace", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(s)!;

    static (List<PSObject> Output, List<ProgressRecord> Progress, List<ErrorRecord> Errors) RunWithStreams(PsSession s, string script)
    {
        using var ps = PowerShell.Create();
        ps.Runspace = RunspaceOf(s);
        ps.AddScript(script);
        var output = ps.Invoke().ToList();
        return (output, ps.Streams.Progress.ToList(), ps.Streams.Error.ToList());
    }
}
