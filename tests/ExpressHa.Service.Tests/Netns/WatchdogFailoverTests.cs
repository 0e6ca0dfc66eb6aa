using Xunit.Abstractions;

namespace ExpressHa.Service.Tests.Netns;

/// <summary>Ping partition resolution without fencing, every host with a watchdog: the survivor starts a lost host's
/// group only after the watchdog bound, and the lost host is reset before that, in the two cases a self-stop estimate
/// does not cover: a stalled service, and a one-way loss where the active host still hears its peer and so never runs
/// partition resolution itself.</summary>
[Trait("Category", TestCategory.Namespace)]
[Collection("Netns")]
public sealed class WatchdogFailoverTests : IDisposable
{
    readonly WatchdogHosts _h;

    public WatchdogFailoverTests(ITestOutputHelper output) => _h = new WatchdogHosts(output);

    public void Dispose() => _h.Dispose();

    async Task StartClusterAsync()
    {
        foreach (var host in WatchdogHosts.Hosts) _h.Start(host);
        await _h.Until(() => _h.Activity().Any(a => a.Start && a.Host == "h1"), TimeSpan.FromSeconds(60), "g1 started on h1");
        await _h.Until(() => _h.Alerts("h1").Any(a => a.Message.Contains("Server h2 has started")), TimeSpan.FromSeconds(60), "h2 joined");
        await Task.Delay(1000);
    }

    void AssertResetBeforeTakeover(string what)
    {
        var takeover = _h.Activity().First(a => a.Start && a.Host == "h2").AtMs;
        Assert.True(_h.Resets.TryGetValue("h1", out var reset), $"{what}: h1 was never reset by its watchdog, yet h2 took over at {takeover}\n{_h.Describe()}");
        Assert.True(reset < takeover, $"{what}: h2 started g1 at {takeover}, before h1's watchdog reset it at {reset} (two owners)\n{_h.Describe()}");
        var wait = _h.Alerts("h2").FirstOrDefault(a => a.Module == "np" && a.EventId == 3);
        Assert.True(wait != null && wait.Message.Contains("watchdog resets it within"), $"{what}: h2's alert does not say it waits on the watchdog bound\n{_h.Describe()}");
    }

    [NeedsFact(Need.Namespaces, "nft")]
    public async Task AStalledActiveService_IsResetByItsWatchdog_BeforeThePeerTakesOver()
    {
        await StartClusterAsync();
        NsShell.Must("kill", "-STOP", _h.Pid("h1").ToString());
        await _h.Until(() => _h.Activity().Any(a => a.Start && a.Host == "h2"), TimeSpan.FromSeconds(30), "h2 took g1 over");
        AssertResetBeforeTakeover("stalled h1");
    }

    [NeedsFact(Need.Namespaces, "nft")]
    public async Task OneWayLoss_TheActiveHostThatIsNoLongerHeard_StopsFeedingAndIsResetBeforeThePeerTakesOver()
    {
        await StartClusterAsync();
        // h2 no longer hears h1; h1 still hears h2 (it never loses its peer), but h2's heartbeats stop echoing h1's.
        _h.DropFrom("h2", "h1");
        await _h.Until(() => _h.Activity().Any(a => a.Start && a.Host == "h2"), TimeSpan.FromSeconds(30), "h2 took g1 over");
        AssertResetBeforeTakeover("one-way loss into h2");
        var stop = _h.Alerts("h1").FirstOrDefault(a => a.Module == "wd" && a.EventId == 1);
        Assert.True(stop != null && stop.Message.Contains("still hears this node"), $"h1 did not say why it stopped feeding\n{_h.Describe()}");
    }
}
