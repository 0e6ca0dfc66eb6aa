using System.Net.Sockets;
using ExpressHa.Config;

namespace ExpressHa.Service.Partition;

/// <summary>tcp partition resolution: reachable when a TCP connection to host:port is established within
/// <see cref="TcpResolution.TimeoutMs"/> (then closed at once). Never throws: a failure is a result with its reason.</summary>
public static class TcpCheck
{
    public static async Task<CheckResult> CheckAsync(TcpResolution settings, CancellationToken cancellationToken = default)
    {
        if (settings == null) return CheckResult.Failed("no tcp target configured");
        if (string.IsNullOrWhiteSpace(settings.Host)) return CheckResult.Failed("no tcp host configured");
        if (settings.Port is <= 0 or > 65535) return CheckResult.Failed($"tcp port {settings.Port} is out of range");
        var timeoutMs = Math.Max(50, settings.TimeoutMs);
        var target = $"{settings.Host}:{settings.Port}";
        using var timeout = new CancellationTokenSource(timeoutMs);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            using var client = new TcpClient();
            client.NoDelay = true;
            var started = System.Diagnostics.Stopwatch.StartNew();
            await client.ConnectAsync(settings.Host, settings.Port, linked.Token).ConfigureAwait(false);
            return CheckResult.Ok($"connected to {target} in {started.ElapsedMilliseconds} ms");
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return CheckResult.Failed($"no connection to {target} within {timeoutMs} ms");
        }
        catch (OperationCanceledException)
        {
            return CheckResult.Failed($"tcp check of {target} cancelled");
        }
        catch (SocketException ex)
        {
            return CheckResult.Failed($"cannot connect to {target}: {ex.SocketErrorCode} ({ex.Message})");
        }
        catch (Exception ex)
        {
            return CheckResult.Failed($"cannot connect to {target}: {ex.Message}");
        }
    }
}
