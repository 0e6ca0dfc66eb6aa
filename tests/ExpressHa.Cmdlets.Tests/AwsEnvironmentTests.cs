using System.Collections;
using System.Collections.Concurrent;
using System.Management.Automation;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ExpressHa.Cmdlets.Tests;

/// <summary>An IMDSv2 endpoint on 127.0.0.1: PUT /latest/api/token (with the TTL header) issues a token; every GET
/// under /latest/meta-data/ must carry it (401 otherwise); unknown paths are 404.</summary>
public sealed class FakeImds : IDisposable
{
    readonly HttpListener _listener = new();
    readonly Task _loop;
    public string Token { get; } = "AQAEAFake" + Guid.NewGuid().ToString("N");
    public Dictionary<string, string> Values { get; } = new(StringComparer.Ordinal);
    public ConcurrentQueue<string> Requests { get; } = new();
    public int Unauthorized;
    /// <summary>Status of the token PUT (403: IMDSv2 refused).</summary>
    public int TokenStatus { get; set; } = 200;

    public FakeImds()
    {
        for (int attempt = 0; ; attempt++)
        {
            Port = FreePort();
            _listener.Prefixes.Clear();
            _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
            try { _listener.Start(); break; }
            catch (HttpListenerException) when (attempt < 5) { }
        }
        Endpoint = $"http://127.0.0.1:{Port}";
        const string mac = "06:d0:3e:aa:bb:01";
        Values["instance-id"] = "i-0a1b2c3d4e5f60718";
        Values["placement/availability-zone"] = "ap-northeast-1a";
        Values["placement/region"] = "ap-northeast-1";
        Values["local-ipv4"] = "10.0.110.10";
        Values["mac"] = mac;
        Values[$"network/interfaces/macs/{mac}/interface-id"] = "eni-0aaa1111bbbb2222c";
        Values[$"network/interfaces/macs/{mac}/subnet-id"] = "subnet-0110aaaa";
        Values[$"network/interfaces/macs/{mac}/vpc-id"] = "vpc-1234abcd";
        Values[$"network/interfaces/macs/{mac}/vpc-ipv4-cidr-block"] = "10.0.0.0/16";
        Values[$"network/interfaces/macs/{mac}/subnet-ipv4-cidr-block"] = "10.0.110.0/24";
        Values[$"network/interfaces/macs/{mac}/local-ipv4s"] = "10.0.110.10\n10.0.110.11";
        _loop = Task.Run(LoopAsync);
    }

    public int Port { get; }
    public string Endpoint { get; }

    public static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext ctx;
            try { ctx = await _listener.GetContextAsync(); }
            catch (Exception) { return; }
            try { Handle(ctx); }
            catch (Exception) { }
        }
    }

    void Handle(HttpListenerContext ctx)
    {
        var req = ctx.Request;
        var path = req.Url!.AbsolutePath;
        Requests.Enqueue(req.HttpMethod + " " + path);
        int status;
        string body = "";
        if (path == "/latest/api/token")
        {
            if (req.HttpMethod != "PUT") status = 405;
            else if (req.Headers["X-aws-ec2-metadata-token-ttl-seconds"] is not { Length: > 0 }) status = 400;
            else if (TokenStatus != 200) status = TokenStatus;
            else { status = 200; body = Token; }
        }
        else if (req.Headers["X-aws-ec2-metadata-token"] != Token)
        {
            Interlocked.Increment(ref Unauthorized);
            status = 401;
        }
        else if (req.HttpMethod == "GET" && path.StartsWith("/latest/meta-data/", StringComparison.Ordinal)
                 && Values.TryGetValue(path.Substring("/latest/meta-data/".Length), out var value))
        {
            status = 200;
            body = value;
        }
        else status = 404;
        ctx.Response.StatusCode = status;
        var bytes = Encoding.UTF8.GetBytes(body);
        ctx.Response.ContentType = "text/plain";
        ctx.Response.ContentLength64 = bytes.Length;
        ctx.Response.OutputStream.Write(bytes);
        ctx.Response.Close();
    }

    public void Dispose()
    {
        try { _listener.Stop(); _listener.Close(); } catch (ObjectDisposedException) { }
        _loop.Wait(TimeSpan.FromSeconds(5));
    }
}

public sealed class AwsEnvironmentTests : IDisposable
{
    readonly FakeImds _imds = new();
    readonly PsSession _s = new();

    public void Dispose()
    {
        _s.Dispose();
        _imds.Dispose();
    }

    [Fact]
    public void ReadsTheEnvironmentThroughIMDSv2_WithTheToken()
    {
        var r = _s.Run($"Get-HaAwsEnvironment -ImdsEndpoint {_imds.Endpoint}").Ok();
        var o = Assert.Single(r.Output);
        Assert.Equal("ExpressHa.Cmdlets.HaAwsEnvironment", o.BaseObject.GetType().FullName);
        string? P(string name) => o.Properties[name].Value as string;
        Assert.Equal("i-0a1b2c3d4e5f60718", P("InstanceId"));
        Assert.Equal("ap-northeast-1", P("Region"));
        Assert.Equal("ap-northeast-1a", P("AvailabilityZone"));
        Assert.Equal("vpc-1234abcd", P("VpcId"));
        Assert.Equal("10.0.0.0/16", P("VpcCidr"));
        Assert.Equal("subnet-0110aaaa", P("SubnetId"));
        Assert.Equal("10.0.110.0/24", P("SubnetCidr"));
        Assert.Equal("eni-0aaa1111bbbb2222c", P("NetworkInterfaceId"));
        Assert.Equal("10.0.110.10", P("PrivateIp"));
        Assert.Equal("06:d0:3e:aa:bb:01", P("Mac"));

        // One token, then only authorized GETs.
        Assert.Equal("PUT /latest/api/token", _imds.Requests.First());
        Assert.Single(_imds.Requests, q => q.StartsWith("PUT "));
        Assert.Equal(0, _imds.Unauthorized);
    }

