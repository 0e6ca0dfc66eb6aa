using ExpressHa.Policy;
using ExpressHa.Service.Runtime;

namespace ExpressHa.Service.Tests.Policy;

/// <summary>Which groups a starting service takes as left by its previous run, from the last journal record of each.</summary>
public class LeftoversTests
{
    static OwnershipRecord Last(string group, string state, string? owner, long generation = 4)
        => new("2026-12-06T11:02:51.040Z", "server1", group, state, generation, owner);

    public static TheoryData<string, string?, GroupState?> Rows => new()
    {
        // last record of failover1 on server1: state, owner -> the leftover's state (null: none)
        { "online", "server1", GroupState.Online },      // crashed while running
        { "starting", "server1", GroupState.Starting },
        { "stopping", "server1", GroupState.Stopping },  // stopped to move, then restarted before anyone took it over
        { "failed", "server1", GroupState.Failed },
        { "offline", "server1", null },                  // stopped for good
        { "pending", "server1", null },                  // a record kept for another node: nothing ran here
        { "online", "server2", null },                   // recorded for another owner
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void The_last_record_decides(string state, string? owner, GroupState? expected)
    {
        var config = ScenarioFile.Load(Path.Combine(ScenarioFile.ScenarioDirectory(), "78-restart-releases-leftovers.scenario")).Config;
        var s = Leftovers.StateOf(config, "server1", new[] { Last("failover1", state, owner) });
        Assert.Equal(NodeState.Online, s.Nodes["server1"].State);
        Assert.Equal(NodeState.Offline, s.Nodes["server2"].State);
        if (expected == null)
        {
            Assert.False(s.Groups.ContainsKey("failover1"));
            return;
        }
        var g = s.Groups["failover1"];
        Assert.Equal((expected, "server1", 4L), (g.State, g.Owner, g.Generation));
        Assert.All(g.Resources.Values, r => Assert.Equal(ResourceState.Online, r.State));
    }

    public static TheoryData<string?, string[], GroupState?, long> ProbedRows => new()
    {
        // the journal's last record of failover1 (null: none), resources the probe found active -> leftover state, generation
        { null, new[] { "app" }, GroupState.Online, 0 },          // no journal (a new state directory): the probe alone finds it
        { "offline", new[] { "fip1" }, GroupState.Online, 4 },     // stopped for good by the journal, yet active here
        { "stopping", new[] { "app" }, GroupState.Stopping, 4 },   // the journal already names it: its record decides
        { null, new string[0], null, 0 },                          // nothing active, nothing in the journal
    };

    [Theory]
    [MemberData(nameof(ProbedRows))]
    public void Resources_the_probe_finds_active_make_a_leftover_too(string? journal, string[] active, GroupState? expected, long generation)
    {
        var config = ScenarioFile.Load(Path.Combine(ScenarioFile.ScenarioDirectory(), "78-restart-releases-leftovers.scenario")).Config;
        var records = journal == null ? Array.Empty<OwnershipRecord>() : new[] { Last("failover1", journal, "server1") };
        var probed = new Dictionary<string, IReadOnlyCollection<string>> { ["failover1"] = active, ["gone"] = new[] { "x" } };
        var s = Leftovers.StateOf(config, "server1", records, probed);
        Assert.False(s.Groups.ContainsKey("gone"));
        if (expected == null)
        {
            Assert.False(s.Groups.ContainsKey("failover1"));
            return;
        }
        var g = s.Groups["failover1"];
        Assert.Equal((expected, "server1", generation), (g.State, g.Owner, g.Generation));
        Assert.All(g.Resources.Values, r => Assert.Equal(ResourceState.Online, r.State));
    }

    [Fact]
    public void Groups_the_config_no_longer_has_are_ignored()
    {
        var config = ScenarioFile.Load(Path.Combine(ScenarioFile.ScenarioDirectory(), "78-restart-releases-leftovers.scenario")).Config;
        Assert.Empty(Leftovers.StateOf(config, "server1", new[] { Last("gone", "online", "server1") }).Groups);
    }

    [Fact]
    public void The_journal_gives_the_last_record_of_each_group_and_skips_a_torn_line()
    {
        var dir = Directory.CreateTempSubdirectory("ehj-").FullName;
        try
        {
            var journal = new OwnershipJournal(dir, "server1");
            journal.Record("failover1", GroupState.Online, 2, "server1");
            journal.Record("manual1", GroupState.Online, 1, "server1");
            journal.Record("failover1", GroupState.Stopping, 2, "server1", "server2");
            File.AppendAllText(Path.Combine(dir, OwnershipJournal.FileName), "{\"time\":\"2026-12-");
            var last = OwnershipJournal.LastRecords(dir).ToDictionary(r => r.Group);
            Assert.Equal(("stopping", 2L, "server2"), (last["failover1"].State, last["failover1"].Generation, last["failover1"].Next));
            Assert.Equal("online", last["manual1"].State);
            Assert.Empty(OwnershipJournal.LastRecords(Path.Combine(dir, "none")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
