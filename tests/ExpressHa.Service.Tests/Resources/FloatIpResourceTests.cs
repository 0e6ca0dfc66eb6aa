using ExpressHa.Service.Resources;

namespace ExpressHa.Service.Tests.Resources;

/// <summary>floatip in real network namespaces: A (where the driver acts) and B, joined by a veth pair on
/// 198.18.1.0/24. Nothing leaves the namespaces.</summary>
[Trait("Category", TestCategory.Namespace)]
public sealed class FloatIpResourceTests : IDisposable
{
    readonly NetNs _ns = new();
    readonly string _a, _b;
    readonly RecordingAlerts _alerts = new();

    public FloatIpResourceTests()
    {
        _a = _ns.Create("a");
        _b = _ns.Create("b");
        Sh.Must("ip", "-n", _a, "link", "add", "veth0", "type", "veth", "peer", "name", "veth1", "netns", _b);
        Sh.Must("ip", "-n", _a, "addr", "add", "198.18.1.1/24", "dev", "veth0");
        Sh.Must("ip", "-n", _b, "addr", "add", "198.18.1.2/24", "dev", "veth1");
        Sh.Must("ip", "-n", _a, "link", "set", "veth0", "up");
        Sh.Must("ip", "-n", _b, "link", "set", "veth1", "up");
    }

    public void Dispose() => _ns.Dispose();

    FloatIpResource Driver() => new(NetNs.Exec(_a), TimeSpan.FromSeconds(10));

    ResourceContext Ctx(params (string, object)[] p) => TestConfigs.Resource("vip", "floatip", TestConfigs.Bag(p), _alerts);

    static bool Has(string ns, string dev, string cidr) => Sh.Must("ip", "-n", ns, "-o", "-4", "addr", "show", "dev", dev).Contains(" " + cidr + " ");

    [NeedsFact(Need.Namespaces, "arping")]
    public async Task StartAddsTheAddressOnTheInterfaceOfItsSubnet_StopRemovesIt_BothIdempotent()
    {
        var driver = Driver();
        var ctx = Ctx(("ip", "198.18.1.10"), ("arpCount", 0L));

        await driver.StartAsync(ctx, CancellationToken.None);
        Assert.True(Has(_a, "veth0", "198.18.1.10/24"));
        await driver.StartAsync(ctx, CancellationToken.None); // already there: ok
        Assert.True(Has(_a, "veth0", "198.18.1.10/24"));

        // B reaches the floating address through the veth.
        Assert.Equal(0, Sh.Run("ip", "netns", "exec", _b, "ping", "-n", "-c", "1", "-W", "2", "198.18.1.10").Code);

        await driver.StopAsync(ctx, CancellationToken.None);
        Assert.False(Has(_a, "veth0", "198.18.1.10/24"));
        await driver.StopAsync(ctx, CancellationToken.None); // already gone: ok
        Assert.True(Has(_a, "veth0", "198.18.1.1/24"), "the interface's own address must stay");
    }

    [NeedsFact(Need.Namespaces, "arping")]
    public async Task PerNodeInterfaceAndPrefixLengthAreUsed()
    {
        var iface = new SortedDictionary<string, string>(StringComparer.Ordinal) { [TestConfigs.NodeName] = "veth0" };
        var ctx = Ctx(("ip", "198.18.7.5"), ("prefixLength", 28L), ("interface", iface), ("arpCount", 0L));
        await Driver().StartAsync(ctx, CancellationToken.None);
        Assert.True(Has(_a, "veth0", "198.18.7.5/28"));
        await Driver().StopAsync(ctx, CancellationToken.None);
        Assert.False(Has(_a, "veth0", "198.18.7.5/28"));
    }

    [NeedsFact(Need.Namespaces, "arping")]
    public async Task NoInterfaceForTheSubnet_Fails()
    {
        var e = await Assert.ThrowsAsync<ResourceException>(() => Driver().StartAsync(Ctx(("ip", "198.18.9.9")), CancellationToken.None));
        Assert.Equal(ResourceErrorCodes.NoInterface, e.Code);
    }

    [NeedsFact(Need.Namespaces, "arping")]
    public async Task AnAddressThatAlreadyAnswers_IsADuplicate_AndIsNotAdded()
    {
        Sh.Must("ip", "-n", _b, "addr", "add", "198.18.1.20/24", "dev", "veth1");
        var e = await Assert.ThrowsAsync<ResourceException>(() => Driver().StartAsync(Ctx(("ip", "198.18.1.20")), CancellationToken.None));
        Assert.Equal(ResourceErrorCodes.DuplicateAddress, e.Code);
        Assert.Contains("duplicate", e.Message);
        Assert.False(Has(_a, "veth0", "198.18.1.20/24"));
    }

