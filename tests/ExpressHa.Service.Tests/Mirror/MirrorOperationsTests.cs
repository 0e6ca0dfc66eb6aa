using ExpressHa.Api;
using ExpressHa.Service.Api;
using ExpressHa.Service.Runtime;

namespace ExpressHa.Service.Tests.Mirror;

/// <summary>The mirror orchestration against fake engines on two in-process nodes: routing, repair order, and the
/// backup and restore jobs (order of steps, never leaving replication suspended, refusals).</summary>
[Trait("Category", TestCategory.Process)]
public class MirrorOperationsTests
{
    static BackupRequest Backup(string path = "/backup/md1.img", string? pre = "app-quiesce", string? post = "app-thaw")
        => new() { Path = path, PreCommand = pre, PostCommand = post, CommandTimeoutSeconds = 30 };

    [Fact]
    public async Task Backup_quiesces_suspends_thaws_copies_the_standby_then_resumes()
    {
        var h = new MirrorHarness();
        var start = await h.Ops["server2"].StartBackupAsync("md1", Backup(), default);
        Assert.Equal("server2", start.Job!.Node);
        Assert.Equal(FakeMirrorEngine.Size, start.Job.BytesTotal);
        var job = await h.Finished("server2", start);

        Assert.Equal(JobStates.Succeeded, job.State);
        Assert.Equal(new[] { "cmd(app-quiesce)@server1", "suspend@server1", "cmd(app-thaw)@server1", "copyout(/backup/md1.img)@server2", "resume@server1" }, h.Log.Events);
        Assert.Equal(FakeMirrorEngine.Size, job.BytesDone);
        Assert.Equal(JobKinds.Backup, job.Kind);
        Assert.NotNull(job.Finished);
        Assert.Contains(h.Alerts.Alerts, a => a.Level == "info" && a.EventId == 83 && a.Message.Contains("md1"));
        Assert.Contains(h.Alerts.LogLines("mirror"), l => l.Contains("output of app-quiesce"));
    }

    [Fact]
    public async Task A_failed_copy_resumes_replication_and_fails_the_job_with_the_reason()
    {
        var h = new MirrorHarness();
        h.Engines["server2"].Failing.Add("copyout");
        var job = await h.Finished("server1", await h.Ops["server1"].StartBackupAsync("md1", Backup(), default));

        Assert.Equal(JobStates.Failed, job.State);
        Assert.Contains("No space left on device", job.Message);
        Assert.Contains("server2", job.Message);
        Assert.Equal("resume@server1", h.Log.Events.Last());
        Assert.Contains(h.Alerts.Alerts, a => a.Level == "error" && a.Module == "mirror" && a.EventId == 82 && a.Message.Contains("No space left"));
    }

    [Fact]
    public async Task A_failed_pre_command_suspends_nothing()
    {
        var h = new MirrorHarness();
        var job = await h.Finished("server1", await h.Ops["server1"].StartBackupAsync("md1", Backup(pre: "fail-quiesce"), default));

        Assert.Equal(JobStates.Failed, job.State);
        Assert.Contains("pre-command failed on server1", job.Message);
        Assert.Equal(new[] { "cmd(fail-quiesce)@server1" }, h.Log.Events);
    }

    [Fact]
    public async Task A_failed_suspend_still_runs_the_post_command_and_resumes_nothing()
    {
        var h = new MirrorHarness();
        h.Engines["server1"].Failing.Add("suspend");
        var job = await h.Finished("server1", await h.Ops["server1"].StartBackupAsync("md1", Backup(), default));

        Assert.Equal(JobStates.Failed, job.State);
        Assert.Contains("Suspending replication on server1 failed", job.Message);
        Assert.Equal(new[] { "cmd(app-quiesce)@server1", "suspend@server1", "cmd(app-thaw)@server1" }, h.Log.Events);
    }

