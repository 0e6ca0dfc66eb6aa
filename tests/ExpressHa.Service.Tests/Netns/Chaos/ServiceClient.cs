using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ExpressHa.Service.Tests.Netns.Chaos;

/// <summary>A client inside the topology (its own namespace on the public path) that keeps calling the group's
/// service at the floating address: connect to 198.18.1.100:AppPort, read one line (the answering node's name). Every
/// call becomes a <see cref="ClientSample"/> (send and done times, who answered or why it failed), also written to
/// client.log.</summary>
public sealed class ServiceClient : IAsyncDisposable
{
    readonly string _netns;
    readonly IPEndPoint _target;
    readonly string _logFile;
    readonly List<ClientSample> _samples = new();
    readonly CancellationTokenSource _stop = new();
    readonly Task _loop;

    public ServiceClient(string netns, string address, int port, string logFile, int everyMs = 100)
    {
        _netns = netns;
        _target = new IPEndPoint(IPAddress.Parse(address), port);
        _logFile = logFile;
        _loop = Task.Run(() => Loop(everyMs, _stop.Token));
    }

    public List<ClientSample> Samples
    {
        get { lock (_samples) return _samples.ToList(); }
    }

    /// <summary>The newest sample, if any.</summary>
    public ClientSample? Last
    {
        get { lock (_samples) return _samples.Count == 0 ? null : _samples[^1]; }
    }

    async Task Loop(int everyMs, CancellationToken ct)
    {
        await using var log = new StreamWriter(_logFile, append: true) { AutoFlush = true };
        while (!ct.IsCancellationRequested)
        {
            var sent = ChaosTopology.NowMs();
            string? node = null, error = null;
            try
            {
                using var socket = NamespaceSocket.Create(_netns);
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(500);
                await socket.ConnectAsync(_target, timeout.Token);
                var buffer = new byte[64];
                var n = 0;
                while (n < buffer.Length)
                {
                    var got = await socket.ReceiveAsync(buffer.AsMemory(n), SocketFlags.None, timeout.Token);
                    if (got == 0) break;
                    n += got;
                    if (Array.IndexOf(buffer, (byte)'\n', 0, n) >= 0) break;
                }
                var text = Encoding.ASCII.GetString(buffer, 0, n).Trim();
                if (text.Length == 0) error = "empty answer";
                else node = text;
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested) { error = "timeout"; }
            catch (OperationCanceledException) { break; }
            catch (SocketException e) { error = e.SocketErrorCode.ToString(); }
            var sample = new ClientSample(sent, ChaosTopology.NowMs(), node, error);
            lock (_samples) _samples.Add(sample);
            await log.WriteLineAsync(sample.ToLine());
            var rest = everyMs - (int)(sample.DoneMs - sent);
            if (rest > 0)
                try { await Task.Delay(rest, ct); } catch (OperationCanceledException) { break; }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        try { await _loop; } catch (Exception) { }
        _stop.Dispose();
    }
}
