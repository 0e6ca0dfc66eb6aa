using ExpressHa.AwsLocal;
using ExpressHa.Config;
using ExpressHa.Demo;
using Xunit.Abstractions;

namespace ExpressHa.Service.Tests.Integration;

/// <summary>AWS fencing end to end: real node processes, the real AWSSDK.EC2 inside them, the local AWS endpoint.
/// The frozen owner's "instance" really stops: the endpoint's stop hook SIGKILLs that node's service and application,
/// and only then does the group start on the survivor.</summary>
[Trait("Category", TestCategory.Process)]
[Collection(IntegrationCollection.Name)]
public sealed class AwsFencingFlowTests(ITestOutputHelper output)
{
    // The example world's ids with hex digits, as the config validator wants real instance ids.
    const string Instance1 = "i-0a0d1000000000001", Instance2 = "i-0a0d2000000000002";

    [Fact]
    public async Task FrozenOwner_IsStoppedThroughEc2_ItsProcessesEnd_ThenTheGroupMoves()
    {
        var world = File.ReadAllText(AwsResources.AwsWorld.ExampleWorldPath)
            .Replace(AwsResources.AwsWorld.Node1, Instance1).Replace(AwsResources.AwsWorld.Node2, Instance2);
        await using var aws = await AwsLocalServer.StartAsync(new World(World.Parse(world)), "127.0.0.1", 0);
        aws.World.Write(s => { foreach (var i in s.Instances) { i.StopSeconds = 30; i.ForceStopSeconds = 0.5; i.StopHook = null; } });
        using var t = new TestCluster(output, (c, dir) =>
        {
            var url = aws.BaseAddress.ToString().TrimEnd('/');
            c.Cluster.Aws.Region = aws.World.Read(s => s.Region);
            c.Cluster.Aws.Endpoints["ec2"] = url;
            c.Nodes[0].InstanceId = Instance1;
            c.Nodes[1].InstanceId = Instance2;
            c.Cluster.Fencing.Levels.Add(new FencingLevel { Type = FencingTypes.Aws });
            c.Cluster.Fencing.TimeoutSeconds = 20;
            c.Cluster.Fencing.Retries = 0;
            TestCluster.RecordAppStarts(c, dir);
        });
        var key = aws.World.Read(s => s.AccessKeys[0]);
        t.C.NodeEnvironment["AWS_ACCESS_KEY_ID"] = key.Id;
        t.C.NodeEnvironment["AWS_SECRET_ACCESS_KEY"] = key.Secret;
        t.C.NodeEnvironment["AWS_EC2_METADATA_DISABLED"] = "true";
        await t.Run(async () =>
        {
            await t.StartAll();
            Assert.Equal("server1", await t.WaitForStartAsync());
            var service = t.C.ProcessOf("server1")!;
            var appPid = int.Parse(File.ReadAllText(Path.Combine(t.C.StateDir("server1"), "app.pid")).Trim());
            // What stopping the instance does to the machine: every process of that node ends.
            aws.World.Write(s => s.Instances.Single(i => i.Id == Instance1).StopHook = $"kill -9 {service.Id} {appPid}");

            Assert.True(NativeSignals.Pause(service.Id));
            await t.WaitFor("server2", s => TestCluster.Group(s) is { State: "online", Owner: "server2" }, TimeSpan.FromSeconds(30), "group online on server2 after the AWS fence");

            Assert.Equal("stopped", aws.World.Read(s => s.Instances.Single(i => i.Id == Instance1).State));
            Assert.Equal("running", aws.World.Read(s => s.Instances.Single(i => i.Id == Instance2).State));
            Assert.True(service.WaitForExit(5000), "server1's service still runs after its instance was stopped");
            Assert.False(ProcessAlive(appPid), "server1's application still runs after its instance was stopped");
            var stop = aws.CallLog.Single(c => c.Action == "StopInstances");
            Assert.Null(stop.ErrorCode);

            var alerts = t.Alerts("server2");
            var fenced = alerts.FindIndex(a => a.Module == "fence" && a.EventId == 13);
            var appStarted = alerts.FindLastIndex(a => a.Module == "rc" && a.EventId == 31);
            Assert.True(fenced >= 0 && fenced < appStarted, "the fence did not come before the start on server2:\n" + TestCluster.Lines(alerts));
            Assert.Contains(Instance1, alerts[fenced].Message);
            Assert.Equal(new[] { "server1 start app", "server2 start app" }, t.ReadLines("events.txt"));
            Assert.Equal("server2", await t.AppAnswer("server2"));
        });
    }

    /// <summary>Running and not a zombie (the killed application may wait for a parent that never reaps it).</summary>
    static bool ProcessAlive(int pid)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (true)
        {
            string stat;
            try { stat = File.ReadAllText($"/proc/{pid}/stat"); }
            catch (IOException) { return false; }
            var state = stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0];
            if (state is "Z" or "X") return false;
            if (DateTime.UtcNow > deadline) return true;
            Thread.Sleep(100);
        }
    }
}
