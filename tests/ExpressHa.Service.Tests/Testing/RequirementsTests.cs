namespace ExpressHa.Service.Tests.Testing;

/// <summary>The reasons a requirement-aware test gives when it is skipped (or fails under EXPRESSHA_REQUIRE_ALL=1).</summary>
public class RequirementsTests
{
    [Fact]
    public void A_missing_tool_names_its_debian_package()
    {
        Assert.Equal("needs nbdfuse (apt-get install libnbd-bin)", Requirements.ToolReason("nbdfuse"));
        Assert.Equal("needs qemu-io (apt-get install qemu-utils)", Requirements.ToolReason("qemu-io"));
        Assert.Equal("needs ehat-no-such-tool", Requirements.ToolReason("ehat-no-such-tool"));
    }

    [Fact]
    public void Missing_lists_every_reason_and_is_null_when_nothing_is_missing()
    {
        Assert.Null(Requirements.Missing(Need.None, ["sh"]));
        Assert.Equal("needs ehat-no-such-tool; needs ehat-other-tool", Requirements.Missing(Need.None, ["ehat-no-such-tool", "ehat-other-tool", "sh"]));
        var namespaces = Requirements.Missing(Need.Namespaces, []);
        if (Requirements.IsRoot) Assert.DoesNotContain("needs root", namespaces ?? "");
        else Assert.StartsWith("needs root: network namespaces", namespaces);
    }
}
