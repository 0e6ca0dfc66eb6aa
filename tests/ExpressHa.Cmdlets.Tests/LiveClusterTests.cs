using ExpressHa.Client;
using ExpressHa.Demo;

namespace ExpressHa.Cmdlets.Tests;

/// <summary>The operating cmdlets against two real expresshad processes on loopback, as an administrator would use them.</summary>
[Trait("Category", TestCategory.Process)]
public sealed class LiveClusterTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("expressha-live-").FullName;
    readonly DemoCluster _cluster;

    public LiveClusterTests()
    {
        _cluster = new DemoCluster(_dir, 2, 150, 900, configure: null, addressPrefix: "127.0.9.");
    }

    async Task StartAsync()
    {
        foreach (var (name, _) in _cluster.Nodes)
        {
            _cluster.Start(name);
            await Task.Delay(300);
        }
        using var client = new HaApiClient(_cluster.ApiOf("server1"), _cluster.Token, null, TimeSpan.FromSeconds(2));
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                var s = await client.GetStatusAsync();
                if (s.Groups[0].State == "online" && s.Nodes.All(n => n.State == "online")) return;
            }
            catch (HaApiException) { }
            await Task.Delay(50);
        }
        throw new Xunit.Sdk.XunitException("the demo cluster did not come up:\n" + File.ReadAllText(_cluster.LogFile("server1")));
    }

    [Fact]
    public async Task Connect_status_move_with_wait_publish_and_alerts()
    {
        await StartAsync();
        using var s = new PsSession();
        var endpoint = _cluster.ApiOf("server2").ToString();
        s.Run($"Connect-HaCluster -Endpoint '{endpoint}' -TokenFile '{_cluster.TokenFile}'").Ok();

        var status = string.Concat(s.Run("Get-HaClusterStatus | Out-String -Width 160").Ok().Output.Select(o => o.ToString()));
        Assert.Contains("server1", status);
        Assert.Contains("web", status);
        Assert.Contains("partition resolution: none", status);
        Assert.Contains("fencing: off", status);
        Assert.Equal("off", s.Run("(Get-HaClusterStatus).Fencing").Ok().Single());

        s.Run("Get-HaGroup web | Move-HaGroup -Node server2 -WhatIf").Ok();
        Assert.Equal("server1", s.Run("(Get-HaGroup web).Owner").Ok().Single());

        var moved = s.Run("Get-HaGroup web | Move-HaGroup -Node server2 -Wait -TimeoutSeconds 30").Ok();
        Assert.Equal("server2", s.Run("(Get-HaGroup web).Owner").Ok().Single());
        Assert.Equal("online", s.Run("(Get-HaGroup web).State").Ok().Single());
        using (var http = new HttpClient())
            Assert.Equal("server2", (await http.GetStringAsync($"http://{_cluster.AddressOf("server2")}:{_cluster.AppPort}/")).Trim());

        var changed = Path.Combine(_dir, "changed.yaml");
        s.Run($$"""
            $c = Import-HaClusterConfig -Path '{{_cluster.ConfigFile}}'
            $c | Add-HaGroup -Name spare -Server server1, server2 -Startup manual
            $c | Add-HaResource -Group spare -Name spare1 -Type exec -Property @{ start = '/bin/true' }
            $c | Export-HaClusterConfig -Path '{{changed}}'
            """).Ok();
        var added = s.Run($"(Publish-HaClusterConfig -Path '{changed}' -WhatIf).Added").Ok().Output.Select(o => o.ToString()).ToList();
        Assert.Contains("group/spare", added);
        Assert.Equal(1L, Convert.ToInt64(s.Run("(Get-HaClusterStatus).ConfigGeneration").Ok().Single()));
        s.Run($"Publish-HaClusterConfig -Path '{changed}' -Confirm:$false").Ok();
        Assert.Equal(2L, Convert.ToInt64(s.Run("(Get-HaClusterStatus).ConfigGeneration").Ok().Single()));
        Assert.Equal("offline", s.Run("(Get-HaGroup spare).State").Ok().Single());

        var alerts = s.Run("Get-HaAlertLog -Module rc | ForEach-Object { $_.EventId }").Ok().Output.Select(o => Convert.ToInt32(o.BaseObject)).ToList();
        Assert.Contains(31, alerts);
        var missing = s.Run("Get-HaGroup nosuchgroup");
        Assert.StartsWith("ExpressHa.GroupNotFound", Assert.Single(missing.Errors).FullyQualifiedErrorId);
    }

    public void Dispose()
    {
        _cluster.Dispose();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