    [Fact]
    public async Task A_failed_resume_says_replication_is_still_suspended()
    {
        var h = new MirrorHarness();
        h.Engines["server1"].Failing.Add("resume");
        var job = await h.Finished("server1", await h.Ops["server1"].StartBackupAsync("md1", Backup(pre: null, post: null), default));

        Assert.Equal(JobStates.Failed, job.State);
        Assert.Contains("still suspended", job.Message);
        Assert.Contains("Resume-HaMirror md1", job.Message);
        Assert.Equal(3, h.Log.Events.Count(e => e == "resume@server1"));
    }

    [Fact]
    public async Task Backup_is_refused_from_the_primary_without_a_primary_and_for_an_unknown_node()
    {
        var h = new MirrorHarness();
        var fromPrimary = await h.Ops["server1"].StartBackupAsync("md1", new BackupRequest { Path = "/b.img", Node = "server1" }, default);
        Assert.Equal(ErrorCodes.BackupNeedsStandby, fromPrimary.Refusal!.Code);
        var unknownNode = await h.Ops["server1"].StartBackupAsync("md1", new BackupRequest { Path = "/b.img", Node = "server9" }, default);
        Assert.Equal(ErrorCodes.NodeNotFound, unknownNode.Refusal!.Code);
        var unknownMirror = await h.Ops["server1"].StartBackupAsync("md9", new BackupRequest { Path = "/b.img" }, default);
        Assert.Equal(ErrorCodes.MirrorNotFound, unknownMirror.Refusal!.Code);
        h.Engines["server2"].Disk = "Inconsistent";
        var inconsistent = await h.Ops["server1"].StartBackupAsync("md1", new BackupRequest { Path = "/b.img" }, default);
        Assert.Equal("ExpressHa.MirrorInconsistent", inconsistent.Refusal!.Code);
        h.Engines["server1"].Role = "Secondary";
        var noPrimary = await h.Ops["server1"].StartBackupAsync("md1", new BackupRequest { Path = "/b.img" }, default);
        Assert.Equal(ErrorCodes.MirrorNoPrimary, noPrimary.Refusal!.Code);
        Assert.Empty(h.Log.Events);
    }

    [Fact]
    public async Task Restore_is_refused_while_the_group_is_online_then_runs_on_the_named_node()
    {
        var h = new MirrorHarness();
        var refused = await h.Ops["server1"].StartRestoreAsync("md1", new RestoreRequest { Path = "/backup/md1.img", Node = "server2" }, default);
        Assert.Null(refused.Job);
        Assert.Equal("ExpressHa.GroupActive", refused.Refusal!.Code);
        Assert.Contains("'failover1'", refused.Refusal.Message);
        Assert.Contains("Stop-HaGroup failover1 first", refused.Refusal.Message);

        h.GroupOffline();
        // The group record says offline but an engine still says primary: still refused.
        var stillPrimary = await h.Ops["server1"].StartRestoreAsync("md1", new RestoreRequest { Path = "/backup/md1.img", Node = "server2" }, default);
        Assert.Equal("ExpressHa.GroupActive", stillPrimary.Refusal!.Code);
        Assert.Empty(h.Log.Events);

        h.Engines["server1"].Role = "Secondary";
        var job = await h.Finished("server1", await h.Ops["server1"].StartRestoreAsync("md1", new RestoreRequest { Path = "/backup/md1.img", Node = "server2" }, default));
        Assert.Equal(JobStates.Succeeded, job.State);
        Assert.Equal(new[] { "restore(/backup/md1.img)@server2" }, h.Log.Events);
        Assert.Equal(FakeMirrorEngine.Size, job.BytesDone);

        h.Engines["server1"].Failing.Add("restore");
        var failed = await h.Finished("server1", await h.Ops["server1"].StartRestoreAsync("md1", new RestoreRequest { Path = "/backup/md1.img" }, default));
        Assert.Equal(JobStates.Failed, failed.State);
        Assert.Equal("server1", failed.Node);
        Assert.Contains("No space left on device", failed.Message);
    }

