namespace ExpressHa.Service.Tests.Netns.Chaos;

/// <summary>The checker on hand-made histories (no namespaces, no processes).</summary>
public sealed class HistoryCheckerTests
{
    static readonly string[] Two = { "n1", "n2" };
    const long T0 = 1_800_000_000_000;

    static ClientSample Ok(long at, string node) => new(T0 + at, T0 + at + 2, node, null);
    static ClientSample Fail(long at) => new(T0 + at, T0 + at + 500, null, "timeout");
    static ActivityEvent Start(long at, string node) => new(T0 + at, node, true);
    static ActivityEvent Stop(long at, string node, string note = "") => new(T0 + at, node, false, note);

    /// <summary>n1 runs, is cut off and fenced, n2 takes over after the fencing; heal; n2 keeps answering.</summary>
    static ChaosHistory CleanFailover() => new()
    {
        Nodes = Two,
        Activity = new[] { Start(0, "n1"), Start(6_000, "n2") },
        Fences = new[] { new FenceEvent(T0 + 5_000, "n1", "n2", false), new FenceEvent(T0 + 5_200, "n1", "n2", true) },
        Faults = new[] { new FaultWindow("n1", T0 + 3_000, T0 + 9_000, true, "cut n1 off") },
        Client = new[] { Ok(100, "n1"), Ok(2_000, "n1"), Fail(4_000), Ok(6_500, "n2"), Ok(9_500, "n2"), Ok(10_000, "n2"), Ok(11_000, "n2") },
        HealMs = T0 + 9_000,
        EndMs = T0 + 12_000,
    };

    [Fact]
    public void CleanFailover_HasNoViolation_AndMeasuresRecovery()
    {
        var r = HistoryChecker.Check(CleanFailover());
        Assert.True(r.Ok, string.Join("\n", r.Violations));
        Assert.Equal(new[] { "n1", "n2" }, r.Intervals.Select(i => i.Node));
        Assert.Equal(T0 + 5_200, r.Intervals[0].ToMs); // the fencing ended n1's ownership
        Assert.Equal(T0 + 9_502, r.RecoveredAtMs);
        Assert.Equal(502, r.TimeToRecoverMs);
    }

    [Fact]
    public void DualOwner_IsCaught_WithBothIntervals()
    {
        // n2 starts while n1 (cut off, never fenced, never stopped) still runs the application.
        var h = CleanFailover() with
        {
            Activity = new[] { Start(0, "n1"), Start(4_000, "n2"), Stop(7_000, "n1", "leftover") },
            Fences = Array.Empty<FenceEvent>(),
            Client = new[] { Ok(100, "n1"), Ok(4_500, "n2"), Ok(9_500, "n2"), Ok(11_000, "n2") },
        };
        var r = HistoryChecker.Check(h);
        var v = Assert.Single(r.Violations);
        Assert.Equal("dual-owner", v.Rule);
        Assert.Contains("n1 and n2 both ran the group", v.Message);
        Assert.Contains("3000 ms", v.Message);
    }

    [Fact]
    public void TouchingIntervals_AreNotDualOwners()
    {
        var h = CleanFailover() with
        {
            Activity = new[] { Start(0, "n1"), Stop(5_000, "n1"), Start(5_000, "n2") },
            Fences = Array.Empty<FenceEvent>(),
        };
        Assert.DoesNotContain(HistoryChecker.Check(h).Violations, v => v.Rule == "dual-owner");
    }

    [Fact]
    public void ACrashedServiceStillOwns_UntilItsNodeIsFenced()
    {
        // The fencing comes after n2 started: dual owner, although n1's service was dead (its application was not).
        var h = CleanFailover() with
        {
            Fences = new[] { new FenceEvent(T0 + 6_500, "n1", "n2", false), new FenceEvent(T0 + 7_000, "n1", "n2", true) },
        };
        var r = HistoryChecker.Check(h);
        Assert.Contains(r.Violations, v => v.Rule == "dual-owner");
    }

    [Fact]
    public void AnAnswerFromANodeThatOwnsNothing_IsCaught()
    {
        var h = CleanFailover() with { Client = CleanFailover().Client.Append(Ok(8_000, "n1")).OrderBy(s => s.SentMs).ToArray() };
        var r = HistoryChecker.Check(h);
        Assert.Contains(r.Violations, v => v.Rule == "unowned-answer" && v.Message.StartsWith("n1 answered"));
    }

