using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ExpressHa.AwsLocal;

/// <summary>IMDSv2 for ONE instance, on its own listener (on EC2 the instance is implied by who asks, so each
/// simulated instance gets its own address/port instead of a selector header). PUT /latest/api/token with
/// X-aws-ec2-metadata-token-ttl-seconds (1..21600) returns a token; every GET needs X-aws-ec2-metadata-token (401
/// without, HttpTokens=required).</summary>
public sealed class ImdsServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Dictionary<string, DateTime> _tokens = new();

    private ImdsServer(WebApplication app, World world, string instanceId)
    {
        _app = app;
        World = world;
        InstanceId = instanceId;
    }

    public World World { get; }
    public string InstanceId { get; }
    public Uri BaseAddress { get; private set; } = null!;
    /// <summary>GET requests answered (any status).</summary>
    public int Requests;
    public int TokensIssued;

    public static async Task<ImdsServer> StartAsync(World world, string instanceId, string listenAddress = "127.0.0.1", int port = 0)
    {
        if (!world.Read(s => s.Instances.Any(i => i.Id == instanceId))) throw new ArgumentException($"unknown instance {instanceId}");
        var b = WebApplication.CreateSlimBuilder();
        b.Logging.ClearProviders();
        b.WebHost.UseKestrel(o => o.Listen(IPAddress.Parse(listenAddress), port));
        var app = b.Build();
        var srv = new ImdsServer(app, world, instanceId);
        app.Run(srv.HandleAsync);
        await app.StartAsync();
        srv.BaseAddress = new Uri(app.Urls.First().Replace("[::]", "127.0.0.1") + "/");
        return srv;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext ctx)
    {
        var path = ctx.Request.Path.Value ?? "/";
        var req = ctx.Request;
        if (path == "/latest/api/token")
        {
            if (req.Method != "PUT") { ctx.Response.StatusCode = 405; return; }
            if (req.Headers.ContainsKey("X-Forwarded-For")) { ctx.Response.StatusCode = 403; return; }
            if (!int.TryParse(req.Headers["X-aws-ec2-metadata-token-ttl-seconds"], out var ttl) || ttl < 1 || ttl > 21600)
            {
                ctx.Response.StatusCode = 400;
                return;
            }
            var token = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(42));
            lock (_tokens) _tokens[token] = DateTime.UtcNow.AddSeconds(ttl);
            Interlocked.Increment(ref TokensIssued);
            ctx.Response.Headers["X-aws-ec2-metadata-token-ttl-seconds"] = ttl.ToString();
            ctx.Response.ContentType = "text/plain";
            await ctx.Response.WriteAsync(token);
            return;
        }
        Interlocked.Increment(ref Requests);
        if (req.Method != "GET" && req.Method != "HEAD") { ctx.Response.StatusCode = 405; return; }
        var t = (string?)req.Headers["X-aws-ec2-metadata-token"];
        bool valid;
        lock (_tokens) valid = t != null && _tokens.TryGetValue(t, out var exp) && exp > DateTime.UtcNow;
        if (!valid) { ctx.Response.StatusCode = 401; return; }
        var (status, type, body) = Lookup(path);
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = type;
        await ctx.Response.WriteAsync(body);
    }

    private (int, string, string) Lookup(string path)
    {
        var leaves = Leaves();
        var key = path.TrimStart('/');
        if (leaves.TryGetValue(key.TrimEnd('/'), out var v) && !key.EndsWith('/')) return (200, v.StartsWith('{') ? "text/plain" : "text/plain", v);
        var prefix = key.TrimEnd('/') + "/";
        var children = leaves.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal))
            .Select(k => { var rest = k[prefix.Length..]; var i = rest.IndexOf('/'); return i < 0 ? rest : rest[..(i + 1)]; })
            .Distinct().OrderBy(k => k, StringComparer.Ordinal).ToList();
        if (children.Count > 0) return (200, "text/plain", string.Join("\n", children));
        return (404, "text/html", "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?>\n<html><head><title>404 - Not Found</title></head><body><h1>404 - Not Found</h1></body></html>");
    }

    /// <summary>Every leaf path under latest/ with its value, computed from the current world.</summary>
    private Dictionary<string, string> Leaves() => World.Read(s =>
    {
        var d = new Dictionary<string, string>();
        var i = s.Instances.First(x => x.Id == InstanceId);
        var enis = s.Enis.Where(e => e.Instance == i.Id).OrderBy(e => e.DeviceIndex).ToList();
        var prim = enis.FirstOrDefault();
        string Host(string ip) => $"ip-{ip.Replace('.', '-')}.{s.Region}.compute.internal";
        const string m = "latest/meta-data/";
        d[m + "instance-id"] = i.Id;
        d[m + "instance-type"] = i.Type;
        d[m + "ami-id"] = i.ImageId;
        d[m + "placement/availability-zone"] = i.Az;
        d[m + "placement/availability-zone-id"] = s.AvailabilityZones.FirstOrDefault(a => a.Name == i.Az)?.Id ?? i.Az;
        d[m + "placement/region"] = s.Region;
        d[m + "services/domain"] = "amazonaws.com";
        d[m + "services/partition"] = "aws";
        if (prim != null)
        {
            d[m + "mac"] = prim.Mac;
            d[m + "local-ipv4"] = prim.PrivateIp;
            d[m + "hostname"] = d[m + "local-hostname"] = Host(prim.PrivateIp);
            var eip = s.Eips.FirstOrDefault(a => a.Eni == prim.Id && a.PrivateIp == prim.PrivateIp);
            if (eip != null) d[m + "public-ipv4"] = eip.PublicIp;
        }
        foreach (var e in enis)
        {
            var sn = s.Subnets.First(x => x.Id == e.Subnet);
            var vpc = s.Vpcs.First(x => x.Id == sn.Vpc);
            var p = $"{m}network/interfaces/macs/{e.Mac}/";
            d[p + "device-number"] = e.DeviceIndex.ToString();
            d[p + "interface-id"] = e.Id;
            d[p + "local-hostname"] = Host(e.PrivateIp);
            d[p + "local-ipv4s"] = string.Join("\n", e.SecondaryIps.Prepend(e.PrivateIp));
            d[p + "mac"] = e.Mac;
            d[p + "owner-id"] = s.AccountId;
            d[p + "subnet-id"] = sn.Id;
            d[p + "subnet-ipv4-cidr-block"] = sn.Cidr;
            d[p + "vpc-id"] = vpc.Id;
            d[p + "vpc-ipv4-cidr-block"] = vpc.Cidr;
            d[p + "vpc-ipv4-cidr-blocks"] = vpc.Cidr;
            d[p + "security-group-ids"] = "sg-" + Ids.Hex(17, vpc.Id);
            d[p + "security-groups"] = "default";
            var pubs = s.Eips.Where(a => a.Eni == e.Id).Select(a => a.PublicIp).ToList();
            if (pubs.Count > 0) d[p + "public-ipv4s"] = string.Join("\n", pubs);
        }
        var role = s.Roles.FirstOrDefault(r => r.Name == i.Role);
        if (role != null)
        {
            var key = s.AccessKeys.First(k => k.Id == role.AccessKey);
            var now = DateTime.UtcNow;
            d[m + "iam/info"] = JsonSerializer.Serialize(new Dictionary<string, string>
            {
                ["Code"] = "Success", ["LastUpdated"] = now.ToString("yyyy-MM-ddTHH:mm:ssZ"),
                ["InstanceProfileArn"] = $"arn:aws:iam::{s.AccountId}:instance-profile/{role.Name}",
                ["InstanceProfileId"] = "AIPA" + Ids.Hex(17, role.Name).ToUpperInvariant(),
            }, Indented);
            d[m + "iam/security-credentials/" + role.Name] = JsonSerializer.Serialize(new Dictionary<string, string?>
            {
                ["Code"] = "Success", ["LastUpdated"] = now.ToString("yyyy-MM-ddTHH:mm:ssZ"), ["Type"] = "AWS-HMAC",
                ["AccessKeyId"] = key.Id, ["SecretAccessKey"] = key.Secret, ["Token"] = key.SessionToken ?? "",
                ["Expiration"] = now.AddHours(6).ToString("yyyy-MM-ddTHH:mm:ssZ"),
            }, Indented);
        }
        d["latest/dynamic/instance-identity/document"] = JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["accountId"] = s.AccountId, ["architecture"] = "x86_64", ["availabilityZone"] = i.Az, ["imageId"] = i.ImageId,
            ["instanceId"] = i.Id, ["instanceType"] = i.Type, ["pendingTime"] = i.LaunchTime.ToString("yyyy-MM-ddTHH:mm:ssZ"),
            ["privateIp"] = prim?.PrivateIp, ["region"] = s.Region, ["version"] = "2017-09-30",
        }, Indented);
        return d;
    });

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
}
