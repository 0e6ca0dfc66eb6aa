using ExpressHa.Validation;

namespace ExpressHa.Core.Tests;

public class SeedTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void Seeds_are_valid_without_any_finding(int i)
    {
        var c = TestUtil.Load(SeedConfigs.All[i]);
        var findings = ConfigValidator.Validate(c);
        Assert.True(findings.Count == 0, TestUtil.Dump(findings));
    }
}
