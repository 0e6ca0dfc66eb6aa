using System.Reflection;
using ExpressHa.Api;

namespace ExpressHa.Core.Tests.Contract;

public class ApiRouteTests
{
    static IEnumerable<ApiRoute> Declared()
        => typeof(ApiRoutes).GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.FieldType == typeof(ApiRoute)).Select(f => (ApiRoute)f.GetValue(null)!);

    [Fact]
    public void Every_declared_route_is_listed_once_as_mapped_or_answered_before_authentication()
    {
        var listed = ApiRoutes.Mapped.Concat(ApiRoutes.BeforeAuthentication).ToList();
        Assert.Equal(listed.Count, listed.Select(r => r.ToString()).Distinct().Count());
        Assert.Equal(Declared().Select(r => r.ToString()).OrderBy(x => x), listed.Select(r => r.ToString()).OrderBy(x => x));
    }

    [Fact]
    public void Templates_are_relative_v1_paths_with_known_methods()
    {
        foreach (var r in Declared())
        {
            Assert.StartsWith("v1/", r.Template);
            Assert.Contains(r.Method, new[] { "GET", "POST", "DELETE" });
            Assert.Equal("/" + r.Template, r.Pattern);
            Assert.Equal(r.Template.StartsWith("v1/internal/", StringComparison.Ordinal), r.IsNodeToNode);
        }
    }

    [Fact]
    public void Path_fills_the_placeholder_escaped()
    {
        Assert.Equal("v1/groups/a%2Fb%20c/start", ApiRoutes.GroupStart.Path("a/b c"));
        Assert.Equal("v1/jobs/j-1", ApiRoutes.Job.Path("j-1"));
        Assert.Equal("v1/status", ApiRoutes.Status.Path());
    }

    [Fact]
    public void Path_refuses_a_wrong_number_of_values()
    {
        Assert.Throws<ArgumentException>(() => ApiRoutes.GroupStart.Path());
        Assert.Throws<ArgumentException>(() => ApiRoutes.Status.Path("x"));
        Assert.Throws<ArgumentException>(() => ApiRoutes.MirrorRepair.Path("m", "extra"));
    }

    [Theory]
    [InlineData("/v1/internal/actions", true)]
    [InlineData("V1/INTERNAL/mirrors", true)]
    [InlineData("v1/internalx", false)]
    [InlineData("/v1/status", false)]
    [InlineData(null, false)]
    public void Node_to_node_is_the_internal_prefix(string? path, bool expected)
        => Assert.Equal(expected, ApiRoutes.IsNodeToNode(path));
}