    [Fact]
    public void NoRecoveryAfterTheHeal_IsCaught()
    {
        var h = CleanFailover() with
        {
            Activity = new[] { Start(0, "n1"), Start(6_000, "n2"), Stop(8_000, "n2") },
            Client = new[] { Ok(100, "n1"), Ok(6_500, "n2"), Fail(9_500), Fail(11_000) },
        };
        var r = HistoryChecker.Check(h);
        var v = Assert.Single(r.Violations);
        Assert.Equal("recovery", v.Rule);
        Assert.Null(r.TimeToRecoverMs);
    }

    [Fact]
    public void RecoveryLaterThanTheBound_IsCaught()
    {
        var r = HistoryChecker.Check(CleanFailover(), new CheckOptions { RecoveryBoundMs = 300 });
        Assert.Contains(r.Violations, v => v.Rule == "recovery" && v.Message.Contains("502 ms"));
    }

    [Fact]
    public void TwoOwnersAtTheEnd_IsNoRecovery()
    {
        var h = CleanFailover() with { Activity = new[] { Start(0, "n1"), Start(6_000, "n2"), Start(9_800, "n1") } };
        var r = HistoryChecker.Check(h);
        Assert.Contains(r.Violations, v => v.Rule == "recovery");
        Assert.Contains(r.Violations, v => v.Rule == "dual-owner");
    }

    [Fact]
    public void FencingAHealthyConnectedNode_IsCaught()
    {
        // n1 only lost one path (still connected); n2 fences it anyway.
        var h = CleanFailover() with { Faults = new[] { new FaultWindow("n1", T0 + 3_000, T0 + 9_000, false, "cut lan2 of n1") } };
        var r = HistoryChecker.Check(h);
        var v = Assert.Single(r.Violations);
        Assert.Equal("healthy-fenced", v.Rule);
        Assert.Contains("n2 fenced n1", v.Message);
    }

    [Fact]
    public void FencingWithinTheGraceAfterAFault_IsJustified_ButNotLater()
    {
        var fence = new[] { new FenceEvent(T0 + 12_000, "n1", "n2", false), new FenceEvent(T0 + 12_100, "n1", "n2", true) };
        var h = CleanFailover() with
        {
            Activity = new[] { Start(0, "n1"), Stop(4_000, "n1"), Start(6_000, "n2") },
            Fences = fence,
        };
        Assert.True(HistoryChecker.Check(h, new CheckOptions { FenceGraceMs = 3_000 }).Ok);
        Assert.Contains(HistoryChecker.Check(h, new CheckOptions { FenceGraceMs = 2_000 }).Violations, v => v.Rule == "healthy-fenced");
    }

    [Fact]
    public void Parsers_ReadWhatTheScriptsAndTheServiceWrite()
    {
        var a = HistoryChecker.ParseActivity(new[] { "1800000000000 start n1", "1800000000500 stop n1 leftover", "garbage" });
        Assert.Equal(new[] { new ActivityEvent(1800000000000, "n1", true), new ActivityEvent(1800000000500, "n1", false, "leftover") }, a);
        var f = HistoryChecker.ParseFence(new[] { "1800000000000 fence-begin n2 n1", "1800000000100 fenced n2 n1" });
        Assert.Equal(new[] { new FenceEvent(1800000000000, "n2", "n1", false), new FenceEvent(1800000000100, "n2", "n1", true) }, f);
        var o = HistoryChecker.ParseOwnership(new[] { """{"time":"2027-01-15T08:00:00.250Z","node":"n1","group":"g1","state":"online","generation":3,"owner":"n1"}""" });
        Assert.Equal(new OwnershipEvent(DateTimeOffset.Parse("2027-01-15T08:00:00.250Z").ToUnixTimeMilliseconds(), "n1", "g1", "online", 3, "n1"), Assert.Single(o));
        var s = ClientSample.Parse(new ClientSample(1, 2, null, "timeout").ToLine());
        Assert.Equal(new ClientSample(1, 2, null, "timeout"), s);
    }

    [Fact]
    public void ScheduleIsAFunctionOfTheSeed()
    {
        var a = FaultSchedule.Generate(42, Two, 5, 1500);
        var b = FaultSchedule.Generate(42, Two, 5, 1500);
        Assert.Equal(a.ToString(), b.ToString());
        Assert.NotEqual(a.ToString(), FaultSchedule.Generate(43, Two, 5, 1500).ToString());
        Assert.All(a.Faults.Zip(a.Faults.Skip(1)), p => Assert.True(p.Second.AtMs >= p.First.EndMs + 1000, "faults do not overlap and have a gap"));
    }
}
