using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ExpressHa.Api;
using ExpressHa.Service.Mirror;

namespace ExpressHa.Service.Tests.Mirror.Engine;

/// <summary>Two mirror engines in one process on 127.0.0.1 (ephemeral ports), each with its own data and metadata
/// files in a temp directory. node-a sorts lower, so it dials. Each engine's OutdatePeer asks the other engine (when it
/// runs) to outdate itself, as the management API would.</summary>
public sealed class MirrorPair : IAsyncDisposable
{
    public const string NodeA = "node-a", NodeB = "node-b";
    public const int Block = MirrorOptions.DefaultBlockSize;

    public string Dir { get; } = Directory.CreateTempSubdirectory("ehamirror-").FullName;
    public long Size { get; }
    public int PortA { get; } = FreePort();
    public int PortB { get; } = FreePort();
    public MirrorEngine? A { get; private set; }
    public MirrorEngine? B { get; private set; }
    public ConcurrentQueue<(string Node, string Level, int Id, string Message)> Alerts { get; } = new();
    public ConcurrentQueue<string> Logs { get; } = new();

    public byte[] ClusterKeyA = Encoding.UTF8.GetBytes("mirror test cluster key");
    public byte[] ClusterKeyB = Encoding.UTF8.GetBytes("mirror test cluster key");
    public byte[]? EncKeyA, EncKeyB;
    public long RateA, RateB;
    public TimeSpan AckTimeout = TimeSpan.FromSeconds(5);
    /// <summary>When set, node-a dials this port (a recording proxy) instead of node-b's.</summary>
    public int? ProxyPortForA;

    public MirrorPair(long size) { Size = size; }

    public string DataPath(string node) => Path.Combine(Dir, node + ".data");
    public string MetaPath(string node) => Path.Combine(Dir, node + ".meta");

    public MirrorOptions Options(string node)
    {
        bool a = node == NodeA;
        return new MirrorOptions
        {
            Name = "md1", LocalNode = node, PeerNode = a ? NodeB : NodeA,
            DataPath = DataPath(node), MetaPath = MetaPath(node), SizeBytes = Size,
            ListenEndPoint = new IPEndPoint(IPAddress.Loopback, a ? PortA : PortB),
            PeerEndPoint = new IPEndPoint(IPAddress.Loopback, a ? ProxyPortForA ?? PortB : PortA),
            ClusterKey = a ? ClusterKeyA : ClusterKeyB,
            EncryptionKey = a ? EncKeyA : EncKeyB,
            SyncRateBytesPerSecond = a ? RateA : RateB,
            ConnectRetryInterval = TimeSpan.FromMilliseconds(200),
            AckTimeout = AckTimeout,
            OutdatePeer = async ct =>
            {
                var other = a ? B : A;
                if (other is null) return false;
                try { await other.OutdateAsync(ct); return true; }
                catch { return false; }
            },
            Alert = (e, msg) => Alerts.Enqueue((node, e.Level, e.Id, msg)),
            Log = line => Logs.Enqueue(line),
        };
    }

    public async Task<MirrorEngine> StartA() { A = new MirrorEngine(Options(NodeA)); await A.StartAsync(default); return A; }
    public async Task<MirrorEngine> StartB() { B = new MirrorEngine(Options(NodeB)); await B.StartAsync(default); return B; }

    public async Task StopA() { var e = A; A = null; if (e is not null) { await e.DisposeAsync(); NoIllegalStateChange(e); } }
    public async Task CrashA() { var e = A; A = null; if (e is not null) { await e.CrashForTest(); NoIllegalStateChange(e); } }
    public async Task CrashB() { var e = B; B = null; if (e is not null) { await e.CrashForTest(); NoIllegalStateChange(e); } }
    public async Task StopB() { var e = B; B = null; if (e is not null) { await e.DisposeAsync(); NoIllegalStateChange(e); } }

    /// <summary>Every state change an engine made went through the transition table (a Debug build also throws where
    /// it happens, but a background task may swallow that).</summary>
    void NoIllegalStateChange(MirrorEngine e)
    {
        if (e.IllegalStateChanges != 0)
            throw new Xunit.Sdk.XunitException($"{e.Options.LocalNode}: {e.IllegalStateChanges} illegal mirror state change(s)\n" +
                string.Join("\n", Logs.Where(l => l.Contains("BUG:")).Take(10)));
    }

    /// <summary>Starts both, waits for the connection, promotes A and waits for the initial full copy.</summary>
    public async Task<IBlockDevice> StartSyncedWithPrimaryA()
    {
        await StartA();
        await StartB();
        await WaitUntil(() => A!.GetStatus().Connection == "Connected" && B!.GetStatus().Connection == "Connected", "both connected");
        var dev = await A!.PromoteAsync(default);
        await WaitInSync();
        return dev;
    }

    public bool InSync()
    {
        if (A is null || B is null) return false;
        var a = A.GetStatus();
        var b = B.GetStatus();
        return a.Connection == "Connected" && b.Connection == "Connected" && a.Sync == "None" && b.Sync == "None"
               && a.Disk == "UpToDate" && b.Disk == "UpToDate" && a.DirtyBytes == 0 && b.DirtyBytes == 0
               && a.CurrentGeneration == b.CurrentGeneration;
    }

    public Task WaitInSync(double seconds = 30) => WaitUntil(InSync, "both copies in sync", seconds);

    public string Describe() =>
        $"A={(A is null ? "-" : JsonSerializer.Serialize(A.GetStatus()))}\nB={(B is null ? "-" : JsonSerializer.Serialize(B.GetStatus()))}\n" +
        $"log tail:\n{string.Join("\n", Logs.TakeLast(25))}";

    public Task WaitUntil(Func<bool> condition, string what, double seconds = 30)
        => Eventually.UntilAsync(condition, TimeSpan.FromSeconds(seconds), what, Describe, pollMs: 50);

    public string Sha(string node) => ShaFile(DataPath(node));

    public static string ShaFile(string path)
    {
        using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return Convert.ToHexString(SHA256.HashData(f));
    }

    /// <summary>Random writes: unaligned offsets and lengths, block-crossing, some zero fills, some FUA.</summary>
    public static async Task WriteRandom(IBlockDevice dev, Random rng, int count, long maxOffset = -1)
    {
        long limit = maxOffset < 0 ? dev.Size : maxOffset;
        for (int i = 0; i < count; i++)
        {
            int len = rng.Next(1, 3 * Block);
            long off = rng.NextInt64(0, limit - len);
            if (rng.Next(8) == 0) await dev.WriteZeroesAsync(off, len, rng.Next(2) == 0, default);
            else
            {
                var buf = new byte[len];
                rng.NextBytes(buf);
                await dev.WriteAsync(off, buf, rng.Next(4) == 0, default);
            }
        }
    }

    public int AlertCount(string node, int id) => Alerts.Count(a => a.Node == node && a.Id == id);

    internal static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int p = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return p;
    }

    public async ValueTask DisposeAsync()
    {
        await StopA();
        await StopB();
        try { Directory.Delete(Dir, true); } catch { }
    }
}