    [NeedsFact(Need.Namespaces, "arping")]
    public async Task TheDuplicateCheckIsAnArpProbe_AnOwnerAnswersWithinTheWait_AFreeAddressIsAddedAfterIt()
    {
        Assert.True(CommandRunner.FindExecutable("arping") != null, "arping (iputils-arping) is needed for the ARP duplicate-address probe");
        Sh.Must("ip", "-n", _b, "addr", "add", "198.18.1.21/24", "dev", "veth1");
        var taken = await Assert.ThrowsAsync<ResourceException>(() => Driver().StartAsync(Ctx(("ip", "198.18.1.21"), ("duplicateWaitMs", 200L)), CancellationToken.None));
        Assert.Equal(ResourceErrorCodes.DuplicateAddress, taken.Code);
        Assert.Contains("ARP", taken.Message);

        // A free address: the probe gets no answer and the start goes on once the bounded wait is over.
        var ctx = Ctx(("ip", "198.18.1.22"), ("arpCount", 0L), ("duplicateWaitMs", 100L));
        await Driver().StartAsync(ctx, CancellationToken.None);
        Assert.True(Has(_a, "veth0", "198.18.1.22/24"), "the free address must be added after the probe found no owner");
    }

    [NeedsFact(Need.Namespaces, "arping")]
    public async Task AStopEndsTheAnnouncements_SoTheNextHoldersDuplicateCheckRightAfterFindsTheAddressFree()
    {
        // A announces three times, one second apart; the address moves to B before the second announcement is due.
        var ctx = Ctx(("ip", "198.18.1.40"), ("arpCount", 3L), ("duplicateWaitMs", 200L));
        var a = Driver();
        await a.StartAsync(ctx, CancellationToken.None);
        await Task.Delay(300);
        await a.StopAsync(ctx, CancellationToken.None);
        Assert.True(a.LastAnnouncement!.IsCompleted, "the stop must end the running gratuitous ARP sender");
        Assert.Contains(_alerts.LogLines("floatip"), l => l.Contains("ended early"));

        var b = new FloatIpResource(NetNs.Exec(_b), TimeSpan.FromSeconds(10));
        var started = DateTime.UtcNow;
        // B probes for as long as A's sender would have gone on (until about 2 s after A's start): never a duplicate.
        while (DateTime.UtcNow - started < TimeSpan.FromSeconds(2.2))
        {
            await b.StartAsync(ctx, CancellationToken.None);
            await b.StopAsync(ctx, CancellationToken.None);
        }
    }

    [NeedsFact(Need.Namespaces, "arping")]
    public async Task TheProbeSaysWhetherTheAddressIsHere()
    {
        var ctx = Ctx(("ip", "198.18.1.23"), ("arpCount", 0L));
        Assert.Equal(ResourceProbe.Inactive, await Driver().ProbeAsync(ctx, CancellationToken.None));
        await Driver().StartAsync(ctx, CancellationToken.None);
        Assert.Equal(ResourceProbe.Active, await Driver().ProbeAsync(ctx, CancellationToken.None));
        Assert.Equal(ResourceProbe.Unknown, await Driver().ProbeAsync(Ctx(("ip", "not-an-address")), CancellationToken.None));
    }

    [NeedsFact(Need.Namespaces, "arping")]
    public async Task GratuitousArpIsSentOrItsSkipIsLogged()
    {
        // Let B learn addresses from unsolicited ARP so the announcement is visible in its neighbour table.
        Sh.Run("ip", "netns", "exec", _b, "sysctl", "-q", "-w", "net.ipv4.conf.veth1.arp_accept=1");
        var driver = Driver();
        await driver.StartAsync(Ctx(("ip", "198.18.1.30"), ("arpCount", 1L), ("pingCheck", false)), CancellationToken.None);
        Assert.NotNull(driver.LastAnnouncement);
        await driver.LastAnnouncement!.WaitAsync(TimeSpan.FromSeconds(15));

        var logs = _alerts.LogLines("floatip").ToList();
        if (CommandRunner.FindExecutable("arping") == null)
        {
            Assert.Contains(logs, l => l.Contains("gratuitous ARP skipped"));
            return;
        }
        Assert.Contains(logs, l => l.Contains("gratuitous ARP sent for 198.18.1.30 on veth0"));
        var neigh = Sh.Must("ip", "-n", _b, "neigh", "show", "198.18.1.30");
        Assert.Contains("lladdr", neigh);
    }
}
