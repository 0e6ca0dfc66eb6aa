namespace ExpressHa.AwsLocal;

/// <summary>One fault rule. Action: "ec2:ReplaceRoute", "route53:GetChange", "sns:Publish", a bare action name
/// ("ReplaceRoute", any service), "ec2:*", or "*". Counters (throttle, hang, errors) are consumed call by call;
/// latencyMs and lagMs stay until cleared.</summary>
public sealed class FaultSpec
{
    public string Action { get; set; } = "*";
    /// <summary>The next N calls fail with RequestLimitExceeded (EC2, 503) or Throttling (Route 53 / SNS, 400).</summary>
    public int Throttle { get; set; }
    /// <summary>Every call waits this long before it is handled.</summary>
    public int LatencyMs { get; set; }
    /// <summary>The next N calls hang (nothing is applied) for HangMs or until the client gives up.</summary>
    public int Hang { get; set; }
    public int HangMs { get; set; } = 120_000;
    /// <summary>The next N calls fail with ErrorStatus (500 InternalError, 503 Unavailable / ServiceUnavailable).</summary>
    public int Errors { get; set; }
    public int ErrorStatus { get; set; } = 500;
    /// <summary>Reads (Describe*, List*, Get*) see the state as it was LagMs ago (read-after-write lag).</summary>
    public int LagMs { get; set; }

    internal FaultSpec Copy() => (FaultSpec)MemberwiseClone();
}

/// <summary>What the registry decided for one call.</summary>
public readonly record struct FaultDecision(bool Throttle, int LatencyMs, int HangMs, int ErrorStatus, int LagMs);

/// <summary>Thread-safe fault registry; also counts calls per "service:Action".</summary>
public sealed class Faults
{
    private readonly object _sync = new();
    private readonly List<FaultSpec> _rules = new();
    private readonly Dictionary<string, int> _calls = new(StringComparer.OrdinalIgnoreCase);

    public void Add(FaultSpec f) { lock (_sync) _rules.Add(f.Copy()); }
    public void Throttle(string action, int count) => Add(new FaultSpec { Action = action, Throttle = count });
    public void Latency(string action, int ms) => Add(new FaultSpec { Action = action, LatencyMs = ms });
    public void Hang(string action, int count = 1, int ms = 120_000) => Add(new FaultSpec { Action = action, Hang = count, HangMs = ms });
    public void Error(string action, int count = 1, int status = 500) => Add(new FaultSpec { Action = action, Errors = count, ErrorStatus = status });
    public void Lag(string action, int ms) => Add(new FaultSpec { Action = action, LagMs = ms });
    public void Clear() { lock (_sync) _rules.Clear(); }
    public void Clear(string action) { lock (_sync) _rules.RemoveAll(r => string.Equals(r.Action, action, StringComparison.OrdinalIgnoreCase)); }
    public IReadOnlyList<FaultSpec> Rules { get { lock (_sync) return _rules.Select(r => r.Copy()).ToList(); } }

    /// <summary>Calls seen (including failed ones) for "ec2:ReplaceRoute" or a bare action name (all services).</summary>
    public int Calls(string action)
    {
        lock (_sync)
            return action.Contains(':') ? _calls.GetValueOrDefault(action)
                : _calls.Where(kv => kv.Key.EndsWith(":" + action, StringComparison.OrdinalIgnoreCase)).Sum(kv => kv.Value);
    }

    public void ResetCalls() { lock (_sync) _calls.Clear(); }

    internal bool AnyLag { get { lock (_sync) return _rules.Any(r => r.LagMs > 0); } }

    internal static bool Matches(string rule, string service, string action)
    {
        if (rule == "*") return true;
        var i = rule.IndexOf(':');
        if (i < 0) return string.Equals(rule, action, StringComparison.OrdinalIgnoreCase);
        var rs = rule[..i]; var ra = rule[(i + 1)..];
        return string.Equals(rs, service, StringComparison.OrdinalIgnoreCase)
            && (ra == "*" || string.Equals(ra, action, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Counts the call and consumes one unit of the first matching counted fault.</summary>
    internal FaultDecision Decide(string service, string action, bool isRead)
    {
        lock (_sync)
        {
            var key = service + ":" + action;
            _calls[key] = _calls.GetValueOrDefault(key) + 1;
            int latency = 0, lag = 0, hang = 0, error = 0;
            bool throttle = false;
            foreach (var r in _rules.Where(r => Matches(r.Action, service, action)))
            {
                latency = Math.Max(latency, r.LatencyMs);
                if (isRead) lag = Math.Max(lag, r.LagMs);
                if (throttle || hang > 0 || error > 0) continue;
                if (r.Throttle > 0) { r.Throttle--; throttle = true; }
                else if (r.Hang > 0) { r.Hang--; hang = r.HangMs; }
                else if (r.Errors > 0) { r.Errors--; error = r.ErrorStatus; }
            }
            return new FaultDecision(throttle, latency, hang, error, lag);
        }
    }
}
