using ExpressHa.Client;
using ExpressHa.Demo;

namespace ExpressHa.Cmdlets.Tests;

/// <summary>The mirror cmdlets against two real expresshad processes: the nodes gather each other's mirrors over the
/// internal route (none yet: the demo config has no mirror resource), refuse unknown mirrors, and report a crashed
/// node as missing rather than failing.</summary>
[Trait("Category", TestCategory.Process)]
public sealed class LiveMirrorTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("expressha-livemirror-").FullName;
    readonly DemoCluster _cluster;

    public LiveMirrorTests()
    {
        _cluster = new DemoCluster(_dir, 2, 150, 900, configure: null, addressPrefix: "127.0.12.");
    }

    Task WaitForAsync(HaApiClient client, Func<ExpressHa.Api.ClusterStatus, bool> done, string what)
        => Eventually.ValueAsync(() => client.GetStatusAsync(), done, TimeSpan.FromSeconds(30), what, _ => File.ReadAllText(_cluster.LogFile("server1")), pollMs: 50);

    [Fact]
    public async Task Real_nodes_answer_mirror_requests_and_a_crashed_node_is_missing()
    {
        foreach (var (name, _) in _cluster.Nodes)
        {
            _cluster.Start(name);
            await Task.Delay(300);
        }
        using var client = new HaApiClient(_cluster.ApiOf("server1"), _cluster.Token, null, TimeSpan.FromSeconds(5));
        await WaitForAsync(client, s => s.Nodes.All(n => n.State == "online"), "the demo cluster to come up");

        var report = await client.GetMirrorsAsync();
        Assert.Empty(report.Mirrors);
        Assert.Empty(report.MissingNodes);
        var noJob = await Assert.ThrowsAsync<HaApiException>(() => client.GetJobAsync("nope"));
        Assert.Equal(("ExpressHa.JobNotFound", 404), (noJob.Code, noJob.StatusCode));

        using var s = new PsSession();
        s.Run($"Connect-HaCluster -Endpoint '{_cluster.ApiOf("server1")}' -TokenFile '{_cluster.TokenFile}'").Ok();
        var none = s.Run("Get-HaMirror").Ok();
        Assert.Empty(none.Output);
        Assert.Empty(none.Warnings);
        foreach (var cmd in new[] { "Suspend-HaMirror md1", "Backup-HaMirror md1 -Path /tmp/md1.img", "Restore-HaMirror md1 -Path /tmp/md1.img -Confirm:$false" })
            Assert.StartsWith("ExpressHa.MirrorNotFound", Assert.Single(s.Run(cmd).Errors).FullyQualifiedErrorId);

        _cluster.Crash("server2");
        await WaitForAsync(client, st => st.Nodes.Single(n => n.Name == "server2").State != "online", "server2 noticed as lost");
        var partial = s.Run("Get-HaMirror").Ok();
        Assert.Contains(partial.Warnings, w => w.Contains("server2 did not answer"));
    }

    public void Dispose()
    {
        _cluster.Dispose();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
