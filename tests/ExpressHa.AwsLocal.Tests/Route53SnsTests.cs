using System.Net;
using System.Text;
using System.Xml.Linq;
using Amazon.EC2;
using Amazon.Runtime;
using Amazon.Runtime.Internal;
using Amazon.Runtime.Internal.Auth;
using ExpressHa.AwsLocal;
using static ExpressHa.AwsLocal.Tests.Harness;

namespace ExpressHa.AwsLocal.Tests;

public class Route53SnsTests
{
    private static readonly XNamespace R53 = "https://route53.amazonaws.com/doc/2013-04-01/";
    private static readonly XNamespace Sns = "http://sns.amazonaws.com/doc/2010-03-31/";

    private sealed class AnyRequest : AmazonWebServiceRequest { }

    /// <summary>Sends a request signed by AWSSDK.Core's own SigV4 signer (what the service's Route 53 / SNS clients use).</summary>
    internal static async Task<(HttpStatusCode Status, XDocument Xml)> SdkSignedAsync(AwsLocalServer srv, string method, string path, string? query, byte[]? body,
        string contentType, string service, string region, string key = Key, string secret = Secret)
    {
        var req = new DefaultRequest(new AnyRequest(), service)
        {
            HttpMethod = method,
            Endpoint = new Uri(srv.BaseAddress.GetLeftPart(UriPartial.Authority)),
            ResourcePath = path,
            Content = body,
            AuthenticationRegion = region,
        };
        if (query != null)
            foreach (var kv in query.Split('&'))
            {
                var p = kv.Split('=', 2);
                req.Parameters[Uri.UnescapeDataString(p[0])] = Uri.UnescapeDataString(p[1]);
            }
        if (body != null) req.Headers["Content-Type"] = contentType;
        var cfg = new AmazonEC2Config { ServiceURL = srv.BaseAddress.ToString(), AuthenticationRegion = region, AuthenticationServiceName = service };
        var signed = new AWS4Signer().SignRequest(req, cfg, null, key, secret);
        var msg = new HttpRequestMessage(new HttpMethod(method), new Uri(srv.BaseAddress, path.TrimStart('/') + (query != null ? "?" + query : "")));
        if (body != null) { msg.Content = new ByteArrayContent(body); msg.Content.Headers.TryAddWithoutValidation("Content-Type", contentType); }
        foreach (var (k, v) in req.Headers)
            if (!k.Equals("Content-Type", StringComparison.OrdinalIgnoreCase) && !k.Equals("Host", StringComparison.OrdinalIgnoreCase) && !k.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                msg.Headers.TryAddWithoutValidation(k, v);
        msg.Headers.Remove("Authorization");
        msg.Headers.TryAddWithoutValidation("Authorization", signed.ForAuthorizationHeader);
        using var http = new HttpClient();
        var resp = await http.SendAsync(msg);
        return (resp.StatusCode, XDocument.Parse(await resp.Content.ReadAsStringAsync()));
    }

    private static Task<(HttpStatusCode, XDocument)> R53Async(AwsLocalServer srv, string method, string path, string? query = null, string? xml = null) =>
        SdkSignedAsync(srv, method, path, query, xml == null ? null : Encoding.UTF8.GetBytes(xml), "application/xml", "route53", "us-east-1");

    private static string ChangeXml(string action, string name, string ip, long ttl = 10) => $"""
        <?xml version="1.0" encoding="UTF-8"?>
        <ChangeResourceRecordSetsRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/">
          <ChangeBatch><Comment>expressha</Comment><Changes><Change><Action>{action}</Action>
            <ResourceRecordSet><Name>{name}</Name><Type>A</Type><TTL>{ttl}</TTL><ResourceRecords><ResourceRecord><Value>{ip}</Value></ResourceRecord></ResourceRecords></ResourceRecordSet>
          </Change></Changes></ChangeBatch>
        </ChangeResourceRecordSetsRequest>
        """;

    [Fact]
    public async Task Route53RecordLifecycleWithPendingChange()
    {
        await using var srv = await StartAsync(s => { s.Route53.PendingPolls = 2; });
        var (st, x) = await R53Async(srv, "GET", "/2013-04-01/hostedzone");
        Assert.Equal(HttpStatusCode.OK, st);
        var zone = x.Root!.Element(R53 + "HostedZones")!.Element(R53 + "HostedZone")!;
        Assert.Equal("/hostedzone/" + Zone, zone.Element(R53 + "Id")!.Value);
        Assert.Equal("srv.hz1.local.", zone.Element(R53 + "Name")!.Value);
        Assert.Equal("true", zone.Element(R53 + "Config")!.Element(R53 + "PrivateZone")!.Value);

        (st, x) = await R53Async(srv, "POST", $"/2013-04-01/hostedzone/{Zone}/rrset/", xml: ChangeXml("UPSERT", "Cluster.srv.hz1.local", "10.0.120.10"));
        Assert.Equal(HttpStatusCode.OK, st);
        var info = x.Root!.Element(R53 + "ChangeInfo")!;
        Assert.Equal("PENDING", info.Element(R53 + "Status")!.Value);
        var changeId = info.Element(R53 + "Id")!.Value;
        Assert.StartsWith("/change/C", changeId);
        Assert.Equal(["10.0.120.10"], srv.World.Read(s => s.HostedZones[0].Records.Single(r => r.Name == "cluster.srv.hz1.local.").Values.ToArray()));

        var statuses = new List<string>();
        for (int i = 0; i < 3; i++)
        {
            (st, x) = await R53Async(srv, "GET", "/2013-04-01/change/" + changeId.Split('/')[^1]);
            statuses.Add(x.Root!.Element(R53 + "ChangeInfo")!.Element(R53 + "Status")!.Value);
        }
        Assert.Equal(["PENDING", "PENDING", "INSYNC"], statuses);

        (st, x) = await R53Async(srv, "GET", $"/2013-04-01/hostedzone/{Zone}/rrset", "maxitems=1&name=cluster.srv.hz1.local.&type=A");
        Assert.Equal(HttpStatusCode.OK, st);
        var set = x.Root!.Element(R53 + "ResourceRecordSets")!.Elements(R53 + "ResourceRecordSet").Single();
        Assert.Equal("cluster.srv.hz1.local.", set.Element(R53 + "Name")!.Value);
        Assert.Equal("10", set.Element(R53 + "TTL")!.Value);
        Assert.Equal("10.0.120.10", set.Descendants(R53 + "Value").Single().Value);
        Assert.Equal("false", x.Root.Element(R53 + "IsTruncated")!.Value);   // labels reversed: local.hz1.srv.cluster sorts last
        Assert.Equal("1", x.Root.Element(R53 + "MaxItems")!.Value);

        (st, x) = await R53Async(srv, "GET", $"/2013-04-01/hostedzone/{Zone}/rrset", "maxitems=1");
        Assert.Equal("NS", x.Root!.Descendants(R53 + "Type").Single().Value);
        Assert.Equal("true", x.Root.Element(R53 + "IsTruncated")!.Value);
        Assert.Equal("srv.hz1.local.", x.Root.Element(R53 + "NextRecordName")!.Value);
        Assert.Equal("SOA", x.Root.Element(R53 + "NextRecordType")!.Value);

        // CREATE of an existing record, DELETE with other values: InvalidChangeBatch in Route 53's own shape
        (st, x) = await R53Async(srv, "POST", $"/2013-04-01/hostedzone/{Zone}/rrset/", xml: ChangeXml("CREATE", "cluster.srv.hz1.local.", "10.0.110.10"));
        Assert.Equal(HttpStatusCode.BadRequest, st);
        Assert.Equal("InvalidChangeBatch", x.Root!.Name.LocalName);
        Assert.Equal("Tried to create resource record set [name='cluster.srv.hz1.local.', type='A'] but it already exists",
            x.Root.Element(R53 + "Messages")!.Element(R53 + "Message")!.Value);
        (st, x) = await R53Async(srv, "POST", $"/2013-04-01/hostedzone/{Zone}/rrset/", xml: ChangeXml("DELETE", "cluster.srv.hz1.local.", "10.0.110.10"));
        Assert.Contains("but the values provided do not match the current values", x.Root!.Value);
        (st, x) = await R53Async(srv, "POST", $"/2013-04-01/hostedzone/{Zone}/rrset/", xml: ChangeXml("DELETE", "cluster.srv.hz1.local.", "10.0.120.10"));
        Assert.Equal(HttpStatusCode.OK, st);
        Assert.Empty(srv.World.Read(s => s.HostedZones[0].Records.Where(r => r.Type == "A").ToList()));
        (st, x) = await R53Async(srv, "POST", $"/2013-04-01/hostedzone/{Zone}/rrset/", xml: ChangeXml("DELETE", "cluster.srv.hz1.local.", "10.0.120.10"));
        Assert.Contains("but it was not found", x.Root!.Value);
    }

    [Fact]
    public async Task Route53Errors()
    {
        await using var srv = await StartAsync();
        var (st, x) = await R53Async(srv, "GET", "/2013-04-01/hostedzone/ZNOPE/rrset");
        Assert.Equal(HttpStatusCode.NotFound, st);
        Assert.Equal("ErrorResponse", x.Root!.Name.LocalName);
        var err = x.Root.Element(R53 + "Error")!;
        Assert.Equal("Sender", err.Element(R53 + "Type")!.Value);
        Assert.Equal("NoSuchHostedZone", err.Element(R53 + "Code")!.Value);
        Assert.Equal("No hosted zone found with ID: ZNOPE", err.Element(R53 + "Message")!.Value);
        Assert.False(string.IsNullOrEmpty(x.Root.Element(R53 + "RequestId")!.Value));

        srv.Faults.Throttle("route53:ChangeResourceRecordSets", 1);
        (st, x) = await R53Async(srv, "POST", $"/2013-04-01/hostedzone/{Zone}/rrset/", xml: ChangeXml("UPSERT", "a.srv.hz1.local.", "10.0.0.1"));
        Assert.Equal(HttpStatusCode.BadRequest, st);
        Assert.Equal("Throttling", x.Root!.Element(R53 + "Error")!.Element(R53 + "Code")!.Value);
        (st, _) = await R53Async(srv, "POST", $"/2013-04-01/hostedzone/{Zone}/rrset/", xml: ChangeXml("UPSERT", "a.srv.hz1.local.", "10.0.0.1"));
        Assert.Equal(HttpStatusCode.OK, st);

        (st, x) = await R53Async(srv, "POST", $"/2013-04-01/hostedzone/{Zone}/rrset/", xml: ChangeXml("UPSERT", "a.other.zone.", "10.0.0.1"));
        Assert.Equal("InvalidChangeBatch", x.Root!.Name.LocalName);

        // wrong secret and unsigned
        (st, x) = await SdkSignedAsync(srv, "GET", "/2013-04-01/hostedzone", null, null, "", "route53", "us-east-1", secret: "bad");
        Assert.Equal(HttpStatusCode.Forbidden, st);
        Assert.Equal("SignatureDoesNotMatch", x.Root!.Element(R53 + "Error")!.Element(R53 + "Code")!.Value);
        using var http = new HttpClient();
        var resp = await http.GetAsync(new Uri(srv.BaseAddress, "2013-04-01/hostedzone"));
        Assert.Equal(HttpStatusCode.Forbidden, resp.StatusCode);
        Assert.Contains("<Code>MissingAuthenticationToken</Code>", await resp.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task UnsignedRequestsWhenTheWorldAllowsThem()
    {
        await using var srv = await StartAsync(s => s.Auth.Mode = "none");
        using var http = new HttpClient();
        var resp = await http.GetAsync(new Uri(srv.BaseAddress, $"2013-04-01/hostedzone/{Zone}/rrset"));
        Assert.Equal(HttpStatusCode.OK, resp.StatusCode);
        var x = XDocument.Parse(await resp.Content.ReadAsStringAsync());
        Assert.Equal(3, x.Descendants(R53 + "ResourceRecordSet").Count());
    }

    [Fact]
    public async Task SnsCreateTopicAndPublish()
    {
        await using var srv = await StartAsync();
        async Task<(HttpStatusCode, XDocument)> Sns_(params (string, string)[] p)
        {
            var body = string.Join("&", p.Append(("Version", "2010-03-31")).Select(kv => Uri.EscapeDataString(kv.Item1) + "=" + Uri.EscapeDataString(kv.Item2)));
            return await SdkSignedAsync(srv, "POST", "/", null, Encoding.UTF8.GetBytes(body), "application/x-www-form-urlencoded; charset=utf-8", "sns", srv.World.Region);
        }
        var (st, x) = await Sns_(("Action", "CreateTopic"), ("Name", "expressha-alerts"));
        Assert.Equal(HttpStatusCode.OK, st);
        var arn = x.Root!.Element(Sns + "CreateTopicResult")!.Element(Sns + "TopicArn")!.Value;
        Assert.Equal("arn:aws:sns:ap-northeast-1:123456789012:expressha-alerts", arn);

        (st, x) = await Sns_(("Action", "Publish"), ("TopicArn", arn), ("Subject", "failover1"), ("Message", "Group failover1 moved to node2 & started"));
        Assert.Equal(HttpStatusCode.OK, st);
        var id = x.Root!.Element(Sns + "PublishResult")!.Element(Sns + "MessageId")!.Value;
        Assert.False(string.IsNullOrEmpty(x.Root.Element(Sns + "ResponseMetadata")!.Element(Sns + "RequestId")!.Value));
        var m = srv.World.Read(s => s.Published.Single());
        Assert.Equal(id, m.MessageId);
        Assert.Equal("failover1", m.Subject);
        Assert.Equal("Group failover1 moved to node2 & started", m.Message);

        (st, x) = await Sns_(("Action", "Publish"), ("TopicArn", arn + "-nope"), ("Message", "x"));
        Assert.Equal(HttpStatusCode.NotFound, st);
        Assert.Equal("NotFound", x.Root!.Element(Sns + "Error")!.Element(Sns + "Code")!.Value);
        Assert.Equal("ErrorResponse", x.Root.Name.LocalName);

        srv.Faults.Throttle("sns:Publish", 1);
        (st, x) = await Sns_(("Action", "Publish"), ("TopicArn", arn), ("Message", "x"));
        Assert.Equal(HttpStatusCode.BadRequest, st);
        Assert.Equal("Throttling", x.Root!.Element(Sns + "Error")!.Element(Sns + "Code")!.Value);

        srv.World.Write(s => s.DeniedActions.Add("sns:Publish"));
        (st, x) = await Sns_(("Action", "Publish"), ("TopicArn", arn), ("Message", "x"));
        Assert.Equal(HttpStatusCode.Forbidden, st);
        Assert.Equal("AuthorizationError", x.Root!.Element(Sns + "Error")!.Element(Sns + "Code")!.Value);
    }
}
