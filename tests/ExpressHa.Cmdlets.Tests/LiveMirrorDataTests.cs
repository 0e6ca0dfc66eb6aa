using System.Net;
using System.Net.Sockets;
using ExpressHa.Api;
using ExpressHa.Client;
using ExpressHa.Config;
using ExpressHa.Schema;
using ExpressHa.Demo;

namespace ExpressHa.Cmdlets.Tests;

/// <summary>The mirror cmdlets end to end: a key made by New-HaMirrorKey encrypts the mirror connection of two real
/// expresshad processes; Get-HaMirror shows both copies; Suspend/Resume and Backup-HaMirror (from the standby) work
/// from PowerShell.</summary>
[Trait("Category", TestCategory.Process)]
public sealed class LiveMirrorDataTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("expressha-livemirrordata-").FullName;
    readonly DemoCluster _cluster;
    string KeyFile => Path.Combine(_dir, "mirror.key");

    static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    public LiveMirrorDataTests()
    {
        var mirrorPort = FreePort();
        var exportPort = FreePort();
        _cluster = new DemoCluster(_dir, 2, 150, 900, configure: c =>
        {
            var md = new ResourceConfig { Name = "md1", Type = "mirror" };
            SortedDictionary<string, string> PerNode(Func<NodeConfig, string> f) => new(c.Nodes.ToDictionary(n => n.Name, f), StringComparer.Ordinal);
            md.Parameters["dataPath"] = PerNode(n => Path.Combine(_dir, n.Name + "-data.img"));
            md.Parameters["metaPath"] = PerNode(n => Path.Combine(_dir, n.Name + "-meta.img"));
            md.Parameters["sizeMiB"] = 8L;
            md.Parameters["mirrorAddress"] = PerNode(n => n.Addresses["lan1"]);
            md.Parameters["mirrorPort"] = (long)mirrorPort;
            md.Parameters["exportAddress"] = $"127.0.0.1:{exportPort}";
            md.Parameters["keyFile"] = KeyFile;
            c.Groups[0].Resources.Insert(0, md);
            c.Groups[0].FindResource("app")!.DependsOn = new List<string> { "md1" };
            c.Monitors.Add(SchemaRegistry.NewMonitor("mdw1", "mirror", "md1"));
            c.Monitors.Add(SchemaRegistry.NewMonitor("mdnw1", "mirrorconnect", "md1"));
        }, addressPrefix: "127.0.13.");
    }

    /// <summary>The last lines of server1's log, for a wait that timed out.</summary>
    string NodeLogTail() => string.Join("\n", File.ReadLines(_cluster.LogFile("server1")).TakeLast(30));

    [Fact]
    public async Task An_encrypted_mirror_is_shown_suspended_resumed_and_backed_up_from_PowerShell()
    {
        using var s = new PsSession();
        var key = s.Run($"New-HaMirrorKey -Path '{KeyFile}' -Bits 192").Ok().Single();
        Assert.Equal(24, new FileInfo(KeyFile).Length);
        Assert.Equal(192, (int)key!.GetType().GetProperty("Bits")!.GetValue(key)!);

        foreach (var (name, _) in _cluster.Nodes) _cluster.Start(name);
        using var client = new HaApiClient(_cluster.ApiOf("server1"), _cluster.Token, null, TimeSpan.FromSeconds(5));
        await Eventually.UntilAsync(async () => (await client.GetStatusAsync()).Groups[0] is { State: "online", Owner: "server1" }, TimeSpan.FromSeconds(30), "group web online on server1", NodeLogTail, pollMs: 100);
        await Eventually.UntilAsync(async () => (await client.GetMirrorsAsync()).Mirrors is { Count: 2 } m && m.All(x => x.Connection == "Connected" && x.Disk == "UpToDate"),
            TimeSpan.FromSeconds(30), "the mirror connected and in sync", NodeLogTail, pollMs: 100);

        s.Run($"Connect-HaCluster -Endpoint '{_cluster.ApiOf("server1")}' -TokenFile '{_cluster.TokenFile}'").Ok();
        var rows = s.Run("Get-HaMirror -Name md1").Ok().Output.Select(o => (MirrorStatus)o.BaseObject).OrderBy(m => m.Node).ToList();
        Assert.Equal(new[] { "server1", "server2" }, rows.Select(r => r.Node));
        Assert.Equal(new[] { "Primary", "Secondary" }, rows.Select(r => r.Role));
        Assert.All(rows, r => Assert.True(r.Encrypted, $"{r.Node}: the mirror connection is not encrypted"));
        Assert.Equal(rows[0].CurrentGeneration, rows[1].CurrentGeneration);

        s.Run("Suspend-HaMirror md1 -Confirm:$false").Ok();
        await Eventually.UntilAsync(async () => (await client.GetMirrorsAsync()).Mirrors.Single(m => m.Node == "server2").Disk == "Outdated", TimeSpan.FromSeconds(30), "the standby frozen (outdated) by the suspension", NodeLogTail, pollMs: 100);
        s.Run("Resume-HaMirror md1 -Confirm:$false").Ok();
        await Eventually.UntilAsync(async () => (await client.GetMirrorsAsync()).Mirrors.All(m => m.Connection == "Connected" && m.Disk == "UpToDate" && m.Sync == "None"),
            TimeSpan.FromSeconds(30), "the mirror resynced after Resume-HaMirror", NodeLogTail, pollMs: 100);

        var backup = Path.Combine(_dir, "md1-backup.img");
        var job = s.Run($"Backup-HaMirror md1 -Path '{backup}' -Confirm:$false").Ok().Single() as JobStatus;
        Assert.NotNull(job);
        Assert.Equal(JobStates.Succeeded, job!.State);
        Assert.Equal("server2", job.Node);
        Assert.Equal(8L * 1024 * 1024, new FileInfo(backup).Length);
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(_dir, "server2-data.img")), await File.ReadAllBytesAsync(backup));
        await Eventually.UntilAsync(async () => (await client.GetMirrorsAsync()).Mirrors.All(m => m.Connection == "Connected" && m.Disk == "UpToDate"),
            TimeSpan.FromSeconds(30), "the mirror resumed after the backup", NodeLogTail, pollMs: 100);
    }

    public void Dispose()
    {
        _cluster.Dispose();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