    [Fact]
    public void TheDefaultViewIsAList()
    {
        var text = string.Concat(_s.Run($"Get-HaAwsEnvironment -ImdsEndpoint {_imds.Endpoint} | Out-String -Width 200").Ok().Output.Select(o => o.ToString()));
        foreach (var line in new[] { "InstanceId         : i-0a1b2c3d4e5f60718", "NetworkInterfaceId : eni-0aaa1111bbbb2222c", "VpcCidr            : 10.0.0.0/16", "Mac                : 06:d0:3e:aa:bb:01" })
            Assert.Contains(line, text);
    }

    [Fact]
    public void AsNodeParameters_SplatsIntoAddHaNode()
    {
        var r = _s.Run($$"""
            $n = Get-HaAwsEnvironment -ImdsEndpoint {{_imds.Endpoint}} -AsNodeParameters
            $n.Clone()
            $n.Name = 'server1'
            (New-HaCluster -Name cluster | Add-HaNode @n -PassThru).Nodes[0]
            """).Ok();
        Assert.Equal(2, r.Output.Count);
        var h = Assert.IsType<Hashtable>(r.Output[0].BaseObject);
        Assert.Equal(new[] { "Address", "AvailabilityZone", "InstanceId", "Name" }, h.Keys.Cast<string>().OrderBy(k => k));
        Assert.Equal(Dns.GetHostName().Split('.')[0], h["Name"]);
        Assert.Equal("10.0.110.10", h["Address"]);
        var node = r.Output[1];
        Assert.Equal("server1", node.Properties["Name"].Value);
        Assert.Equal("i-0a1b2c3d4e5f60718", node.Properties["InstanceId"].Value);
        Assert.Equal("ap-northeast-1a", node.Properties["AvailabilityZone"].Value);
        Assert.Contains("10.0.110.10", _s.Run("$n.Address").Ok().Output.Select(o => o.ToString()));
    }

    [Fact]
    public void OldMetadataWithoutRegion_TheRegionComesFromTheAz_MissingValuesStayEmpty()
    {
        _imds.Values.Remove("placement/region");
        _imds.Values.Remove("local-ipv4");
        foreach (var k in _imds.Values.Keys.Where(k => k.EndsWith("/subnet-ipv4-cidr-block")).ToList()) _imds.Values.Remove(k);
        var o = Assert.Single(_s.Run($"Get-HaAwsEnvironment -ImdsEndpoint {_imds.Endpoint}").Ok().Output);
        Assert.Equal("ap-northeast-1", o.Properties["Region"].Value);
        Assert.Null(o.Properties["SubnetCidr"].Value);
        Assert.Equal("10.0.110.10", o.Properties["PrivateIp"].Value); // the interface's first local-ipv4s
    }

    static void AssertUnavailable(PsResult r, string messagePart)
    {
        Assert.Empty(r.Output);
        var e = r.Terminating?.ErrorRecord ?? Assert.Single(r.Errors);
        Assert.Equal("ExpressHa.ImdsUnavailable,ExpressHa.Cmdlets.GetHaAwsEnvironmentCommand", e.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ConnectionError, e.CategoryInfo.Category);
        Assert.Contains(messagePart, e.ToString());
        Assert.False(string.IsNullOrEmpty(e.ErrorDetails?.RecommendedAction));
    }

    [Fact]
    public void NotOnEc2_AClosedPort_IsImdsUnavailable()
    {
        var closed = FakeImds.FreePort();
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var r = _s.Run($"Get-HaAwsEnvironment -ImdsEndpoint http://127.0.0.1:{closed}");
        AssertUnavailable(r, $"cannot reach the instance metadata service at http://127.0.0.1:{closed}/");
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void AnEndpointThatNeverAnswers_TimesOut()
    {
        var silent = new TcpListener(IPAddress.Loopback, 0); // accepts (backlog) but never answers
        silent.Start();
        try
        {
            var port = ((IPEndPoint)silent.LocalEndpoint).Port;
            var sw = System.Diagnostics.Stopwatch.StartNew();
            var r = _s.Run($"Get-HaAwsEnvironment -ImdsEndpoint http://127.0.0.1:{port} -TimeoutSeconds 1");
            AssertUnavailable(r, "did not answer within 1 s");
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(8), $"took {sw.Elapsed}");
        }
        finally
        {
            silent.Stop();
        }
    }

    [Fact]
    public void ATokenRefused_IsImdsUnavailable()
    {
        _imds.TokenStatus = 403;
        AssertUnavailable(_s.Run($"Get-HaAwsEnvironment -ImdsEndpoint {_imds.Endpoint}"), "refused a session token (HTTP 403");
    }

    [Fact]
    public void ABadEndpointIsAnArgumentError()
    {
        var r = _s.Run("Get-HaAwsEnvironment -ImdsEndpoint 'ftp://x'");
        var e = r.Terminating?.ErrorRecord ?? Assert.Single(r.Errors);
        Assert.StartsWith("ExpressHa.InvalidArgument,", e.FullyQualifiedErrorId);
        Assert.Empty(r.Output);
    }

    [Fact]
    public void TheModuleDoesNotReferenceTheAwsSdk()
    {
        var refs = _s.Run("[ExpressHa.Cmdlets.GetHaAwsEnvironmentCommand].Assembly.GetReferencedAssemblies().Name").Ok().Output.Select(o => o.ToString()).ToList();
        Assert.NotEmpty(refs);
        Assert.DoesNotContain(refs, n => n!.StartsWith("AWSSDK", StringComparison.OrdinalIgnoreCase));
    }
}
