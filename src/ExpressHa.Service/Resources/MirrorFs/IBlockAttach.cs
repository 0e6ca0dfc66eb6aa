namespace ExpressHa.Service.Resources.MirrorFs;

/// <summary>Turns this node's NBD export into a block device, and back.</summary>
public interface IBlockAttach
{
    /// <summary>Attaches the export; the record says what to tear down. On failure nothing is left attached.</summary>
    Task<AttachRecord> AttachAsync(NbdTarget target, CancellationToken ct);
    /// <summary>Flushes and detaches; succeeds when the record's device is already gone.</summary>
    Task DetachAsync(AttachRecord record, CancellationToken ct);
}

/// <summary>Where the export is: host and port, or a Unix socket; and the export's name.</summary>
public sealed record NbdTarget(string ExportName, string? Host, int Port, string? UnixSocket)
{
    public static NbdTarget Parse(string exportName, string endpoint)
    {
        if (endpoint.StartsWith("unix:", StringComparison.Ordinal)) return new(exportName, null, 0, endpoint["unix:".Length..]);
        var colon = endpoint.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(endpoint[(colon + 1)..], out var port))
            throw new ResourceException(ResourceErrorCodes.BadParameter, $"exportAddress '{endpoint}' of {exportName} is not host:port or unix:/path");
        return new(exportName, endpoint[..colon].Trim('[', ']'), port, null);
    }

    /// <summary>The NBD URI libnbd tools take.</summary>
    public string Uri
        => UnixSocket is { } s
            ? $"nbd+unix:///{Uri_(ExportName)}?socket={Uri_(s)}"
            : $"nbd://{(Host!.Contains(':') ? "[" + Host + "]" : Host)}:{Port}/{Uri_(ExportName)}";

    static string Uri_(string s) => System.Uri.EscapeDataString(s).Replace("%2F", "/");
}
