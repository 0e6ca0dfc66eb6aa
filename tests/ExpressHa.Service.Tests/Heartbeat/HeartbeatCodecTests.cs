using System.Text;
using ExpressHa.Service.Heartbeat;
using ExpressHa.Service.Security;

namespace ExpressHa.Service.Tests.Heartbeat;

public class HeartbeatCodecTests
{
    static readonly ClusterKey Key = ClusterKey.FromBytes(Encoding.UTF8.GetBytes("cluster key material for tests"));
    static readonly ClusterKey OtherKey = ClusterKey.FromBytes(Encoding.UTF8.GetBytes("another cluster's key"));

    static HeartbeatReport Report() => new()
    {
        Cluster = "c", Node = "server1", Incarnation = 7, Seq = 42, ConfigGeneration = 3,
        Groups = { new GroupReport { Name = "g", State = "online", Generation = 5, Resources = { ["app"] = "Online" } } },
    };

    [Fact]
    public void Round_trip_keeps_the_report()
    {
        var back = HeartbeatCodec.Decode(HeartbeatCodec.Encode(Report(), Key), Key, out var reason);
        Assert.Null(reason);
        Assert.Equal("server1", back!.Node);
        Assert.Equal(42, back.Seq);
        Assert.Equal("online", back.Groups.Single().State);
    }

    [Fact]
    public void Another_key_or_a_changed_byte_is_refused()
    {
        var packet = HeartbeatCodec.Encode(Report(), Key);
        Assert.Null(HeartbeatCodec.Decode(packet, OtherKey, out var reason));
        Assert.Contains("signature", reason);

        // Forge: change the node name in the JSON and keep the old signature.
        var forged = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(packet).Replace("server1", "server9"));
        Assert.Null(HeartbeatCodec.Decode(forged, Key, out reason));
        Assert.Contains("signature", reason);
    }

    [Fact]
    public void Random_packets_never_throw_and_are_refused()
    {
        var rng = new Random(1234);
        var good = HeartbeatCodec.Encode(Report(), Key);
        for (var i = 0; i < 2000; i++)
        {
            byte[] packet;
            if (i % 2 == 0)
            {
                packet = new byte[rng.Next(0, 300)];
                rng.NextBytes(packet);
                if (packet.Length >= 4 && i % 4 == 0) "EHB1"u8.CopyTo(packet);
            }
            else
            {
                packet = (byte[])good.Clone();
                packet[rng.Next(packet.Length)] ^= (byte)(1 + rng.Next(255));
            }
            Assert.Null(HeartbeatCodec.Decode(packet, Key, out var reason));
            Assert.NotNull(reason);
        }
    }
}
