using System.Net;
using System.Net.Sockets;
using ExpressHa.Config;

namespace ExpressHa.Service.Resources;

/// <summary>floatip: an on-premises floating IPv4 address added to an interface of the active node with iproute2.
/// Start: already present → ok; pingCheck and the address answers → duplicate (code 10); else
/// <c>ip addr add IP/prefix dev IFACE</c>, then gratuitous ARP (arping -U in the background when installed,
/// otherwise logged as skipped). The duplicate check is ARP duplicate address detection (RFC 5227 probe, arping -D)
/// on the chosen interface, waiting at most <c>duplicateWaitMs</c> (50 ms) after the probe for an answer: an owner on the LAN answers within a
/// round trip, so a failover does not pay for a ping's one-second wait. Without arping it falls back to ping. Stop: <c>ip addr del</c> on whichever interface holds it; absent → ok.
/// The interface is the resource's per-node <c>interface</c>, else the one whose subnet contains the address.</summary>
public sealed class FloatIpResource : IResourceDriver
{
    public const string LogModule = "floatip";

    readonly string[] _prefix;

    /// <param name="commandPrefix">Words put before every command (ip, ping, arping), e.g. ["ip","netns","exec","ns1"]
    /// so tests can aim the driver at a network namespace. Null: run on the host.</param>
    /// <param name="commandTimeout">Bound on each ip/ping command (default 10 s).</param>
    public FloatIpResource(IEnumerable<string>? commandPrefix = null, TimeSpan? commandTimeout = null)
    {
        _prefix = commandPrefix?.ToArray() ?? Array.Empty<string>();
        CommandTimeout = commandTimeout ?? TimeSpan.FromSeconds(10);
        _addresses = new IpAddresses(_prefix, CommandTimeout);
    }

    readonly IpAddresses _addresses;

    public string Type => "floatip";
    public TimeSpan CommandTimeout { get; }
    /// <summary>The last gratuitous ARP sender started by StartAsync (tests wait for it); null when none ran.</summary>
    public Task? LastAnnouncement { get; private set; }

    // The announcements still running per address: a stop ends them first, or the next holder's duplicate check would
    // hear this node's late gratuitous ARP (arping -U sends one per second) and refuse the address.
    readonly Dictionary<IPAddress, (CancellationTokenSource Stop, Task Sender)> _announcing = new();
    readonly object _announceGate = new();

    public async Task StartAsync(ResourceContext context, CancellationToken cancellationToken)
    {
        var (ip, prefixLength) = ReadAddress(context.Resource);
        var r = context.Resource;
        var addrs = await _addresses.ListAsync(cancellationToken).ConfigureAwait(false);
        var held = addrs.FirstOrDefault(a => a.Address.Equals(ip));
        if (held != null)
        {
            context.Alerts.Log(LogModule, $"{r.Name}: {ip} is already on {held.Interface}");
            return;
        }

        var iface = ChooseInterface(context, ip, addrs);

        if (r.GetParameter("pingCheck") is not false)
        {
            var waitMs = r.GetParameter("duplicateWaitMs") is long w ? (int)w : DefaultDuplicateWaitMs;
            var answer = CommandRunner.FindExecutable("arping") != null
                ? await AnswersArpProbeAsync(ip, iface, waitMs, cancellationToken).ConfigureAwait(false)
                : await AnswersPingAsync(ip, cancellationToken).ConfigureAwait(false);
            if (answer != null)
                throw new ResourceException(ResourceErrorCodes.DuplicateAddress, $"{ip} already answers on the network (duplicate address: {answer})");
        }

        await _addresses.AddAsync(ip, prefixLength, iface, cancellationToken).ConfigureAwait(false);
        context.Alerts.Log(LogModule, $"{r.Name}: added {ip}/{prefixLength} to {iface}");

        var count = r.GetParameter("arpCount") is long n ? (int)n : 3;
        if (count > 0)
        {
            await StopAnnouncingAsync(ip).ConfigureAwait(false);
            var stop = new CancellationTokenSource();
            var sender = AnnounceAsync(context, ip, iface, count, stop.Token);
            lock (_announceGate) _announcing[ip] = (stop, sender);
            LastAnnouncement = sender;
        }
    }

