using ExpressHa.Config;
using ExpressHa.Service.Security;

namespace ExpressHa.Service.Tests.WebUi;

/// <summary>The node reads the API token and the optional read-only token at start and refuses a setup that would
/// blur the two roles.</summary>
public sealed class ApiTokensTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("expressha-tokens-").FullName;

    string File(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        System.IO.File.WriteAllText(path, text + "\n");
        return path;
    }

    [Fact]
    public void Both_tokens_are_read_and_trimmed()
    {
        var t = ApiTokens.Load(new SecuritySettings { ApiTokenFile = File("api", "operator-0123456789abcdef"), ReadOnlyTokenFile = File("ro", "readonly-0123456789abcdef") });
        Assert.Equal(("operator-0123456789abcdef", "readonly-0123456789abcdef"), (t.Operator, t.ReadOnly));
        Assert.Null(ApiTokens.Load(new SecuritySettings { ApiTokenFile = File("api2", "operator-0123456789abcdef") }).ReadOnly);
    }

    [Fact]
    public void A_missing_short_or_shared_read_only_token_stops_the_node_with_the_field_named()
    {
        var api = File("api", "operator-0123456789abcdef");
        var missing = Assert.Throws<InvalidOperationException>(() => ApiTokens.Load(new SecuritySettings { ApiTokenFile = api, ReadOnlyTokenFile = Path.Combine(_dir, "nope") }));
        Assert.Contains("cluster.security.readOnlyTokenFile", missing.Message);
        var shortToken = Assert.Throws<InvalidOperationException>(() => ApiTokens.Load(new SecuritySettings { ApiTokenFile = api, ReadOnlyTokenFile = File("short", "abc") }));
        Assert.Contains("shorter than 16", shortToken.Message);
        var same = Assert.Throws<InvalidOperationException>(() => ApiTokens.Load(new SecuritySettings { ApiTokenFile = api, ReadOnlyTokenFile = File("same", "operator-0123456789abcdef") }));
        Assert.Contains("is the API token itself", same.Message);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
