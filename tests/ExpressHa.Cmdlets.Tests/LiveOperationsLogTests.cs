using System.IO.Compression;
using System.Text;
using ExpressHa.Client;
using ExpressHa.Demo;

namespace ExpressHa.Cmdlets.Tests;

/// <summary>The day-to-day operations cmdlets against two real expresshad processes on loopback: one alert list for
/// the cluster, the running config and drift, a group's history, and the support archive (secrets removed, a stopped
/// node listed as not answering).</summary>
[Trait("Category", TestCategory.Process)]
public sealed class LiveOperationsLogTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("expressha-opslogs-").FullName;
    readonly DemoCluster _cluster;

    public LiveOperationsLogTests()
    {
        // The token and the cluster key's hex are written into the app's start command, so the running config, the
        // status and the logs carry them: the archive must not.
        _cluster = new DemoCluster(_dir, 2, 150, 900, configure: c =>
        {
            var token = File.ReadAllText(c.Cluster.Security.ApiTokenFile).Trim();
            var keyHex = Convert.ToHexString(File.ReadAllBytes(c.Cluster.Security.KeyFile)).ToLowerInvariant();
            var app = c.Groups[0].Resources[0];
            app.Parameters["start"] = (string)app.Parameters["start"]! + $" # {token} {keyHex}";
        }, addressPrefix: "127.0.10.");
    }

    async Task StartAsync()
    {
        foreach (var (name, _) in _cluster.Nodes)
        {
            _cluster.Start(name);
            await Task.Delay(300);
        }
        await WaitAsync(s => s.Groups[0].State == "online" && s.Nodes.All(n => n.State == "online"), "the demo cluster to come up");
    }

    async Task WaitAsync(Func<ExpressHa.Api.ClusterStatus, bool> done, string what)
    {
        using var client = new HaApiClient(_cluster.ApiOf("server1"), _cluster.Token, null, TimeSpan.FromSeconds(2));
        await Eventually.ValueAsync(() => client.GetStatusAsync(), done, TimeSpan.FromSeconds(30), what, _ => File.ReadAllText(_cluster.LogFile("server1")), pollMs: 50);
    }

    /// <summary>Every entry of the archive, nested node bundles included, as bytes by name.</summary>
    static Dictionary<string, byte[]> Entries(string zipPath)
    {
        using var zip = ZipFile.OpenRead(zipPath);
        return zip.Entries.ToDictionary(e => e.FullName, e =>
        {
            using var s = e.Open();
            using var m = new MemoryStream();
            s.CopyTo(m);
            return m.ToArray();
        });
    }

    static bool Holds(byte[] haystack, byte[] needle) => needle.Length > 0 && haystack.AsSpan().IndexOf(needle) >= 0;

    [Fact]
    public async Task Cluster_alerts_running_config_history_and_support_archive()
    {
        await StartAsync();
        using var s = new PsSession();
        s.Run($"Connect-HaCluster -Endpoint '{_cluster.ApiOf("server1")}' -TokenFile '{_cluster.TokenFile}'").Ok();

        // One alert list: both nodes' "service is starting" alerts, oldest first.
        var nodes = s.Run("Get-HaAlertLog -Cluster -Module pm | ForEach-Object Node").Ok().Output.Select(o => o.ToString()).ToList();
        Assert.Contains("server1", nodes);
        Assert.Contains("server2", nodes);
        var times = s.Run("Get-HaAlertLog -Cluster | ForEach-Object Time").Ok().Output.Select(o => DateTimeOffset.Parse(o.ToString())).ToList();
        Assert.Equal(times.OrderBy(t => t), times);
        Assert.Single(s.Run("Get-HaAlertLog -Cluster -Last 1").Ok().Output);

        // The running config and drift.
        Assert.Equal(1L, Convert.ToInt64(s.Run("(Get-HaClusterConfig).Generation").Ok().Single()));
        Assert.Equal("demo", s.Run("(Get-HaClusterConfig).Name").Ok().Single());
        Assert.Contains("apiVersion: expressha/v1", (string)s.Run("Get-HaClusterConfig -Raw").Ok().Single()!);
        Assert.Equal(true, s.Run($"(Compare-HaClusterConfig -Path '{_cluster.ConfigFile}').IsEmpty").Ok().Single());
        var changed = Path.Combine(_dir, "changed.yaml");
        s.Run($"Get-HaClusterConfig | Add-HaGroup -Name spare -Server server1, server2 -Startup manual -PassThru | Export-HaClusterConfig -Path '{changed}'").Ok();
        var added = s.Run($"(Compare-HaClusterConfig -Path '{changed}').Added").Ok().Output.Select(o => o.ToString()).ToList();
        Assert.Equal(["group/spare"], added);
        Assert.StartsWith("ExpressHa.ConfigFileNotFound", Assert.Single(s.Run($"Compare-HaClusterConfig -Path '{Path.Combine(_dir, "nothing.yaml")}'").Errors).FullyQualifiedErrorId);

        // History: the start on server1, then a move to server2, each with its resource step and online.
        s.Run("Move-HaGroup web -Node server2 -Wait -TimeoutSeconds 30").Ok();
        var kinds = s.Run("Get-HaGroup web -History | ForEach-Object { '{0} {1} {2} {3}' -f $_.Kind, $_.From, $_.To, $_.Outcome }").Ok()
            .Output.Select(o => o.ToString()).ToList();
        var dump = string.Join("\n", s.Run("(Get-HaGroup web -History).Steps | ForEach-Object ToString").Ok().Output.Select(o => o.ToString()));
        Assert.True(kinds.TakeLast(2).SequenceEqual(["start  server1 online", "move server1 server2 online"]), string.Join("; ", kinds) + "\n" + dump);
        var steps = s.Run("(Get-HaGroup web -History -Last 1).Steps | ForEach-Object Step").Ok().Output.Select(o => o.ToString()).ToList();
        Assert.Contains("stopping", steps);
        Assert.Contains("resource", steps);
        Assert.Equal("online", steps.Last());
        Assert.StartsWith("ExpressHa.GroupNotFound", Assert.Single(s.Run("Get-HaGroup nosuchgroup -History").Errors).FullyQualifiedErrorId);
        Assert.Equal(kinds.Count, s.Run("Get-HaGroup -History").Ok().Output.Count);

        // Bad input to the routes is a clear 400 or 404, never a crash.
        using (var http = new HttpClient { BaseAddress = _cluster.ApiOf("server1") })
        {
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", _cluster.Token);
            foreach (var (route, status, text) in new[]
                     {
                         ("v1/support/bundle", 400, "node is required"), ("v1/support/bundle?node=server9", 404, "server9"),
                         ("v1/support/bundle?node=server1&since=yesterday", 400, "ISO 8601"), ("v1/cluster/alerts?minLevel=loud", 400, "minLevel"),
                         ("v1/cluster/alerts?node=server1", 400, "unknown query parameter"), ("v1/groups/nosuch/history", 404, "nosuch"),
                     })
            {
                using var resp = await http.GetAsync(route);
                Assert.Equal(status, (int)resp.StatusCode);
                Assert.Contains(text, await resp.Content.ReadAsStringAsync());
            }
        }

        // The support archive: -WhatIf writes nothing; then every node's bundle, no secret in any file.
        var zipPath = Path.Combine(_dir, "support.zip");
        s.Run($"Save-HaClusterLog -Path '{zipPath}' -WhatIf").Ok();
        Assert.False(File.Exists(zipPath));
        Assert.Equal(zipPath, s.Run($"(Save-HaClusterLog -Path '{zipPath}').Path").Ok().Single());
        Assert.Equal(new[] { "server1", "server2" }, (string[])s.Run($"(Save-HaClusterLog -Path '{zipPath}' -Force).Nodes").Ok().Output.Select(o => o.BaseObject).Select(o => o.ToString()!).ToArray());
        var entries = Entries(zipPath);
        foreach (var node in new[] { "server1", "server2" })
            foreach (var file in new[] { "alerts.jsonl", "service.log", "config.yaml", "config.json", "status.json", "ownership.jsonl", "mirrors.json", "system.json", "manifest.json" })
                Assert.True(entries.ContainsKey($"{node}/{file}"), $"{node}/{file} is missing; the archive holds {string.Join(", ", entries.Keys)}");
        Assert.Contains("\"generation\": 1", Encoding.UTF8.GetString(entries["server1/config.json"]));
        Assert.Contains("\"state\":\"online\"", Encoding.UTF8.GetString(entries["server2/ownership.jsonl"]));
        Assert.Contains("Activating app resource has completed", Encoding.UTF8.GetString(entries["server2/alerts.jsonl"]));
        Assert.Contains("management API on", Encoding.UTF8.GetString(entries["server1/service.log"]));
        Assert.Contains("[redacted]", Encoding.UTF8.GetString(entries["server1/config.yaml"]));
        AssertNoSecrets(entries);

        // A stopped node: listed in the index as not answering, not fatal; the alert list warns.
        Assert.True(_cluster.Stop("server2", TimeSpan.FromSeconds(30)));
        await WaitAsync(st => st.Nodes.Single(n => n.Name == "server2").State != "online", "server1 to see server2 go");
        var partial = Path.Combine(_dir, "partial.zip");
        var result = s.Run($"Save-HaClusterLog -Path '{partial}'").Ok();
        Assert.Contains(result.Warnings, w => w.Contains("server2"));
        Assert.Equal("server2", s.Run($"(Save-HaClusterLog -Path '{partial}' -Force).MissingNodes").Ok().Single());
        var index = Encoding.UTF8.GetString(Entries(partial)["index.json"]);
        Assert.Matches("\"node\":\"server2\",\"answered\":false,\"error\":\"[^\"]+\"", index);
        Assert.Contains("NOT ANSWERING", Encoding.UTF8.GetString(Entries(partial)["index.txt"]));
        Assert.Contains(s.Run("Get-HaAlertLog -Cluster -Last 1").Ok().Warnings, w => w.Contains("server2"));
        Assert.StartsWith("ExpressHa.FileExists", Assert.Single(s.Run($"Save-HaClusterLog -Path '{partial}'").Errors).FullyQualifiedErrorId);
    }

    void AssertNoSecrets(Dictionary<string, byte[]> entries)
    {
        var key = File.ReadAllBytes(_cluster.KeyFile);
        var secrets = new Dictionary<string, byte[]>
        {
            ["the API token"] = Encoding.UTF8.GetBytes(_cluster.Token),
            ["the cluster key"] = key,
            ["the cluster key (hex)"] = Encoding.ASCII.GetBytes(Convert.ToHexString(key).ToLowerInvariant()),
            ["the cluster key (HEX)"] = Encoding.ASCII.GetBytes(Convert.ToHexString(key)),
            ["the cluster key (base64)"] = Encoding.ASCII.GetBytes(Convert.ToBase64String(key).TrimEnd('=')),
        };
        foreach (var (name, bytes) in entries)
            foreach (var (what, secret) in secrets)
                Assert.False(Holds(bytes, secret), $"{name} holds {what}");
    }

    public void Dispose()
    {
        _cluster.Dispose();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
