using Amazon.EC2;
using Amazon.Runtime;
using ExpressHa.AwsLocal;

namespace ExpressHa.AwsLocal.Tests;

internal static class Harness
{
    public const string Key = "AKIAEXPRESSHA0000001";
    public const string Secret = "expressha-local-secret-key-0000000000001";
    public const string VpcId = "vpc-0a1b2c3d4e5f60001";
    public const string Node1 = "i-0node100000000001";
    public const string Node2 = "i-0node200000000002";
    public const string Eni1 = "eni-0node1000000000001";
    public const string Eni2 = "eni-0node2000000000002";
    public const string RtbPublic = "rtb-0public0000000ab";
    public const string RtbA = "rtb-0private00000000a";
    public const string RtbB = "rtb-0private00000000b";
    public const string Eip1 = "eipalloc-0a1b2c3d4e5f60001";
    public const string Eip2 = "eipalloc-0a1b2c3d4e5f60002";
    public const string Zone = "Z0EXPRESSHA00000000001";
    public const string Vip = "10.1.0.20/32";

    public static string ExampleWorldPath
    {
        get
        {
            var p = Path.Combine(AppContext.BaseDirectory, "examples", "world.yaml");
            if (File.Exists(p)) return p;
            var dir = AppContext.BaseDirectory;
            while (dir != null && !File.Exists(Path.Combine(dir, "ExpressHa.slnx"))) dir = Path.GetDirectoryName(dir);
            return Path.Combine(dir!, "src", "ExpressHa.AwsLocal", "examples", "world.yaml");
        }
    }

    public static WorldState ExampleState(Action<WorldState>? tweak = null)
    {
        var s = World.Parse(File.ReadAllText(ExampleWorldPath));
        // fast defaults for tests
        foreach (var i in s.Instances) { i.StopSeconds = 0.3; i.ForceStopSeconds = 0.1; i.StartSeconds = 0.1; i.StopHook = null; }
        s.Route53.InsyncSeconds = 0;
        s.Route53.PendingPolls = 0;
        tweak?.Invoke(s);
        return s;
    }

    public static Task<AwsLocalServer> StartAsync(Action<WorldState>? tweak = null) => AwsLocalServer.StartAsync(new World(ExampleState(tweak)));

    public static AmazonEC2Client Ec2(AwsLocalServer srv, int maxErrorRetry = 0, string key = Key, string secret = Secret, string? token = null, TimeSpan? timeout = null)
    {
        var cfg = new AmazonEC2Config
        {
            ServiceURL = srv.BaseAddress.ToString(),
            AuthenticationRegion = srv.World.Region,
            MaxErrorRetry = maxErrorRetry,
            UseHttp = true,
        };
        if (timeout != null) cfg.Timeout = timeout;
        AWSCredentials creds = token == null ? new BasicAWSCredentials(key, secret) : new SessionAWSCredentials(key, secret, token);
        return new AmazonEC2Client(creds, cfg);
    }
}
