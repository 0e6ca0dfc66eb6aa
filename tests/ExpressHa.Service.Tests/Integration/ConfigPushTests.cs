using ExpressHa.Config;
using ExpressHa.Yaml;
using Xunit.Abstractions;

namespace ExpressHa.Service.Tests.Integration;

/// <summary>Config pushes on three nodes: an invalid config and a config one node refuses in the prepare phase change
/// nothing anywhere; a valid one becomes generation 2 on every node.</summary>
[Trait("Category", TestCategory.Process)]
[Collection(IntegrationCollection.Name)]
public sealed class ConfigPushTests(ITestOutputHelper output)
{
    async Task AssertGenerationEverywhere(TestCluster t, long generation, bool hasServer3)
    {
        foreach (var node in t.NodeNames)
        {
            var s = await t.StatusAsync(node);
            Assert.True(generation == s.ConfigGeneration, $"{node} reports config generation {s.ConfigGeneration}, expected {generation}");
            Assert.Equal(generation.ToString(), File.ReadAllText(Path.Combine(t.C.StateDir(node), "generation")).Trim());
            Assert.Equal(hasServer3, File.ReadAllText(Path.Combine(t.C.StateDir(node), "config.yaml")).Contains("server3"));
            Assert.Equal(("online", "server1"), (TestCluster.Group(s).State, TestCluster.Group(s).Owner));
        }
    }

    [Fact]
    public async Task InvalidConfig_IsRejectedWithErrors_AndNoNodeChanges()
    {
        using var t = new TestCluster(output, nodes: 3);
        await t.Run(async () =>
        {
            await t.StartAll();
            Assert.Equal("server1", await t.WaitForStartAsync());
            using var c = t.Client("server2");

            var garbage = await c.PushConfigAsync("apiVersion: expressha/v1\ncluster: [unclosed\n", dryRun: false);
            Assert.False(garbage.Applied);
            Assert.NotEmpty(garbage.Errors);
            t.Log("errors for broken YAML: " + string.Join(" | ", garbage.Errors));

            var config = t.C.BuildConfig();
            config.Groups[0].Servers.Add("server9"); // not a node of the cluster
            var invalid = await c.PushConfigAsync(ConfigYamlWriter.Write(config), dryRun: false);
            Assert.False(invalid.Applied);
            Assert.Contains(invalid.Errors, e => e.Contains("server9"));
            Assert.Equal(1, invalid.Generation);
            t.Log("errors for an unknown server: " + string.Join(" | ", invalid.Errors));

            await AssertGenerationEverywhere(t, 1, hasServer3: true);
        });
    }

    [Fact]
    public async Task ConfigRefusedByOneNodeInPrepare_ChangesNoNode()
    {
        using var t = new TestCluster(output, nodes: 3);
        await t.Run(async () =>
        {
            await t.StartAll();
            Assert.Equal("server1", await t.WaitForStartAsync());

            // Valid on its own, but server3 is not in it: server1 and server2 prepare it, server3 refuses, all abort.
            var config = t.C.BuildConfig();
            config.Nodes.RemoveAll(n => n.Name == "server3");
            config.Groups[0].Servers.Remove("server3");
            config.Groups.Add(new GroupConfig { Name = "extra", Startup = GroupPolicies.Manual, Servers = { "server1", "server2" }, Resources = { TestCluster.MarkerResource(t.Dir, "x") } });
            using var c = t.Client("server2");
            var result = await c.PushConfigAsync(ConfigYamlWriter.Write(config), dryRun: false);
            t.Log($"push: applied {result.Applied}, generation {result.Generation}, errors [{string.Join(" | ", result.Errors)}], refusals [{string.Join(" | ", result.Refusals.Select(r => r.Node + ": " + string.Join("; ", r.Reasons)))}]");
            Assert.False(result.Applied);
            Assert.Empty(result.Errors);
            var refusal = Assert.Single(result.Refusals);
            Assert.Equal("server3", refusal.Node);
            Assert.Contains(refusal.Reasons, r => r.Contains("not in the pushed config"));
            Assert.Equal(1, result.Generation);

            await AssertGenerationEverywhere(t, 1, hasServer3: true);
            foreach (var node in t.NodeNames)
                Assert.DoesNotContain((await t.StatusAsync(node)).Groups, g => g.Name == "extra");
            Assert.Contains(t.Alerts("server2"), a => a.Module == "config" && a.EventId == 2 && a.Message.Contains("server3"));
            // No node kept the refused generation staged: nothing committed it later either.
            await Task.Delay(3 * TestCluster.IntervalMs);
            await AssertGenerationEverywhere(t, 1, hasServer3: true);
        });
    }

    [Fact]
    public async Task ValidConfig_DryRunChangesNothing_PushBecomesGeneration2OnEveryNode()
    {
        using var t = new TestCluster(output, nodes: 3);
        await t.Run(async () =>
        {
            await t.StartAll();
            Assert.Equal("server1", await t.WaitForStartAsync());
            var config = t.C.BuildConfig();
            config.Groups.Add(new GroupConfig { Name = "extra", Startup = GroupPolicies.Manual, Servers = { "server2", "server1" }, Resources = { TestCluster.MarkerResource(t.Dir, "x") } });
            var yaml = ConfigYamlWriter.Write(config);
            using var c = t.Client("server3");

            var dry = await c.PushConfigAsync(yaml, dryRun: true);
            Assert.True(dry.DryRun);
            Assert.False(dry.Applied);
            Assert.Contains(dry.Diff.Added, a => a.Contains("extra"));
            await AssertGenerationEverywhere(t, 1, hasServer3: true);

            var result = await c.PushConfigAsync(yaml, dryRun: false);
            Assert.True(result.Applied, "refusals: " + string.Join(" | ", result.Refusals.Select(r => r.Node + ": " + string.Join("; ", r.Reasons))) + " errors: " + string.Join(" | ", result.Errors));
            Assert.Equal(2, result.Generation);
            await AssertGenerationEverywhere(t, 2, hasServer3: true);
            foreach (var node in t.NodeNames)
                Assert.Equal("offline", TestCluster.Group(await t.StatusAsync(node), "extra").State);

            // The new group is live: it starts on its first server.
            var start = await c.StartGroupAsync("extra");
            Assert.True(start.Ok, start.Message);
            await t.WaitForAll(s => TestCluster.Group(s, "extra") is { State: "online", Owner: "server2" }, TimeSpan.FromSeconds(10), "group extra online on server2");
            Assert.Equal(new[] { "server2 start x" }, t.ReadLines("events.txt"));
        });
    }
}
