using System.Reflection;
using System.Text.RegularExpressions;
using ExpressHa.Api;

namespace ExpressHa.Core.Tests.Contract;

/// <summary>The error-id catalog follows the convention: "ExpressHa." + a PascalCase name that says what went wrong
/// (never an exception type's name), each id once, named by its field.</summary>
public class ErrorCodeTests
{
    internal static IReadOnlyList<(string Field, string Id)> Catalog()
        => typeof(ErrorCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.Name != nameof(ErrorCodes.Prefix))
            .Select(f => (f.Name, (string)f.GetRawConstantValue()!)).ToList();

    [Fact]
    public void Ids_are_unique()
    {
        var ids = Catalog().Select(c => c.Id).ToList();
        Assert.True(ids.Count > 60, $"only {ids.Count} ids");
        Assert.Empty(ids.GroupBy(i => i, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1).Select(g => g.Key));
    }

    [Fact]
    public void Ids_follow_the_convention()
    {
        foreach (var (field, id) in Catalog())
        {
            Assert.Matches(new Regex("^ExpressHa\\.[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)*$"), id);
            Assert.Equal(ErrorCodes.Prefix + field, id);
            Assert.DoesNotContain("Exception", id);
        }
    }

    [Theory]
    [InlineData("ExpressHa.ConfigInvalid")]
    [InlineData("ExpressHa.GroupNotFound")]
    [InlineData("ExpressHa.Unauthorized")]
    [InlineData("ExpressHa.MirrorNoPrimary")]
    [InlineData("ExpressHa.ImdsUnavailable")]
    public void Shipped_ids_are_in_the_catalog(string id) => Assert.Contains(Catalog(), c => c.Id == id);

    [Theory]
    [InlineData(400, "ExpressHa.BadRequest")]
    [InlineData(401, "ExpressHa.Unauthorized")]
    [InlineData(403, "ExpressHa.Forbidden")]
    [InlineData(404, "ExpressHa.NotFound")]
    [InlineData(409, "ExpressHa.Conflict")]
    [InlineData(413, "ExpressHa.PayloadTooLarge")]
    [InlineData(500, "ExpressHa.InternalError")]
    [InlineData(502, "ExpressHa.InternalError")]
    public void A_status_without_a_code_gets_the_catalog_id(int status, string id) => Assert.Equal(id, ErrorCodes.ForStatus(status));
}
