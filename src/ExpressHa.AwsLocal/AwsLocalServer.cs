// Over 400 lines on purpose: the endpoint's one request pipeline (SigV4 check, deny list, faults, routing to the three APIs).
using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;

namespace ExpressHa.AwsLocal;

/// <summary>A hook command that ran when an instance changed state.</summary>
public sealed record HookRun(string InstanceId, string State, string Command, int ExitCode, string Output);

/// <summary>One call seen by the endpoint.</summary>
public sealed record CallRecord(DateTime At, string Service, string Action, int Status, string? ErrorCode);

/// <summary>The local AWS-compatible endpoint: EC2 (Query, 2016-11-15), Route 53 (REST-XML, 2013-04-01) and SNS
/// (Query, 2010-03-31) on one port, plus control routes under /_ (faults, state). IMDS runs per instance on its own
/// listener (StartImdsAsync).</summary>
public sealed class AwsLocalServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Ec2Api _ec2;
    private readonly Route53Api _r53;
    private readonly SnsApi _sns;
    private readonly CancellationTokenSource _cts = new();
    private readonly Dictionary<string, int> _transitions = new();
    private readonly List<HookRun> _hookRuns = new();
    private readonly List<CallRecord> _calls = new();
    private readonly List<ImdsServer> _imds = new();
    private readonly List<Task> _background = new();
    private readonly string? _stateOut;
    private readonly object _stateOutLock = new();

    private AwsLocalServer(WebApplication app, World world, string? stateOut)
    {
        _app = app;
        World = world;
        _stateOut = stateOut;
        _ec2 = new Ec2Api(this);
        _r53 = new Route53Api(this);
        _sns = new SnsApi(this);
        foreach (var f in world.Read(s => s.Faults.ToList())) Faults.Add(f);
        world.KeepHistory = () => Faults.AnyLag;
        if (stateOut != null) world.Changed += WriteStateOut;
    }

    public World World { get; }
    public Faults Faults { get; } = new();
    /// <summary>e.g. http://127.0.0.1:PORT/ — use as ServiceURL for EC2 and SNS and as the Route 53 endpoint.</summary>
    public Uri BaseAddress { get; private set; } = null!;
    public IReadOnlyList<HookRun> HookRuns { get { lock (_hookRuns) return _hookRuns.ToList(); } }
    public IReadOnlyList<CallRecord> CallLog { get { lock (_calls) return _calls.ToList(); } }
    /// <summary>Raised after a hook ran.</summary>
    public event Action<HookRun>? HookRan;

    public static async Task<AwsLocalServer> StartAsync(World world, string listenAddress = "127.0.0.1", int port = 0, string? stateOut = null)
    {
        var b = WebApplication.CreateSlimBuilder();
        b.Logging.ClearProviders();
        b.WebHost.UseKestrel(o => o.Listen(IPAddress.Parse(listenAddress), port));
        var app = b.Build();
        var srv = new AwsLocalServer(app, world, stateOut);
        app.Run(srv.HandleAsync);
        await app.StartAsync();
        srv.BaseAddress = new Uri(app.Urls.First() + "/");
        srv.WriteStateOut();
        return srv;
    }

    /// <summary>Starts the IMDSv2 endpoint of one instance on its own port (0 = a free one).</summary>
    public async Task<ImdsServer> StartImdsAsync(string instanceId, string listenAddress = "127.0.0.1", int port = 0)
    {
        var s = await ImdsServer.StartAsync(World, instanceId, listenAddress, port);
        lock (_imds) _imds.Add(s);
        return s;
    }

    /// <summary>Same as the instance method, without a server (IMDS only needs the world).</summary>
    public static Task<ImdsServer> StartImdsAsync(World world, string instanceId, int port, string listenAddress = "127.0.0.1") =>
        ImdsServer.StartAsync(world, instanceId, listenAddress, port);

    public async ValueTask DisposeAsync()
    {
        _cts.Cancel();
        List<ImdsServer> imds;
        lock (_imds) imds = _imds.ToList();
        foreach (var i in imds) await i.DisposeAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
        WriteStateOut();
    }

    /// <summary>Waits until the instance is in the given state (tests).</summary>
    public async Task WaitForInstanceStateAsync(string instanceId, string state, TimeSpan timeout)
    {
        var end = DateTime.UtcNow + timeout;
        while (World.Read(s => s.Instances.First(i => i.Id == instanceId).State) != state)
        {
            if (DateTime.UtcNow > end) throw new TimeoutException($"{instanceId} did not reach {state}");
            await Task.Delay(20);
        }
    }

    private void WriteStateOut()
    {
        if (_stateOut == null) return;
        lock (_stateOutLock)
        {
            var tmp = _stateOut + ".tmp";
            File.WriteAllText(tmp, World.ToYaml());
            File.Move(tmp, _stateOut, overwrite: true);
        }
    }

    // ------------------------------------------------------------------ instance state machine

    internal void ScheduleTransition(string instanceId, string target, double delaySeconds)
    {
        int gen;
        lock (_transitions) gen = _transitions[instanceId] = _transitions.GetValueOrDefault(instanceId) + 1;
        var from = target == "stopped" ? "stopping" : "pending";
        var t = Task.Run(async () =>
        {
            try { await Task.Delay(TimeSpan.FromSeconds(Math.Max(0, delaySeconds)), _cts.Token); }
            catch (OperationCanceledException) { return; }
            lock (_transitions) if (_transitions[instanceId] != gen) return;
            var hook = World.Write(s =>
            {
                var i = s.Instances.First(x => x.Id == instanceId);
                if (i.State != from) return (string?)null;
                i.State = target;
                return (target == "stopped" ? i.StopHook : i.StartHook) ?? "";
            });
            if (!string.IsNullOrEmpty(hook)) await RunHookAsync(instanceId, target, hook);
        });
        lock (_background) { _background.RemoveAll(x => x.IsCompleted); _background.Add(t); }
    }

    private async Task RunHookAsync(string instanceId, string state, string command)
    {
        var psi = new ProcessStartInfo("sh") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(command);
        psi.ArgumentList.Add("sh");
        psi.ArgumentList.Add(instanceId);
        psi.Environment["EXPRESSHA_INSTANCE_ID"] = instanceId;
        psi.Environment["EXPRESSHA_INSTANCE_STATE"] = state;
        HookRun run;
        try
        {
            using var p = Process.Start(psi)!;
            var o = p.StandardOutput.ReadToEndAsync();
            var e = p.StandardError.ReadToEndAsync();
            await p.WaitForExitAsync();
            run = new HookRun(instanceId, state, command, p.ExitCode, await o + await e);
        }
        catch (Exception ex) { run = new HookRun(instanceId, state, command, -1, ex.Message); }
        lock (_hookRuns) _hookRuns.Add(run);
        HookRan?.Invoke(run);
    }

    // ------------------------------------------------------------------ authorization (IAM-like denials)

    /// <summary>Throws the service's access-denied error when the world or the caller's key denies the action
    /// (on the resource, for rules written "service:Action@resource-id").</summary>
    internal void Authorize(AwsRequest r, string action, string? resource)
    {
        var rules = World.Read(s => s.DeniedActions.ToList());
        if (r.Key != null) rules.AddRange(r.Key.Denied);
        foreach (var rule in rules)
        {
            var at = rule.IndexOf('@');
            var pattern = at < 0 ? rule : rule[..at];
            var res = at < 0 ? null : rule[(at + 1)..];
            if (!Faults.Matches(pattern, r.Service, action)) continue;
            if (res != null && res != resource) continue;
            var user = $"arn:aws:iam::{World.AccountId}:user/{r.Key?.Id ?? "anonymous"}";
            throw r.Service switch
            {
                "ec2" => new AwsError(403, "UnauthorizedOperation", "You are not authorized to perform this operation."),
                "route53" => new AwsError(403, "AccessDenied", $"User: {user} is not authorized to perform: route53:{action} on resource: arn:aws:route53:::hostedzone/{resource}"),
                _ => new AwsError(403, "AuthorizationError", $"User: {user} is not authorized to perform: SNS:{action} on resource: {resource}"),
            };
        }
    }

    // ------------------------------------------------------------------ authentication (SigV4)

    private AwsError? Authenticate(AwsRequest r)
    {
        var (mode, skew, keys) = World.Read(s => (s.Auth.Mode, s.Auth.MaxSkewMinutes, s.AccessKeys.ToList()));
        var ec2 = r.Service == "ec2";
        var h = r.Http.Request.Headers;
        var auth = (string?)h.Authorization;
        if (string.IsNullOrEmpty(auth))
        {
            if (mode == "none") return null;
            return ec2 ? new AwsError(401, "MissingAuthenticationToken", "The request must contain either a valid (registered) AWS access key ID or X.509 certificate.")
                       : new AwsError(403, "MissingAuthenticationToken", "Missing Authentication Token");
        }
        var parsed = SigV4.TryParse(auth);
        if (parsed == null)
            return mode == "none" ? null : new AwsError(400, "IncompleteSignature",
                $"Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization={auth}");
        var key = keys.FirstOrDefault(k => k.Id == parsed.AccessKeyId);
        if (mode == "none") { r.Key = key; return null; }
        AwsError BadKey() => ec2 ? new AwsError(401, "AuthFailure", "AWS was not able to validate the provided access credentials")
                                 : new AwsError(403, "InvalidClientTokenId", "The security token included in the request is invalid.");
        if (key == null) return BadKey();
        if (key.SessionToken != null && (string?)h["X-Amz-Security-Token"] != key.SessionToken) return BadKey();
        if (parsed.Service != r.Service)
            return new AwsError(403, "SignatureDoesNotMatch", $"Credential should be scoped to correct service: '{r.Service}'. ");
        r.Key = key;
        if (mode != "signature") return null;

        var amzDate = (string?)h["X-Amz-Date"];
        if (amzDate == null || !DateTime.TryParseExact(amzDate, "yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal, out var when))
            return new AwsError(400, "IncompleteSignature", "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
        if (Math.Abs((DateTime.UtcNow - when).TotalMinutes) > skew)
            return ec2 ? new AwsError(400, "RequestExpired", $"Request has expired. Timestamp date is {amzDate}")
                       : new AwsError(403, "SignatureDoesNotMatch", $"Signature expired: {amzDate} is now earlier than the allowed window.");
        var raw = r.Http.Features.Get<IHttpRequestFeature>()?.RawTarget ?? r.Http.Request.Path + r.Http.Request.QueryString;
        var qi = raw.IndexOf('?');
        var rawPath = qi < 0 ? raw : raw[..qi];
        var rawQuery = qi < 0 ? "" : raw[(qi + 1)..];
        var payloadHash = (string?)h["X-Amz-Content-SHA256"];
        var actualHash = SigV4.Hex(SHA256.HashData(r.Body));
        if (payloadHash == null) payloadHash = actualHash;
        else if (payloadHash != "UNSIGNED-PAYLOAD" && !payloadHash.Equals(actualHash, StringComparison.OrdinalIgnoreCase))
            return new AwsError(400, "XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed.");
        var creq = SigV4.CanonicalRequest(r.Http.Request.Method, rawPath, rawQuery,
            name => h.TryGetValue(name, out var v) ? string.Join(",", v.Select(x => x?.Trim())) : null, parsed.SignedHeaders, payloadHash);
        var expected = SigV4.Signature(key.Secret, amzDate, parsed.Date, parsed.Region, parsed.Service, creq);
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(parsed.Signature)))
            return new AwsError(403, "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.");
        return null;
    }

    // ------------------------------------------------------------------ dispatch

    private async Task HandleAsync(HttpContext ctx)
    {
        var ms = new MemoryStream();
        await ctx.Request.Body.CopyToAsync(ms, ctx.RequestAborted);
        var body = ms.ToArray();
        var path = ctx.Request.Path.Value ?? "/";
        if (path.StartsWith("/_")) { await ControlAsync(ctx, path, body); return; }

        var prm = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in ctx.Request.Query) prm[k] = v.ToString();
        var isForm = ctx.Request.ContentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) == true;
        if (isForm) foreach (var (k, v) in QueryHelpers.ParseQuery(Encoding.UTF8.GetString(body))) prm[k] = v.ToString();

        string service;
        if (path.StartsWith("/2013-04-01/") || path == "/2013-04-01") service = "route53";
        else if (prm.GetValueOrDefault("Version") == "2016-11-15") service = "ec2";
        else if (prm.GetValueOrDefault("Version") == "2010-03-31") service = "sns";
        else service = SigV4.TryParse(ctx.Request.Headers.Authorization.ToString())?.Service switch
        {
            "ec2" => "ec2", "sns" => "sns", "route53" => "route53", _ => "unknown"
        };
        if (service == "unknown")
        {
            await Send(ctx, 400, Ec2Api.ErrorXml("InvalidAction", "Could not determine the service from the request (Version, path or credential scope)", Ids.RequestId()));
            return;
        }
        var action = service == "route53" ? Route53Api.ActionOf(ctx.Request.Method, path) : prm.GetValueOrDefault("Action") ?? "";
        var r = new AwsRequest { Http = ctx, Service = service, Action = action, Body = body, Params = prm };
        ctx.Response.Headers["x-amzn-RequestId"] = r.RequestId;
        int status = 200;
        string? code = null;
        try
        {
            if (service != "route53" && ctx.Request.Method != "POST" && ctx.Request.Method != "GET")
                throw new AwsError(405, "InvalidHttpMethod", "Only GET and POST are supported");
            if (Authenticate(r) is { } authError) throw authError;
            var d = Faults.Decide(service, action, IsRead(action));
            if (d.LatencyMs > 0) await Task.Delay(d.LatencyMs, ctx.RequestAborted);
            if (d.HangMs > 0)
            {
                using var hang = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, _cts.Token);
                try { await Task.Delay(d.HangMs, hang.Token); }
                catch (OperationCanceledException) { status = 0; code = "ClientGaveUp"; return; }
                throw ServerError(service, 504);
            }
            if (d.Throttle)
                throw service == "ec2" ? new AwsError(503, "RequestLimitExceeded", "Request limit exceeded.")
                                       : new AwsError(400, "Throttling", "Rate exceeded");
            if (d.ErrorStatus > 0) throw ServerError(service, d.ErrorStatus);
            r.LagMs = d.LagMs;
            if (service == "ec2" && !Ec2Api.Actions.Contains(action))
                throw new AwsError(400, "InvalidAction", $"The action {action} is not valid for this web service.");
            Authorize(r, action, null);
            var xml = service switch { "ec2" => _ec2.Handle(r), "route53" => _r53.Handle(r), _ => _sns.Handle(r) };
            await Send(ctx, 200, xml);
        }
        catch (AwsError e)
        {
            status = e.Status; code = e.Code;
            var xml = service switch
            {
                "ec2" => Ec2Api.ErrorXml(e.Code, e.Message, r.RequestId),
                "route53" => Route53Api.ErrorXml(e.Code, e.Message, r.RequestId, e.Status >= 500 ? "Receiver" : "Sender"),
                _ => SnsApi.ErrorXml(e.Code, e.Message, r.RequestId, e.Status >= 500 ? "Receiver" : "Sender"),
            };
            await Send(ctx, e.Status, xml);
        }
        catch (InvalidChangeBatchError e)
        {
            status = 400; code = "InvalidChangeBatch";
            await Send(ctx, 400, Route53Api.InvalidChangeBatchXml(e.Messages, r.RequestId));
        }
        catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested) { status = 0; code = "ClientGaveUp"; }
        finally
        {
            lock (_calls) { _calls.Add(new CallRecord(DateTime.UtcNow, service, action, status, code)); if (_calls.Count > 10000) _calls.RemoveRange(0, 5000); }
        }
    }

    private static bool IsRead(string action) => action.StartsWith("Describe") || action.StartsWith("List") || action.StartsWith("Get");

    private static AwsError ServerError(string service, int status) => (service, status) switch
    {
        ("ec2", 503) => new AwsError(503, "Unavailable", "The server is overloaded and can't handle the request."),
        ("ec2", _) => new AwsError(status, "InternalError", "An internal error has occurred."),
        (_, 503) => new AwsError(503, "ServiceUnavailable", "Service is unavailable."),
        ("route53", _) => new AwsError(status, "InternalFailure", "An internal failure occurred."),
        _ => new AwsError(status, "InternalError", "An internal error has occurred."),
    };

    private static async Task Send(HttpContext ctx, int status, string xml)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "text/xml;charset=UTF-8";
        await ctx.Response.WriteAsync(xml);
    }

    // ------------------------------------------------------------------ control routes (not AWS)

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private async Task ControlAsync(HttpContext ctx, string path, byte[] body)
    {
        var m = ctx.Request.Method;
        var q = ctx.Request.Query;
        async Task J(object o, int status = 200)
        {
            ctx.Response.StatusCode = status;
            ctx.Response.ContentType = "application/json";
            await ctx.Response.WriteAsync(JsonSerializer.Serialize(o, Json));
        }
        try
        {
            switch (m, path.TrimEnd('/'))
            {
                case ("GET", "/_health"): await J(new { ok = true }); return;
                case ("GET", "/_state"):
                    ctx.Response.ContentType = "application/yaml";
                    await ctx.Response.WriteAsync(World.ToYaml());
                    return;
                case ("GET", "/_faults"): await J(Faults.Rules); return;
                case ("POST", "/_faults"):
                {
                    var text = Encoding.UTF8.GetString(body).Trim();
                    var list = text.StartsWith('[') ? JsonSerializer.Deserialize<List<FaultSpec>>(text, Json)! : [JsonSerializer.Deserialize<FaultSpec>(text, Json)!];
                    foreach (var f in list) Faults.Add(f);
                    await J(Faults.Rules);
                    return;
                }
                case ("DELETE", "/_faults"):
                    if (q.ContainsKey("action")) Faults.Clear(q["action"]!); else Faults.Clear();
                    await J(Faults.Rules);
                    return;
                case ("GET", "/_calls"): await J(new { action = (string?)q["action"], count = Faults.Calls(q["action"].ToString()) }); return;
                case ("GET", "/_sns/messages"): await J(World.Read(s => s.Published.ToList())); return;
                case ("GET", "/_hooks"): await J(HookRuns); return;
                case ("POST", "/_imds"):
                {
                    var imds = await StartImdsAsync(q["instance"].ToString(), q.ContainsKey("address") ? q["address"].ToString() : "127.0.0.1",
                        int.TryParse(q["port"], out var port) ? port : 0);
                    await J(new { instance = imds.InstanceId, url = imds.BaseAddress.ToString() });
                    return;
                }
            }
            var seg = path.Trim('/').Split('/');
            if (m == "POST" && seg.Length == 3 && seg[0] == "_world" && seg[1] == "az")
            {
                var state = q["state"].ToString();
                World.Write(s => s.AvailabilityZones.First(a => a.Name == seg[2]).State = state);
                await J(new { zone = seg[2], state });
                return;
            }
            if (m == "POST" && seg.Length == 3 && seg[0] == "_world" && seg[1] == "instances")
            {
                var state = q["state"].ToString();
                lock (_transitions) _transitions[seg[2]] = _transitions.GetValueOrDefault(seg[2]) + 1;
                World.Write(s => s.Instances.First(a => a.Id == seg[2]).State = state);
                await J(new { instance = seg[2], state });
                return;
            }
            await J(new { error = $"no control route {m} {path}" }, 404);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
        {
            await J(new { error = e.Message }, 400);
        }
    }
}
