using ExpressHa.Service.Resources;
using ExpressHa.Service.Resources.MirrorFs;
using ExpressHa.Service.Tests.Mirror.Nbd;
using ExpressHa.Service.Tests.Resources;

namespace ExpressHa.Service.Tests.Mirror.MirrorFs;

/// <summary>The mount path with the real tools: an NBD export of an image file (Unix socket), attached with nbdfuse
/// and a loop device, probed with blkid, formatted, checked and mounted, and torn down again.</summary>
[Trait("Category", TestCategory.Mirror)]
[Collection(MirrorFsCollection.Name)]
public sealed class MirrorMountTests : IAsyncLifetime
{
    const long Size = 64L << 20;
    NbdTestHost _host = null!;
    readonly RecordingAlerts _alerts = new();
    ResourceContext _context = null!;
    MountSettings _settings = null!;

    public async Task InitializeAsync()
    {
        _host = await NbdTestHost.StartAsync(Size, unix: true);
        var state = Path.Combine(_host.Directory, "state");
        Directory.CreateDirectory(state);
        _context = TestConfigs.Resource(NbdTestHost.ExportName, "mirror", TestConfigs.Bag(
            ("mountPoint", Path.Combine(_host.Directory, "mnt")), ("attach", "nbdfuse"), ("unmountGraceSeconds", 1L), ("mountTimeoutSeconds", 30L)), _alerts, state);
        _settings = MountSettings.For(_context.Resource, TestConfigs.NodeName, state)!;
    }

    public async Task DisposeAsync()
    {
        FsScratch.TearDown(_host.Directory);
        await _host.DisposeAsync();
    }

    Task Mount() => MirrorMount.MountAsync(_context, _settings, "unix:" + _host.SocketPath, CancellationToken.None);
    Task Unmount() => MirrorMount.UnmountAsync(_context, _settings, CancellationToken.None);
    string Log => string.Join('\n', _alerts.LogLines(MirrorResource.LogModule));
    string Mnt => _settings.MountPoint;

    void AssertNothingAttached()
    {
        Assert.Null(MountTable.At(Mnt));
        Assert.Null(MountTable.At(_settings.FuseDir));
        Assert.False(File.Exists(_settings.RecordFile), "the attach record is still there");
        Assert.DoesNotContain(_settings.FuseDir, Sh.Run("losetup", "--list", "--noheadings", "--output", "BACK-FILE").Output);
    }

    [NeedsFact(Need.Root, "nbdfuse", "fusermount3", "mkfs.ext4", "e2fsck", "losetup", "debugfs", "blkid", "mkswap")]
    public async Task An_empty_device_gets_a_file_system_that_holds_a_file_across_unmount_and_mount_without_a_new_mkfs()
    {
        await Mount();
        Assert.Equal("ext4", MountTable.At(Mnt)?.FsType);
        Assert.Contains("creating ext4", Log);
        await File.WriteAllTextAsync(Path.Combine(Mnt, "hello.txt"), "kept");
        await Unmount();
        AssertNothingAttached();
        // The image itself now holds a clean ext4 with the file: read it without mounting.
        Assert.Equal(0, Sh.Run("e2fsck", "-fn", _host.BackingPath).Code);
        Assert.Contains("kept", Sh.Must("debugfs", "-R", "cat /hello.txt", _host.BackingPath));

        _alerts.Logs.Clear();
        await Mount();
        Assert.Equal("kept", await File.ReadAllTextAsync(Path.Combine(Mnt, "hello.txt")));
        Assert.DoesNotContain("creating", Log);
        Assert.DoesNotContain("fsck -p", Log);    // cleanly unmounted: not checked
        await Unmount();
        AssertNothingAttached();
    }

    [NeedsFact(Need.Root, "nbdfuse", "fusermount3", "mkfs.ext4", "e2fsck", "losetup", "debugfs", "blkid", "mkswap")]
    public async Task An_existing_file_system_is_kept_never_formatted()
    {
        var src = Directory.CreateDirectory(Path.Combine(_host.Directory, "src")).FullName;
        await File.WriteAllTextAsync(Path.Combine(src, "data.txt"), "made before the first start");
        Sh.Must("mkfs.ext4", "-q", "-F", "-d", src, _host.BackingPath);
        var uuid = Sh.Must("blkid", "-p", "-s", "UUID", "-o", "value", _host.BackingPath).Trim();

        await Mount();
        Assert.Equal("made before the first start", await File.ReadAllTextAsync(Path.Combine(Mnt, "data.txt")));
        Assert.DoesNotContain("creating", Log);
        await Unmount();
        Assert.Equal(uuid, Sh.Must("blkid", "-p", "-s", "UUID", "-o", "value", _host.BackingPath).Trim());
    }

