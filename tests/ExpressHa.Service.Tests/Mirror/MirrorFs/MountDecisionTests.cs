using ExpressHa.Service.Resources;
using ExpressHa.Service.Resources.MirrorFs;

namespace ExpressHa.Service.Tests.Mirror.MirrorFs;

public class MountDecisionTests
{
    const MountAction Mkfs = MountAction.MakeFileSystem, Check = MountAction.Check, Mount = MountAction.Mount;

    public static TheoryData<string, DeviceContent, LastStop, string?, MountAction[], bool> Table => new()
    {
        { "a new device: created, then mounted", DeviceContent.Empty, LastStop.Unknown, null, new[] { Mkfs, Mount }, false },
        { "a new device, whatever the stop said", DeviceContent.Empty, LastStop.Unclean, null, new[] { Mkfs, Mount }, false },
        { "the file system, cleanly unmounted: mounted as is", DeviceContent.ExpectedFileSystem, LastStop.Clean, "ext4", new[] { Mount }, false },
        { "the file system after a crash: checked first", DeviceContent.ExpectedFileSystem, LastStop.Unclean, "ext4", new[] { Check, Mount }, false },
        { "the file system, no clean flag to read: checked first", DeviceContent.ExpectedFileSystem, LastStop.Unknown, "xfs", new[] { Check, Mount }, false },
        { "another file system: never formatted over", DeviceContent.OtherSignature, LastStop.Unknown, "xfs", Array.Empty<MountAction>(), true },
        { "a partition table: never formatted over", DeviceContent.OtherSignature, LastStop.Unknown, "a partition table dos", Array.Empty<MountAction>(), true },
        { "data blkid does not know: never formatted over", DeviceContent.UnknownData, LastStop.Unknown, null, Array.Empty<MountAction>(), true },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void Decides_as_the_table_says(string why, DeviceContent content, LastStop lastStop, string? found, MountAction[] actions, bool refused)
    {
        var plan = MountDecision.Decide(content, lastStop, "ext4", found);
        Assert.True(actions.SequenceEqual(plan.Actions), $"{why}: {plan}");
        Assert.Equal(refused, plan.Refused);
        if (refused)
        {
            Assert.Contains("nothing is created over it", plan.Refusal);
            if (found is not null) Assert.Contains(found, plan.Refusal);
        }
    }

    [Fact]
    public void Only_an_empty_device_is_ever_formatted()
    {
        foreach (var content in Enum.GetValues<DeviceContent>())
            foreach (var stop in Enum.GetValues<LastStop>())
                Assert.Equal(content == DeviceContent.Empty, MountDecision.Decide(content, stop, "ext4", null).Actions.Contains(Mkfs));
    }

    [Theory]
    [InlineData(0, FsckResult.Clean)]
    [InlineData(1, FsckResult.Corrected)]
    [InlineData(2, FsckResult.Corrected)]
    [InlineData(3, FsckResult.Corrected)]
    [InlineData(4, FsckResult.Failed)]
    [InlineData(5, FsckResult.Failed)]
    [InlineData(8, FsckResult.Failed)]
    [InlineData(12, FsckResult.Failed)]
    [InlineData(-1, FsckResult.Failed)]
    public void Fsck_exit_codes(int exit, FsckResult result) => Assert.Equal(result, FsckOutcome.FromExitCode(exit));

    [Theory]
    [InlineData("md1", "127.0.0.1:10809", "nbd://127.0.0.1:10809/md1")]
    [InlineData("md 1", "unix:/run/x y/nbd.sock", "nbd+unix:///md%201?socket=/run/x%20y/nbd.sock")]
    [InlineData("md1", "[::1]:10809", "nbd://[::1]:10809/md1")]
    public void Nbd_targets_become_uris(string name, string endpoint, string uri) => Assert.Equal(uri, NbdTarget.Parse(name, endpoint).Uri);

    [Fact]
    public void A_malformed_export_address_is_a_parameter_error()
    {
        var ex = Assert.Throws<ResourceException>(() => NbdTarget.Parse("md1", "localhost"));
        Assert.Equal(ResourceErrorCodes.BadParameter, ex.Code);
        Assert.Contains("exportAddress", ex.Message);
    }

    [Fact]
    public void Attach_methods_parse_by_their_config_names()
    {
        Assert.Equal(AttachMethod.NbdClient, AttachMethods.Parse(null));
        Assert.Equal(AttachMethod.NbdClient, AttachMethods.Parse("nbd-client"));
        Assert.Equal(AttachMethod.NbdFuse, AttachMethods.Parse("nbdfuse"));
        Assert.Equal(ResourceErrorCodes.BadParameter, Assert.Throws<ResourceException>(() => AttachMethods.Parse("iscsi")).Code);
    }

    [Theory]
    [InlineData(@"/mnt/plain", "/mnt/plain")]
    [InlineData(@"/mnt/with\040space", "/mnt/with space")]
    [InlineData(@"/mnt/back\134slash", @"/mnt/back\slash")]
    [InlineData(@"/mnt/not\9escape", @"/mnt/not\9escape")]
    public void Mount_points_are_read_back_from_mountinfo_escapes(string raw, string path) => Assert.Equal(path, MountTable.Unescape(raw));

    [Fact]
    public void The_mount_table_lists_the_root_file_system() => Assert.Contains(MountTable.Read(), m => m.MountPoint == "/");
}
