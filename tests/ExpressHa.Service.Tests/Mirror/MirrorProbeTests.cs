using ExpressHa.Api;
using ExpressHa.Config;
using ExpressHa.Service.Mirror;
using ExpressHa.Service.Monitors;
using ExpressHa.Service.Tests.Resources;

namespace ExpressHa.Service.Tests.Mirror;

/// <summary>The mirror and mirrorconnect monitors read the status of this node's engine (unit tests with a stub engine).</summary>
public sealed class MirrorProbeTests
{
    sealed class StatusEngine(MirrorStatus status) : IMirrorEngine
    {
        public MirrorStatus Status { get; set; } = status;
        public string Name => Status.Name;
        public Task StartAsync(CancellationToken ct) => Task.CompletedTask;
        public Task<IBlockDevice> PromoteAsync(CancellationToken ct) => throw new NotSupportedException();
        public Task DemoteAsync(CancellationToken ct) => Task.CompletedTask;
        public MirrorStatus GetStatus() => Status;
        public Task SuspendAsync(CancellationToken ct) => Task.CompletedTask;
        public Task ResumeAsync(CancellationToken ct) => Task.CompletedTask;
        public Task RepairAsync(string sourceNode, CancellationToken ct) => Task.CompletedTask;
        public Task OutdateAsync(CancellationToken ct) => Task.CompletedTask;
        public void PeerNodeDown() { }
        public Task CopyOutAsync(string targetPath, IProgress<long>? progress, CancellationToken ct) => Task.CompletedTask;
        public Task RestoreAsync(string sourcePath, IProgress<long>? progress, CancellationToken ct) => Task.CompletedTask;
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    static MonitorContext Context(string cluster, string type, IMirrorRegistry? mirrors = null)
    {
        var c = new ClusterConfig();
        c.Cluster.Name = cluster;
        return new MonitorContext
        {
            Config = c, Monitor = new MonitorConfig { Name = type + "w", Type = type, Target = "md1" }, Node = new NodeConfig { Name = "server1" },
            Target = new ResourceConfig { Name = "md1", Type = "mirror" }, Alerts = new RecordingAlerts(),
            Mirrors = mirrors ?? new MirrorRegistry(),
        };
    }

    [Theory]
    [InlineData("Primary", ExpressHa.Service.Resources.ResourceProbe.Active)]
    [InlineData("Secondary", ExpressHa.Service.Resources.ResourceProbe.Inactive)]
    public async Task Mirror_resource_probe_is_active_where_the_copy_is_primary(string role, ExpressHa.Service.Resources.ResourceProbe expected)
    {
        var alerts = new RecordingAlerts();
        var mirrors = new MirrorRegistry();
        var c = TestConfigs.Resource("md1", "mirror", new ParameterBag(), alerts);
        var context = new ExpressHa.Service.Resources.ResourceContext
        {
            Config = c.Config, Group = c.Group, Resource = c.Resource, Node = c.Node, StateDir = c.StateDir, Alerts = alerts, Mirrors = mirrors,
        };
        var driver = new ExpressHa.Service.Resources.MirrorResource();
        Assert.Equal(ExpressHa.Service.Resources.ResourceProbe.Unknown, await driver.ProbeAsync(context, CancellationToken.None)); // no engine here
        mirrors.Add(new StatusEngine(new MirrorStatus { Name = "md1", Node = context.Node.Name, Peer = "server2", Role = role, Connection = "Connected", Disk = "UpToDate", Sync = "None" }));
        Assert.Equal(expected, await driver.ProbeAsync(context, CancellationToken.None));
    }

    [Theory]
    [InlineData("Primary", "Disconnected", "UpToDate", "None", true)]     // a lone primary: the link monitor reports it
    [InlineData("Secondary", "Connected", "Inconsistent", "SyncTarget", true)]
    [InlineData("Secondary", "Connected", "Outdated", "None", false)]
    [InlineData("Secondary", "SplitBrain", "UpToDate", "None", false)]
    [InlineData("Primary", "Connected", "Failed", "None", false)]
    [InlineData("Secondary", "Connecting", "Inconsistent", "None", true)] // waiting for the peer at start
    public async Task Mirror_monitor_judges_the_local_copy(string role, string link, string disk, string sync, bool healthy)
    {
        var cluster = "probe-" + Guid.NewGuid().ToString("N");
        var mirrors = new MirrorRegistry();
        mirrors.Add(new StatusEngine(new MirrorStatus { Name = "md1", Node = "server1", Peer = "server2", Role = role, Connection = link, Disk = disk, Sync = sync }));
        var r = await new MirrorProbe().ProbeAsync(Context(cluster, "mirror", mirrors), CancellationToken.None);
        Assert.Equal(healthy, r.Healthy);
        Assert.Contains(disk, r.Message);
    }

    [Theory]
    [InlineData("Connected", true)]
    [InlineData("Suspended", true)]
    [InlineData("Disconnected", false)]
    [InlineData("KeyMismatch", false)]
    [InlineData("AuthFailed", false)]
    public async Task Mirrorconnect_monitor_wants_the_link_up(string link, bool healthy)
    {
        var cluster = "probe-" + Guid.NewGuid().ToString("N");
        var mirrors = new MirrorRegistry();
        mirrors.Add(new StatusEngine(new MirrorStatus { Name = "md1", Node = "server1", Peer = "server2", Connection = link, LastError = link == "KeyMismatch" ? "mirror-connect key mismatch with server2" : null }));
        var r = await new MirrorConnectProbe().ProbeAsync(Context(cluster, "mirrorconnect", mirrors), CancellationToken.None);
        Assert.Equal(healthy, r.Healthy);
        Assert.Contains("server2 is " + link, r.Message);
        if (link == "KeyMismatch") Assert.Contains("key mismatch", r.Message);
    }

    [Fact]
    public async Task Without_an_engine_both_monitors_fail_and_say_so()
    {
        var ctx = Context("probe-none", "mirror");
        var r = await new MirrorProbe().ProbeAsync(ctx, CancellationToken.None);
        Assert.False(r.Healthy);
        Assert.Contains("not running on server1", r.Message);
        Assert.False((await new MirrorConnectProbe().ProbeAsync(ctx, CancellationToken.None)).Healthy);
    }
}
