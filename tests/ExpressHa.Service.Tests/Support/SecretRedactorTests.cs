using System.Security.Cryptography;
using ExpressHa.Config;
using ExpressHa.Service.Support;

namespace ExpressHa.Service.Tests.Support;

public class SecretRedactorTests
{
    const string Token = "0123456789abcdef0123456789abcdef";
    static readonly byte[] Key = Enumerable.Range(1, 32).Select(i => (byte)(i * 7)).ToArray();

    [Fact]
    public void The_token_and_a_key_as_hex_or_base64_are_removed_wherever_they_are()
    {
        var r = new SecretRedactor([Token], [Key]);

        Assert.Equal("start: /opt/app --token [redacted] && echo ok", r.Redact($"start: /opt/app --token {Token} && echo ok"));
        Assert.Equal("key [redacted].", r.Redact($"key {Convert.ToHexString(Key).ToLowerInvariant()}."));
        Assert.Equal("key=[redacted]", r.Redact($"key={Convert.ToHexString(Key)}"));
        Assert.Equal("[redacted]", r.Redact(Convert.ToBase64String(Key)));
        Assert.Equal(4, r.Redactions);
    }

    [Theory]
    [InlineData("Authorization: Bearer abc.def-ghi_jkl", "Authorization: Bearer [redacted]")]
    [InlineData("AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG", "AWS_SECRET_ACCESS_KEY=[redacted]")]
    [InlineData("{\"secretAccessKey\": \"wJalrXUtnFEMI\"}", "{\"secretAccessKey\": \"[redacted]\"}")]
    [InlineData("mysql -u app --password=hunter22 db", "mysql -u app --password=[redacted] db")]
    [InlineData("aws_session_token = FQoGZXIvYXdzE", "aws_session_token = [redacted]")]
    public void Anything_that_looks_like_a_credential_is_removed(string line, string expected)
        => Assert.Equal(expected, new SecretRedactor([], []).Redact(line));

    [Theory]
    [InlineData("2026-12-06T10:00:00.000Z INFO    rc[31] Activating app resource has completed. (301 ms)")]
    [InlineData("keyFile: /etc/expressha/cluster.key")]
    [InlineData("apiTokenFile: /etc/expressha/api.token")]
    [InlineData("topicArn: arn:aws:sns:ap-northeast-1:123456789012:ha")]
    public void Ordinary_lines_stay_as_they_are(string line)
    {
        var r = new SecretRedactor([Token], [Key]);
        Assert.Equal(line, r.Redact(line));
        Assert.Equal(0, r.Redactions);
    }

    [Fact]
    public void A_node_redacts_its_token_cluster_key_and_the_mirror_keys_it_resolves()
    {
        var dir = Directory.CreateTempSubdirectory("expressha-secrets-").FullName;
        try
        {
            var clusterKey = RandomNumberGenerator.GetBytes(32);
            var mirrorKey = RandomNumberGenerator.GetBytes(32);
            File.WriteAllBytes(Path.Combine(dir, "cluster.key"), clusterKey);
            File.WriteAllText(Path.Combine(dir, "md1.key"), Convert.ToBase64String(mirrorKey) + "\n");
            var config = new ClusterConfig();
            config.Cluster.Security.KeyFile = Path.Combine(dir, "cluster.key");
            var group = new GroupConfig { Name = "db", Servers = ["server1", "server2"] };
            var mirror = new ResourceConfig { Name = "md1", Type = "mirror" };
            mirror.Parameters["keyFile"] = Path.Combine(dir, "md1.key");
            group.Resources.Add(mirror);
            config.Groups.Add(group);

            var r = NodeSecrets.Redactor(config, "server1", Token);

            var line = $"{Token} {Convert.ToHexString(clusterKey)} {Convert.ToBase64String(mirrorKey)} {Convert.ToHexString(SHA256.HashData(clusterKey)).ToLowerInvariant()}";
            Assert.Equal("[redacted] [redacted] [redacted] [redacted]", r.Redact(line));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