    async Task StopAnnouncingAsync(IPAddress ip)
    {
        (CancellationTokenSource Stop, Task Sender) running;
        lock (_announceGate)
        {
            if (!_announcing.Remove(ip, out running)) return;
        }
        running.Stop.Cancel();
        try { await running.Sender.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false); }
        catch (TimeoutException) { }
        running.Stop.Dispose();
    }

    public async Task StopAsync(ResourceContext context, CancellationToken cancellationToken)
    {
        var (ip, _) = ReadAddress(context.Resource);
        await StopAnnouncingAsync(ip).ConfigureAwait(false);
        var addrs = await _addresses.ListAsync(cancellationToken).ConfigureAwait(false);
        foreach (var a in addrs.Where(a => a.Address.Equals(ip)))
        {
            await _addresses.DeleteAsync(a, cancellationToken).ConfigureAwait(false);
            context.Alerts.Log(LogModule, $"{context.Resource.Name}: removed {ip} from {a.Interface}");
        }
    }

    /// <summary>Active when the address is on one of this node's interfaces.</summary>
    public async Task<ResourceProbe> ProbeAsync(ResourceContext context, CancellationToken cancellationToken)
    {
        try
        {
            var (ip, _) = ReadAddress(context.Resource);
            var addrs = await _addresses.ListAsync(cancellationToken).ConfigureAwait(false);
            return addrs.Any(a => a.Address.Equals(ip)) ? ResourceProbe.Active : ResourceProbe.Inactive;
        }
        catch (ResourceException) { return ResourceProbe.Unknown; }
    }

    static (IPAddress Ip, int PrefixLength) ReadAddress(ResourceConfig r)
    {
        var text = r.GetParameter("ip") as string;
        if (text == null || !IPAddress.TryParse(text, out var ip) || ip.AddressFamily != AddressFamily.InterNetwork)
            throw new ResourceException(ResourceErrorCodes.BadParameter, $"ip '{text}' is not an IPv4 address");
        var prefix = r.GetParameter("prefixLength") is long p ? (int)p : 24;
        if (prefix is < 1 or > 32) throw new ResourceException(ResourceErrorCodes.BadParameter, $"prefixLength {prefix} is out of range");
        return (ip, prefix);
    }

    string ChooseInterface(ResourceContext context, IPAddress ip, IReadOnlyList<InterfaceAddress> addrs)
    {
        if (context.Resource.GetParameter("interface", context.Node.Name) is { } configured)
            return configured;
        var match = addrs
            .Where(a => a.Interface != "lo" && a.PrefixLength < 32 && a.Contains(ip))
            .OrderByDescending(a => a.PrefixLength)
            .FirstOrDefault();
        return match?.Interface ?? throw new ResourceException(ResourceErrorCodes.NoInterface,
            $"no interface given for node {context.Node.Name} and no interface has a subnet containing {ip}");
    }

    public const int DefaultDuplicateWaitMs = 50;

    /// <summary>ARP duplicate address detection: one probe from 0.0.0.0 for the address on the interface; a reply means
    /// another host holds it. iputils arping only takes whole seconds as a deadline, so the wait is bounded here by
    /// ending it: no reply within <paramref name="waitMs"/> of the probe going out (arping prints its header line as it
    /// sends) means no owner on the segment; a slow start of arping itself does not eat into the wait. Returns what
    /// answered, or null.</summary>
    async Task<string?> AnswersArpProbeAsync(IPAddress ip, string iface, int waitMs, CancellationToken cancellationToken)
    {
        using var window = new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, window.Token);
        // arping's stdout is a pipe here, so its header would come only at exit: stdbuf makes it line-buffered.
        // Without stdbuf the wait counts from the start of arping instead.
        var lineBuffered = CommandRunner.FindExecutable("stdbuf") != null;
        var argv = new[] { "arping", "-D", "-c", "1", "-w", "1", "-I", iface, ip.ToString() };
        if (lineBuffered) argv = new[] { "stdbuf", "-oL" }.Concat(argv).ToArray();
        else window.CancelAfter(waitMs);
        CommandResult res;
        try
        {
            res = await RunAsync(argv, linked.Token,
                TimeSpan.FromMilliseconds(waitMs + 2000), line =>
                {
                    if (line.StartsWith("ARPING", StringComparison.Ordinal)) window.CancelAfter(waitMs);
                }).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (window.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        if (res.TimedOut || res.ExitCode == 0) return null;
        var reply = res.Lines.FirstOrDefault(l => l.Contains("reply from", StringComparison.OrdinalIgnoreCase));
        if (reply != null) return "ARP " + reply.Trim();
        throw new ResourceException(ResourceErrorCodes.CommandFailed, $"the ARP duplicate-address probe for {ip} on {iface} failed" + Tail(res));
    }

    async Task<string?> AnswersPingAsync(IPAddress ip, CancellationToken cancellationToken)
    {
        if (CommandRunner.FindExecutable("ping") == null)
            throw new ResourceException(ResourceErrorCodes.CannotRun, "the duplicate check needs arping (iputils-arping) or ping (iputils-ping); install one or set pingCheck to false");
        var res = await RunAsync(new[] { "ping", "-n", "-q", "-c", "2", "-i", "0.3", "-W", "1", ip.ToString() }, cancellationToken).ConfigureAwait(false);
        return res.Succeeded ? "it answers ping" : null;
    }

    async Task AnnounceAsync(ResourceContext context, IPAddress ip, string iface, int count, CancellationToken stop)
    {
        var name = context.Resource.Name;
        try
        {
            if (CommandRunner.FindExecutable("arping") == null)
            {
                context.Alerts.Log(LogModule, $"{name}: gratuitous ARP skipped (arping is not installed)");
                return;
            }
            var res = await RunAsync(new[] { "arping", "-U", "-c", count.ToString(), "-I", iface, ip.ToString() }, stop,
                TimeSpan.FromSeconds(count + 5)).ConfigureAwait(false);
            context.Alerts.Log(LogModule, res.Succeeded || res.ExitCode == 1 // iputils arping -U exits 1: no replies expected
                ? $"{name}: gratuitous ARP sent for {ip} on {iface} ({count}x)"
                : $"{name}: gratuitous ARP for {ip} on {iface} failed" + Tail(res));
        }
        catch (OperationCanceledException)
        {
            context.Alerts.Log(LogModule, $"{name}: gratuitous ARP for {ip} on {iface} ended early: the address is being released");
        }
        catch (Exception e)
        {
            context.Alerts.Log(LogModule, $"{name}: gratuitous ARP for {ip} on {iface} failed: {e.Message}");
        }
    }

    async Task<CommandResult> RunAsync(string[] argv, CancellationToken cancellationToken, TimeSpan? timeout = null, Action<string>? onLine = null)
    {
        try
        {
            return await CommandRunner.RunAsync(new CommandSpec(_prefix.Concat(argv))
            {
                OnLine = onLine,
                Timeout = timeout ?? CommandTimeout,
                KillGrace = TimeSpan.FromMilliseconds(onLine != null ? 20 : 500),
                DrainBound = TimeSpan.FromMilliseconds(50),
                // Error texts are matched below: keep them untranslated.
                Environment = new Dictionary<string, string> { ["LC_ALL"] = "C" },
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new ResourceException(ResourceErrorCodes.CannotRun, $"cannot run {string.Join(' ', _prefix.Concat(argv))}: {e.Message}", e);
        }
    }

    static string Tail(CommandResult r) => r.TimedOut ? ": timed out" : r.LastLine is { Length: > 0 } l ? ": " + l : $": exit {r.ExitCode}";
}
