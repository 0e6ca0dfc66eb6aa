using ExpressHa.Service.Mirror;

namespace ExpressHa.Service.Tests.Mirror;

public sealed class FileBlockDeviceTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "ehafbd-" + Guid.NewGuid().ToString("N")[..12]);

    public FileBlockDeviceTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    string PathOf(string name) => Path.Combine(_dir, name);

    [Fact]
    public async Task Writes_reads_and_zeroes_at_byte_offsets()
    {
        using var d = FileBlockDevice.Create(PathOf("a.img"), 3 << 20);
        Assert.Equal(3 << 20, d.Size);
        Assert.False(d.ReadOnly);

        var data = new byte[10_000];
        new Random(1).NextBytes(data);
        await d.WriteAsync(12345, data, fua: true, CancellationToken.None);
        var back = new byte[10_000];
        await d.ReadAsync(12345, back, CancellationToken.None);
        Assert.Equal(data, back);

        // Zeroes across more than one internal chunk.
        await d.WriteAsync(0, Enumerable.Repeat((byte)7, 3 << 20).ToArray(), fua: false, CancellationToken.None);
        await d.WriteZeroesAsync(100, (2 << 20) + 5, fua: true, CancellationToken.None);
        await d.FlushAsync(CancellationToken.None);
        var all = await File.ReadAllBytesAsync(PathOf("a.img"));
        Assert.Equal(7, all[99]);
        Assert.All(all[100..((2 << 20) + 105)], b => Assert.Equal(0, b));
        Assert.Equal(7, all[(2 << 20) + 105]);
    }

    [Fact]
    public async Task Out_of_range_access_is_EINVAL()
    {
        using var d = FileBlockDevice.Create(PathOf("b.img"), 4096);
        var e1 = await Assert.ThrowsAsync<BlockDeviceException>(() => d.ReadAsync(4000, new byte[97], CancellationToken.None).AsTask());
        Assert.Equal(BlockDeviceException.EINVAL, e1.Errno);
        var e2 = await Assert.ThrowsAsync<BlockDeviceException>(() => d.WriteAsync(-1, new byte[1], false, CancellationToken.None).AsTask());
        Assert.Equal(BlockDeviceException.EINVAL, e2.Errno);
        var e3 = await Assert.ThrowsAsync<BlockDeviceException>(() => d.WriteZeroesAsync(1, long.MaxValue, false, CancellationToken.None).AsTask());
        Assert.Equal(BlockDeviceException.EINVAL, e3.Errno);
        // The last byte is in range.
        await d.ReadAsync(4095, new byte[1], CancellationToken.None);
        Assert.Equal(4096, new FileInfo(PathOf("b.img")).Length);
    }

    [Fact]
    public async Task A_read_only_device_refuses_writes_with_EPERM()
    {
        FileBlockDevice.Create(PathOf("c.img"), 8192).Dispose();
        using var d = new FileBlockDevice(PathOf("c.img"), readOnly: true);
        Assert.True(d.ReadOnly);
        var e = await Assert.ThrowsAsync<BlockDeviceException>(() => d.WriteAsync(0, new byte[512], true, CancellationToken.None).AsTask());
        Assert.Equal(BlockDeviceException.EPERM, e.Errno);
        var z = await Assert.ThrowsAsync<BlockDeviceException>(() => d.WriteZeroesAsync(0, 512, false, CancellationToken.None).AsTask());
        Assert.Equal(BlockDeviceException.EPERM, z.Errno);
        await d.ReadAsync(0, new byte[8192], CancellationToken.None);
    }

    [Fact]
    public async Task A_file_shorter_than_the_given_size_reads_zeroes_past_its_end()
    {
        await File.WriteAllBytesAsync(PathOf("d.img"), Enumerable.Repeat((byte)9, 100).ToArray());
        using var d = new FileBlockDevice(PathOf("d.img"), size: 1000);
        Assert.Equal(1000, d.Size);
        var b = new byte[200];
        Array.Fill(b, (byte)0xff);
        await d.ReadAsync(50, b, CancellationToken.None);
        Assert.All(b[..50], x => Assert.Equal(9, x));
        Assert.All(b[50..], x => Assert.Equal(0, x));
    }
}
