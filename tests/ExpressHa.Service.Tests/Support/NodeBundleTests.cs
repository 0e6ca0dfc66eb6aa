using System.IO.Compression;
using System.Text;
using ExpressHa.Service.Support;

namespace ExpressHa.Service.Tests.Support;

public class NodeBundleTests
{
    const string Token = "test-token-0123456789abcdef";

    [Fact]
    public void The_bundle_holds_every_file_filters_by_time_and_carries_no_secret()
    {
        var dir = Directory.CreateTempSubdirectory("expressha-bundle-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "alerts.jsonl"),
                "{\"time\":\"2026-12-06T09:00:00.000Z\",\"node\":\"server1\",\"message\":\"old\"}\n" +
                $"{{\"time\":\"2026-12-06T11:00:00.000Z\",\"node\":\"server1\",\"message\":\"new: exec failed: curl -H 'Authorization: Bearer {Token}'\"}}\n");
            File.WriteAllText(Path.Combine(dir, "ownership.jsonl"), "{\"time\":\"2026-12-06T11:00:01.000Z\",\"node\":\"server1\",\"group\":\"web\",\"state\":\"online\"}\n");
            File.WriteAllText(Path.Combine(dir, ServiceLog.FileName),
                "2026-12-06T09:59:00.000Z pm: before\n  a continuation of before\n2026-12-06T10:01:00.000Z pm: after " + Token + "\n  a continuation of after\n");
            File.WriteAllText(Path.Combine(dir, "api-cert.pfx"), "certificate bytes");
            var input = new NodeBundleInput("server1", "demo", dir, $"cluster:\n  name: demo # {Token}\n", 4, new { clusterName = "demo" }, new object[0],
                new SecretRedactor([Token], []), JournalLog: false, Since: DateTimeOffset.Parse("2026-12-06T10:00:00Z"));

            using var output = new MemoryStream();
            NodeBundle.Write(output, input, CancellationToken.None);

            output.Position = 0;
            using var zip = new ZipArchive(output, ZipArchiveMode.Read);
            var files = zip.Entries.ToDictionary(e => e.FullName, e => new StreamReader(e.Open(), Encoding.UTF8).ReadToEnd());
            Assert.Equal(NodeBundle.Files.Order(), files.Keys.Order());
            Assert.DoesNotContain("old", files["alerts.jsonl"]);
            Assert.Contains("Bearer [redacted]", files["alerts.jsonl"]);
            Assert.Equal("2026-12-06T10:01:00.000Z pm: after [redacted]\n  a continuation of after\n", files["service.log"]);
            Assert.Contains("name: demo # [redacted]", files["config.yaml"]);
            Assert.Contains("\"generation\": 4", files["config.json"]);
            Assert.Contains("\"state\":\"online\"", files["ownership.jsonl"]);
            Assert.Contains("\"node\": \"server1\"", files["system.json"]);
            Assert.Contains("\"redactions\": 3", files["manifest.json"]);
            Assert.All(files, f => Assert.DoesNotContain(Token, f.Value));
            Assert.All(files, f => Assert.DoesNotContain("certificate bytes", f.Value));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("2026-12-06T10:01:00.000Z pm: x", true)]
    [InlineData("  continuation", false)]
    [InlineData("pm: no time", false)]
    public void A_service_log_line_starts_with_a_time_or_continues_the_one_before(string line, bool hasTime)
        => Assert.Equal(hasTime, ServiceLog.LeadingTime(line) != null);
}
