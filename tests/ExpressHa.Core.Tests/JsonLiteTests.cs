using ExpressHa.Api;
using ExpressHa.Client;

namespace ExpressHa.Core.Tests;

public class JsonLiteTests
{
    [Fact]
    public void Binds_the_status_dto_from_camel_case_json_and_ignores_unknown_fields()
    {
        var json = """
            {"clusterName":"c1","reportingNode":"server1","coordinator":null,"configGeneration":7,"serviceState":"running","extra":[1,2,{"x":true}],
             "nodes":[{"name":"server1","state":"online","priority":0,"paths":[{"interconnect":"lan1","address":"10.0.0.1","state":"self","lastSeenMs":null}]}],
             "groups":[{"name":"g","state":"online","owner":"server1","generation":3,"resources":[{"name":"app","type":"exec","state":"online"}]}],
             "monitors":[{"name":"m","type":"ip","target":null,"state":"normal","node":"server1","message":"caf\u00e9 \ud83d\ude00 \"q\" \\ \/"}]}
            """;
        var s = JsonLite.Deserialize<ClusterStatus>(json);
        Assert.Equal("c1", s.ClusterName);
        Assert.Null(s.Coordinator);
        Assert.Equal(7, s.ConfigGeneration);
        Assert.Equal("self", s.Nodes[0].Paths[0].State);
        Assert.Null(s.Nodes[0].Paths[0].LastSeenMs);
        Assert.Equal("server1", s.Groups[0].Owner);
        Assert.Equal("exec", s.Groups[0].Resources[0].Type);
        Assert.Equal("café 😀 \"q\" \\ /", s.Monitors[0].Message);
    }

    [Fact]
    public void Writes_json_that_reads_back()
    {
        var text = "tab\t nl\n quote\" back\\ ctl\u0001 emoji😀 ls\u2028";
        var json = JsonLite.Write(new Dictionary<string, object?> { ["yaml"] = text, ["dryRun"] = true, ["n"] = 5L, ["none"] = null });
        var back = (Dictionary<string, object?>)JsonLite.Parse(json)!;
        Assert.Equal(text, back["yaml"]);
        Assert.Equal(true, back["dryRun"]);
        Assert.Equal(5L, back["n"]);
        Assert.Null(back["none"]);
        var r = JsonLite.Deserialize<OperationResult>(JsonLite.Write(OperationResult.Failure("ExpressHa.X", "m")));
        Assert.False(r.Ok);
        Assert.Equal("ExpressHa.X", r.Code);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("{\"a\":}")]
    [InlineData("[1,]")]
    [InlineData("{\"a\" 1}")]
    [InlineData("\"abc")]
    [InlineData("tru")]
    [InlineData("01x")]
    [InlineData("{} x")]
    [InlineData("\"\\q\"")]
    [InlineData("\"\\u12\"")]
    [InlineData("-")]
    [InlineData("1.")]
    [InlineData("1e")]
    public void Malformed_json_is_a_json_lite_exception(string text)
    {
        Assert.Throws<JsonLiteException>(() => JsonLite.Parse(text));
    }

    [Fact]
    public void Deep_nesting_and_shape_mismatches_are_reported_not_crashes()
    {
        Assert.Throws<JsonLiteException>(() => JsonLite.Parse(new string('[', 10000)));
        var ex = Assert.Throws<JsonLiteException>(() => JsonLite.Deserialize<ClusterStatus>("{\"configGeneration\":\"x\"}"));
        Assert.Contains("configGeneration", ex.Message);
        Assert.Throws<JsonLiteException>(() => JsonLite.Deserialize<List<AlertEntry>>("{}"));
        Assert.Throws<JsonLiteException>(() => JsonLite.Deserialize<AlertEntry>("{\"eventId\":1e400}"));
    }

    [Fact]
    public void Fingerprints_normalize_and_compare()
    {
        var hex = string.Concat(Enumerable.Repeat("ab", 32));
        var colons = string.Join(":", Enumerable.Repeat("AB", 32));
        Assert.Equal(hex.ToUpperInvariant(), CertificateFingerprint.Normalize(colons));
        Assert.True(CertificateFingerprint.Matches(hex, colons));
        Assert.False(CertificateFingerprint.Matches(hex, "AB"));
        Assert.Null(CertificateFingerprint.Normalize("zz"));
    }
}
