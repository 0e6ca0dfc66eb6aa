using System.Security.Cryptography;
using ExpressHa.Api;
using ExpressHa.Service.Mirror;

namespace ExpressHa.Service.Tests.Mirror.Engine;

public class MirrorPiecesTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("ehamirror-pieces-").FullName;
    public void Dispose() { try { Directory.Delete(_dir, true); } catch { } }

    [Fact]
    public void Key_file_reads_raw_and_base64_and_names_the_path_on_error()
    {
        var key = MirrorKeyFile.Generate(256);
        Assert.Equal(32, key.Length);
        var raw = Path.Combine(_dir, "raw.key");
        File.WriteAllBytes(raw, MirrorKeyFile.Generate(128));
        Assert.Equal(16, MirrorKeyFile.Read(raw).Length);
        var text = Path.Combine(_dir, "text.key");
        MirrorKeyFile.Write(text, key);
        Assert.Equal(key, MirrorKeyFile.Read(text));
        var bad = Path.Combine(_dir, "bad.key");
        File.WriteAllBytes(bad, new byte[20]);
        var e = Assert.Throws<InvalidDataException>(() => MirrorKeyFile.Read(bad));
        Assert.Contains(bad, e.Message);
        Assert.Contains("16, 24 or 32", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => MirrorKeyFile.Generate(100));
    }

    [Fact]
    public void Metadata_survives_reopen_and_a_torn_header_slot()
    {
        var path = Path.Combine(_dir, "m.meta");
        ulong cur;
        using (var m = MirrorMeta.OpenOrCreate(path, 10 * 65536 + 100, 65536))
        {
            Assert.True(m.Created);
            Assert.Equal(11, m.Bitmap.Blocks);
            m.Gen.StartNew();
            cur = m.Gen.Current;
            m.Set(MetaFlags.Outdated, true);
            m.WriteHeader();
            m.Bitmap.SetRange(3, 4);
            m.PersistBits(3, 4);
            m.Bitmap.SetRange(10, 10);
            m.PersistBits(10, 10);
        }
        // Tear the newest slot: the other still holds the previous header.
        using (var m = MirrorMeta.OpenOrCreate(path, 10 * 65536 + 100, 65536))
        {
            Assert.False(m.Created);
            Assert.Equal(cur, m.Gen.Current);
            Assert.True(m.Has(MetaFlags.Outdated));
            Assert.Equal(3, m.Bitmap.Count);
            Assert.Equal(3, m.Bitmap.NextSet(0));
            Assert.Equal(10, m.Bitmap.NextSet(5));
            m.Set(MetaFlags.Outdated, false);
            m.WriteHeader();
        }
        // Slots: create wrote 0 and 1, the first open's header went to 0, the second open's (Outdated cleared) to 1.
        // Tear slot 1: the reader falls back to slot 0, the header before it.
        using (var f = new FileStream(path, FileMode.Open, FileAccess.ReadWrite))
        {
            f.Position = 512 + 40;
            f.WriteByte(0xFF);
        }
        using (var m = MirrorMeta.OpenOrCreate(path, 10 * 65536 + 100, 65536))
        {
            Assert.Equal(cur, m.Gen.Current);
            Assert.True(m.Has(MetaFlags.Outdated));
        }
        var e = Assert.Throws<MirrorException>(() => MirrorMeta.OpenOrCreate(path, 20 * 65536, 65536));
        Assert.Equal(ErrorCodes.MirrorSizeMismatch, e.Code);
    }

    [Fact]
    public void Frame_cipher_detects_a_wrong_key_and_replays()
    {
        var k = RandomNumberGenerator.GetBytes(32);
        var tx = new FrameCipher(k);
        var rx = new FrameCipher(k);
        var s1 = tx.Seal("hello"u8);
        var s2 = tx.Seal("hello"u8);
        Assert.NotEqual(s1, s2); // counter nonce: same plaintext seals differently
        Assert.Equal("hello"u8.ToArray(), rx.Open(s1));
        Assert.ThrowsAny<CryptographicException>(() => rx.Open(s1)); // replay
        Assert.ThrowsAny<CryptographicException>(() => new FrameCipher(RandomNumberGenerator.GetBytes(32)).Open(tx.Seal("x"u8)));
    }

    [Fact]
    public void Bitmap_counts_and_scans()
    {
        var b = new DirtyBitmap(70);
        Assert.True(b.SetRange(5, 9));
        Assert.False(b.SetRange(6, 7));
        Assert.Equal(5, b.Count);
        Assert.Equal(5, b.NextSet(0));
        Assert.Equal(-1, b.NextSet(10));
        b.SetAll();
        Assert.Equal(70, b.Count);
        Assert.Equal(69, b.NextSet(69));
        Assert.True(b.Clear(69));
        Assert.Equal(-1, b.NextSet(69));
    }
}
