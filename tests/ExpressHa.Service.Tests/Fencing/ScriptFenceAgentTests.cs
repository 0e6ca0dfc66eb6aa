using System.Diagnostics;
using ExpressHa.Config;
using ExpressHa.Service.Fencing;

namespace ExpressHa.Service.Tests.Fencing;

[Trait("Category", TestCategory.Process)]
public sealed class ScriptFenceAgentTests
{
    static FenceRequest Request(string command, TimeSpan? timeout = null, List<string>? log = null)
    {
        var config = new ClusterConfig();
        config.Cluster.Name = "cluster";
        config.Nodes.Add(new NodeConfig { Name = "server1" });
        config.Nodes.Add(new NodeConfig { Name = "server2", InstanceId = "i-0node200000000002" });
        return new FenceRequest(config, new FencingLevel { Type = FencingTypes.Script, Command = command },
            config.Nodes[1], config.Nodes[0], "heartbeat lost", timeout ?? TimeSpan.FromSeconds(10))
        {
            Log = log == null ? null : l => { lock (log) log.Add(l); },
        };
    }

    [Fact]
    public async Task Exit_0_is_fenced_and_the_argument_is_the_node_name()
    {
        var log = new List<string>();
        var r = await new ScriptFenceAgent().FenceAsync(
            Request("f() { echo \"arg=$1 n=$# env=$EXPRESSHA_FENCE_TARGET self=$EXPRESSHA_FENCE_SELF i=$EXPRESSHA_FENCE_TARGET_INSTANCE\"; echo oops >&2; }; f", log: log),
            CancellationToken.None);
        Assert.True(r.Fenced, r.Message);
        Assert.Equal(FenceCodes.Fenced, r.Code);
        Assert.Contains("arg=server2 n=1 env=server2 self=server1 i=i-0node200000000002", r.Output);
        Assert.Contains("oops", r.Output);
        Assert.Contains(log, l => l.Contains("arg=server2"));
    }

    [Fact]
    public async Task Exit_1_is_a_failure_with_the_last_output()
    {
        var r = await new ScriptFenceAgent().FenceAsync(Request("f() { echo \"cannot reach the PDU for $1\"; exit 1; }; f"), CancellationToken.None);
        Assert.False(r.Fenced);
        Assert.Equal(FenceCodes.ScriptFailed, r.Code);
        Assert.True(r.Retryable);
        Assert.Contains("exited with 1", r.Message);
        Assert.Contains("cannot reach the PDU for server2", r.Message);
    }

    [Fact]
    public async Task A_command_that_outlasts_the_timeout_is_killed_with_its_children()
    {
        var pidFile = Path.Combine(Path.GetTempPath(), "expressha-fence-pid-" + Guid.NewGuid().ToString("N"));
        try
        {
            var sw = Stopwatch.StartNew();
            var r = await new ScriptFenceAgent { KillGrace = TimeSpan.FromMilliseconds(300) }.FenceAsync(
                Request($"sh -c 'echo $$ > {pidFile}; exec sleep 30' &  wait; true", TimeSpan.FromSeconds(1)), CancellationToken.None);
            Assert.False(r.Fenced);
            Assert.Equal(FenceCodes.Timeout, r.Code);
            Assert.InRange(sw.Elapsed.TotalSeconds, 0.9, 5);
            var pid = int.Parse(File.ReadAllText(pidFile).Trim());
            await Eventually.UntilAsync(() => !(Directory.Exists("/proc/" + pid) && IsAlive(pid)), TimeSpan.FromSeconds(3),
                "the command's child to end after the timeout", pollMs: 50);
        }
        finally { File.Delete(pidFile); }
    }

    static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return !stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z');
        }
        catch (IOException) { return false; }
    }

    [Fact]
    public async Task A_level_without_command_is_a_config_error()
    {
        var r = await new ScriptFenceAgent().FenceAsync(Request("  "), CancellationToken.None);
        Assert.Equal(FenceCodes.BadConfig, r.Code);
        Assert.False(r.Retryable);
    }

    [Fact]
    public void The_node_name_is_passed_as_an_argument_not_spliced_into_the_line()
    {
        Assert.Equal(new[] { "/bin/sh", "-c", "/usr/local/bin/off \"$1\"", "sh", "a b;c" }, ScriptFenceAgent.Argv("/usr/local/bin/off", "a b;c"));
    }
}
