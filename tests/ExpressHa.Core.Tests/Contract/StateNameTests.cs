using System.Reflection;
using ExpressHa.Api;
using ExpressHa.Policy;

namespace ExpressHa.Core.Tests.Contract;

/// <summary>The wire names of states are the contract's constants; scripts and older nodes read them, so they are pinned.</summary>
public class StateNameTests
{
    static readonly Type[] NameClasses =
    [
        typeof(ServiceStates), typeof(NodeStates), typeof(PathStates), typeof(GroupStates), typeof(ResourceStates), typeof(MonitorStates),
        typeof(EpisodeKinds), typeof(EpisodeOutcomes), typeof(MirrorRoles), typeof(MirrorConnectionStates), typeof(MirrorDiskStates),
        typeof(MirrorSyncStates), typeof(JobStates), typeof(JobKinds),
    ];

    static string[] Constants(Type t) => t.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToArray();

    [Fact]
    public void Each_class_lists_all_its_names_once()
    {
        foreach (var t in NameClasses)
        {
            var names = Constants(t);
            Assert.Equal(names.Length, names.Distinct(StringComparer.OrdinalIgnoreCase).Count());
            if (t.GetField("All")?.GetValue(null) is string[] all) Assert.Equal(names.OrderBy(n => n), all.OrderBy(n => n));
        }
    }

    [Fact]
    public void The_wire_names_are_the_shipped_ones()
    {
        Assert.Equal(["running", "stopped", "suspended", "stopping"], Constants(typeof(ServiceStates)));
        Assert.Equal(["online", "offline", "suspended", "lost"], Constants(typeof(NodeStates)));
        Assert.Equal(["up", "down", "self"], Constants(typeof(PathStates)));
        Assert.Equal(["offline", "starting", "online", "stopping", "failed", "pending"], Constants(typeof(GroupStates)));
        Assert.Equal(["offline", "starting", "online", "stopping", "startfailed", "stopfailed"], Constants(typeof(ResourceStates)));
        Assert.Equal(["normal", "warning", "error", "suspended", "inactive"], Constants(typeof(MonitorStates)));
        Assert.Equal(["Primary", "Secondary"], Constants(typeof(MirrorRoles)));
        Assert.Equal(["Connected", "Connecting", "Disconnected", "Suspended", "SplitBrain", "KeyMismatch", "AuthFailed"], Constants(typeof(MirrorConnectionStates)));
        Assert.Equal(["UpToDate", "Consistent", "Outdated", "Inconsistent", "Failed"], Constants(typeof(MirrorDiskStates)));
        Assert.Equal(["None", "SyncSource", "SyncTarget"], Constants(typeof(MirrorSyncStates)));
    }

    /// <summary>Every value of the policy's enums has a wire name: its own name in lower case, as nodes have always written it.</summary>
    [Fact]
    public void Every_policy_state_has_its_wire_name_and_reads_back()
    {
        Check<NodeState>(StateNames.Of, NodeStates.All);
        Check<GroupState>(StateNames.Of, GroupStates.All);
        Check<ResourceState>(StateNames.Of, ResourceStates.All);
        Check<MonitorState>(StateNames.Of, MonitorStates.All);

        static void Check<T>(Func<T, string> of, string[] all) where T : struct, Enum
        {
            var values = Enum.GetValues<T>();
            Assert.Equal(all.OrderBy(x => x), values.Select(of).OrderBy(x => x));
            foreach (var v in values)
            {
                Assert.Equal(v.ToString().ToLowerInvariant(), of(v));
                Assert.True(StateNames.TryParse<T>(of(v), out var back));
                Assert.Equal(v, back);
                Assert.True(StateNames.TryParse<T>(v.ToString(), out back));
                Assert.Equal(v, back);
            }
            Assert.False(StateNames.TryParse<T>("no-such-state", out _));
            Assert.False(StateNames.TryParse<T>(null, out _));
        }
    }
}