    [NeedsFact(Need.Root, "nbdfuse", "fusermount3", "mkfs.ext4", "e2fsck", "losetup", "debugfs", "blkid", "mkswap")]
    public async Task A_device_holding_another_file_system_or_unknown_data_is_refused_and_left_as_it_was()
    {
        Sh.Must("mkswap", _host.BackingPath);
        var before = _host.ReadBacking(0, 1 << 20);
        var ex = await Assert.ThrowsAsync<ResourceException>(Mount);
        Assert.Equal(MirrorFsErrorCodes.NotFormatted, ex.Code);
        Assert.Contains("holds swap, not ext4", ex.Message);
        AssertNothingAttached();
        Assert.Equal(before, _host.ReadBacking(0, 1 << 20));

        var junk = new byte[1 << 20];
        new Random(3).NextBytes(junk);
        await using (var f = new FileStream(_host.BackingPath, FileMode.Open, FileAccess.Write, FileShare.ReadWrite)) await f.WriteAsync(junk);
        ex = await Assert.ThrowsAsync<ResourceException>(Mount);
        Assert.Equal(MirrorFsErrorCodes.NotFormatted, ex.Code);
        Assert.Contains("no file system blkid recognises", ex.Message);
        AssertNothingAttached();
        Assert.Equal(junk, _host.ReadBacking(0, 1 << 20));
    }

    [NeedsFact(Need.Root, "nbdfuse", "fusermount3", "mkfs.ext4", "e2fsck", "losetup", "debugfs", "blkid", "mkswap")]
    public async Task A_check_that_fails_is_an_activation_error_carrying_the_fsck_output()
    {
        Sh.Must("mkfs.ext4", "-q", "-F", _host.BackingPath);
        Sh.Must("debugfs", "-w", "-R", "clri <2>", _host.BackingPath);      // the root directory's inode, cleared
        Sh.Must("debugfs", "-w", "-R", "ssv state 2", _host.BackingPath);   // and the file system marked as having errors
        var ex = await Assert.ThrowsAsync<ResourceException>(Mount);
        Assert.Equal(MirrorFsErrorCodes.CheckFailed, ex.Code);
        Assert.Contains("Root inode is not a directory", ex.Message);
        Assert.Contains("exit 4", ex.Message);
        AssertNothingAttached();
    }

    [NeedsFact(Need.Root, "nbdfuse", "fusermount3", "mkfs.ext4", "e2fsck", "losetup", "debugfs", "blkid", "mkswap")]
    public async Task A_file_system_left_mounted_is_torn_down_and_checked_at_the_next_start()
    {
        await Mount();
        await File.WriteAllTextAsync(Path.Combine(Mnt, "a.txt"), "before the crash");
        using (var f = new FileStream(Path.Combine(Mnt, "a.txt"), FileMode.Open, FileAccess.ReadWrite)) f.Flush(true);
        // The service dies here: the record, the mount, the loop device and nbdfuse all stay behind.
        _alerts.Logs.Clear();
        await Mount();
        Assert.Contains("left the file system attached", Log);
        Assert.Contains("fsck -p", Log);
        Assert.Equal("before the crash", await File.ReadAllTextAsync(Path.Combine(Mnt, "a.txt")));
        await Unmount();
        AssertNothingAttached();
    }

    [NeedsFact(Need.Root, "nbdfuse", "fusermount3", "mkfs.ext4", "e2fsck", "losetup", "debugfs", "blkid", "mkswap")]
    public async Task A_busy_file_system_is_unmounted_after_the_grace_period_by_killing_what_holds_it()
    {
        await Mount();
        using var holder = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("sleep", "600") { WorkingDirectory = Mnt })!;
        try
        {
            var sw = System.Diagnostics.Stopwatch.StartNew();
            await Unmount();
            Assert.True(holder.WaitForExit(5000), "the process holding the file system was not killed");
            Assert.True(sw.Elapsed >= _settings.UnmountGrace, $"killed after {sw.Elapsed}, before the grace period");
            Assert.Contains("still busy", Log);
            AssertNothingAttached();
        }
        finally { if (!holder.HasExited) holder.Kill(); }
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MirrorFsCollection { public const string Name = "MirrorFs"; }

/// <summary>Tears down, by pid and by backing file, whatever a test left under its own directory: mounts (deepest
/// first), loop devices whose backing file is there, nbdfuse processes serving a file there.</summary>
public static class FsScratch
{
    public static void TearDown(string dir)
    {
        foreach (var m in MountTable.Read().Where(m => m.MountPoint.StartsWith(dir, StringComparison.Ordinal) && m.FsType != "fuse")
                     .OrderByDescending(m => m.MountPoint.Length))
            Sh.Run("umount", "-l", m.MountPoint);
        foreach (var line in Sh.Run("losetup", "--list", "--noheadings", "--output", "NAME,BACK-FILE").Output.Split('\n'))
        {
            var parts = line.Trim().Split(' ', 2, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 2 && parts[1].Trim().StartsWith(dir, StringComparison.Ordinal)) Sh.Run("losetup", "-d", parts[0]);
        }
        foreach (var m in MountTable.Read().Where(m => m.MountPoint.StartsWith(dir, StringComparison.Ordinal)).OrderByDescending(m => m.MountPoint.Length))
            Sh.Run("fusermount3", "-u", "-z", m.MountPoint);
    }
}
