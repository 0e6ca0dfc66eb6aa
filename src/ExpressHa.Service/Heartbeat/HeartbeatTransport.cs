using System.Net;
using System.Net.Sockets;
using ExpressHa.Config;
using ExpressHa.Service.Alerts;
using ExpressHa.Service.Security;

namespace ExpressHa.Service.Heartbeat;

/// <summary>UDP heartbeats: one socket per interconnect this node has an address on; each report goes to every peer
/// on every shared interconnect. Received packets are verified, then handed over with the path they came in on.</summary>
public sealed class HeartbeatTransport : IDisposable
{
    readonly ClusterConfig _config;
    readonly NodeConfig _self;
    readonly ClusterKey _key;
    readonly IAlertSink _log;
    readonly Action<HeartbeatReport, string> _onReceive;
    readonly Dictionary<string, UdpClient> _sockets = new(StringComparer.Ordinal);
    readonly CancellationTokenSource _stop = new();
    long _rejected;
    DateTime _lastRejectLog = DateTime.MinValue;

    public HeartbeatTransport(ClusterConfig config, string self, ClusterKey key, IAlertSink log, Action<HeartbeatReport, string> onReceive)
    {
        _config = config;
        _self = config.FindNode(self) ?? throw new ArgumentException($"node '{self}' is not in the config", nameof(self));
        _key = key;
        _log = log;
        _onReceive = onReceive;
    }

    public long Rejected => Interlocked.Read(ref _rejected);

    public static int PortOf(ClusterConfig c, NodeConfig n) => n.HeartbeatPort ?? c.Cluster.Heartbeat.Port;

    public void Start()
    {
        foreach (var (ic, address) in _self.Addresses)
        {
            var socket = new UdpClient(AddressFamily.InterNetwork);
            socket.Client.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Client.Bind(new IPEndPoint(IPAddress.Parse(address), PortOf(_config, _self)));
            _sockets[ic] = socket;
            _ = ReceiveLoop(ic, socket);
        }
    }

    public void Send(HeartbeatReport report)
    {
        var packet = HeartbeatCodec.Encode(report, _key);
        foreach (var peer in _config.Nodes)
        {
            if (peer.Name == _self.Name) continue;
            foreach (var (ic, socket) in _sockets)
            {
                if (!peer.Addresses.TryGetValue(ic, out var address)) continue;
                try
                {
                    socket.Send(packet, packet.Length, new IPEndPoint(IPAddress.Parse(address), PortOf(_config, peer)));
                }
                catch (SocketException)
                {
                    // A path that cannot send (link down, no route) simply stops refreshing the peer's view of it.
                }
            }
        }
    }

    async Task ReceiveLoop(string ic, UdpClient socket)
    {
        while (!_stop.IsCancellationRequested)
        {
            UdpReceiveResult result;
            try
            {
                result = await socket.ReceiveAsync(_stop.Token);
            }
            catch (OperationCanceledException) { return; }
            catch (ObjectDisposedException) { return; }
            catch (SocketException) { continue; }

            var report = HeartbeatCodec.Decode(result.Buffer, _key, out var reason);
            if (report == null || report.Cluster != _config.Cluster.Name || report.Node == _self.Name)
            {
                Interlocked.Increment(ref _rejected);
                if (DateTime.UtcNow - _lastRejectLog > TimeSpan.FromSeconds(30))
                {
                    _lastRejectLog = DateTime.UtcNow;
                    _log.Log("heartbeat", $"dropped a packet on {ic} from {result.RemoteEndPoint}: {reason ?? "another cluster or this node"}");
                }
                continue;
            }
            _onReceive(report, ic);
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        foreach (var s in _sockets.Values) s.Dispose();
    }
}