    [Fact]
    public async Task Status_lists_every_copy_and_a_silent_node_as_missing()
    {
        var h = new MirrorHarness();
        var all = await h.Ops["server1"].GetAllAsync(default);
        Assert.Equal(new[] { ("md1", "server1", "Primary"), ("md1", "server2", "Secondary") }, all.Mirrors.Select(m => (m.Name, m.Node, m.Role)));
        Assert.Empty(all.MissingNodes);

        h.Down.Add("server2");
        var partial = await h.Ops["server1"].GetAllAsync(default);
        Assert.Equal("server1", Assert.Single(partial.Mirrors).Node);
        Assert.Equal(new[] { "server2" }, partial.MissingNodes);
    }

    [Fact]
    public async Task Suspend_and_resume_go_to_the_primary_wherever_the_request_lands()
    {
        var h = new MirrorHarness();
        h.Engines["server1"].Role = "Secondary";
        h.Engines["server2"].Role = "Primary";
        Assert.True((await h.Ops["server1"].SuspendAsync("md1", default)).Ok);
        Assert.True((await h.Ops["server2"].ResumeAsync("md1", default)).Ok);
        Assert.Equal(new[] { "suspend@server2", "resume@server2" }, h.Log.Events);

        h.Engines["server2"].Role = "Secondary";
        var none = await h.Ops["server1"].SuspendAsync("md1", default);
        Assert.Equal(ErrorCodes.MirrorNoPrimary, none.Code);
        Assert.Equal(ErrorCodes.MirrorNotFound, (await h.Ops["server1"].SuspendAsync("nope", default)).Code);
    }

    [Fact]
    public async Task Repair_runs_on_the_winning_copy_first_then_on_the_others()
    {
        var h = new MirrorHarness();
        var r = await h.Ops["server1"].RepairAsync("md1", "server2", default);
        Assert.True(r.Ok, r.Message);
        Assert.Equal(new[] { "repair(server2)@server2", "repair(server2)@server1" }, h.Log.Events);
        Assert.Contains("the copy on server1 is overwritten", r.Message);

        h.Down.Add("server2");
        var unreachable = await h.Ops["server1"].RepairAsync("md1", "server2", default);
        Assert.Equal(ErrorCodes.MirrorCopyUnavailable, unreachable.Code);
        Assert.Equal(ErrorCodes.NodeNotFound, (await h.Ops["server1"].RepairAsync("md1", "server7", default)).Code);
    }

    [Fact]
    public async Task The_real_command_runner_reports_exit_codes_and_timeouts()
    {
        var alerts = new Resources.RecordingAlerts();
        var local = new LocalMirrorNode("server1", new Service.Mirror.MirrorRegistry(), new JobTable(), alerts, default);
        Assert.True((await local.RunCommandAsync("md1", "echo quiesced", 10, default)).Ok);
        Assert.Contains(alerts.LogLines("mirror"), l => l == "md1: quiesced");
        var failed = await local.RunCommandAsync("md1", "echo disk busy; exit 3", 10, default);
        Assert.False(failed.Ok);
        Assert.Contains("exited with 3 (disk busy)", failed.Message);
        var slow = await local.RunCommandAsync("md1", "sleep 30", 1, default);
        Assert.Contains("did not finish within 1 s", slow.Message);
    }

    [Fact]
    public async Task A_node_membership_knows_is_down_is_missing_without_being_called()
    {
        var h = new MirrorHarness();
        var called = new List<string>();
        var ops = new MirrorOperations("server1", h.Locals["server1"], p => { called.Add(p); return h.Locals[p]; }, () => h.Config, () => h.State,
            h.Alerts, h.Jobs["server1"], default) { IsOnline = n => n != "server2" };
        var report = await ops.GetAllAsync(default);
        Assert.Equal(new[] { "server2" }, report.MissingNodes);
        Assert.Equal("server1", Assert.Single(report.Mirrors).Node);
        Assert.Empty(called);
    }
}
