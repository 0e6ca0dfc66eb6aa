namespace ExpressHa.Service.Monitors;

/// <summary>nic: the node's <c>interface</c> has link and is operationally up, read from sysfs
/// (<see cref="NicLink.Judge"/>). sysfs shows the interfaces of the network namespace the service runs in.</summary>
public sealed class NicProbe : IMonitorProbe
{
    readonly string _root;

    /// <param name="sysClassNet">Where the interfaces are listed (default /sys/class/net).</param>
    public NicProbe(string sysClassNet = "/sys/class/net") { _root = sysClassNet; }

    public string Type => "nic";

    public Task<ProbeResult> ProbeAsync(MonitorContext context, CancellationToken cancellationToken)
    {
        var name = context.Monitor.GetParameter("interface", context.Node.Name) as string;
        if (string.IsNullOrWhiteSpace(name))
            return Task.FromResult(ProbeCodes.Fail(ProbeCodes.Failed, $"no interface is configured for {context.Node.Name}"));
        if (name.Contains('/') || name is "." or "..")
            return Task.FromResult(ProbeCodes.Fail(ProbeCodes.Failed, $"'{name}' is not an interface name"));
        var dir = Path.Combine(_root, name);
        if (!Directory.Exists(dir))
            return Task.FromResult(ProbeCodes.Fail(ProbeCodes.Failed, $"interface {name} does not exist"));
        return Task.FromResult(NicLink.Judge(name, Read(dir, "flags"), Read(dir, "operstate"), Read(dir, "carrier")));
    }

    static string? Read(string dir, string file)
    {
        try { return File.ReadAllText(Path.Combine(dir, file)); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }
}
