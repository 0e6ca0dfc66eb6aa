using ExpressHa.Config;
using ExpressHa.Service.Aws;

namespace ExpressHa.Service.Resources.Aws;

/// <summary>awsdns: a Route 53 A record pointing at the active node. The address: fixedIp, else the node's per-node
/// <c>ip</c>, else the node's own (primary interconnect) address. The record name is normalised (lower case, trailing
/// dot): Route 53 treats names case-insensitively and returns them lower case, so "Cluster.Srv.Hz1.Local" and
/// "cluster.srv.hz1.local." are the same record. Start: UPSERT (updateTries attempts, updateIntervalSeconds apart,
/// throttling retried), then with waitInsync GetChange every insyncIntervalSeconds up to insyncTries until INSYNC,
/// then a read-back of the record. Stop: unless deleteOnDeactivate is false, DELETE the record when it holds our address.
/// Codes: 50 failed (e.g. "No hosted zone found with ID: Z.."), 51 Timeout occurred. (<see cref="AwsCodes"/>).</summary>
public sealed class AwsDnsResource : IResourceDriver
{
    public const string LogModule = "awsdns";
    readonly AwsClientsProvider _clients;

    public AwsDnsResource(AwsClientsProvider clients) => _clients = clients ?? throw new ArgumentNullException(nameof(clients));

    public string Type => "awsdns";

    /// <summary>"Cluster.Srv.Hz1.Local" → "cluster.srv.hz1.local.".</summary>
    public static string NormaliseName(string name)
    {
        var n = name.Trim().ToLowerInvariant();
        return n.EndsWith('.') ? n : n + ".";
    }

    /// <summary>The address this node registers.</summary>
    public static string AddressFor(ResourceConfig r, NodeConfig node, ClusterConfig config)
    {
        var text = AwsParams.String(r, "fixedIp") ?? r.GetParameter("ip", node.Name) ?? node.PrimaryAddress(config.Cluster)
            ?? throw new ResourceException(AwsCodes.BadParameter, $"no address for node {node.Name}: set fixedIp or ip for the node");
        return AwsParams.Ipv4(text, "ip").ToString();
    }

    public async Task StartAsync(ResourceContext context, CancellationToken cancellationToken)
    {
        var r = context.Resource;
        var zone = AwsParams.Required(r, "hostedZoneId");
        var configuredName = AwsParams.Required(r, "recordName");
        var name = NormaliseName(configuredName);
        if (name != configuredName)
            context.Alerts.Log(LogModule, $"{r.Name}: record name '{configuredName}' used as '{name}' (Route 53 names are case-insensitive, fully qualified)");
        var ip = AddressFor(r, context.Node, context.Config);
        var ttl = AwsParams.Long(r, "ttl", 10);
        var budget = new AwsBudget(AwsParams.Seconds(r, "timeoutSeconds", 300));
        var updateInterval = AwsParams.Seconds(r, "updateIntervalSeconds", 2);
        var updateTries = (int)Math.Max(1, AwsParams.Long(r, "updateTries", 3));
        try
        {
            var clients = _clients.Get(context.Config);
            var record = new RecordSet(name, "A", ttl, [ip]);
            var changeId = await AwsRetry.RunAsync(c => clients.Route53.ChangeRecordAsync(zone, "UPSERT", record, c),
                new AwsRetryPolicy(budget.Remaining, budget.PerCall) { BaseDelay = updateInterval, MaxDelay = updateInterval, MaxAttempts = updateTries },
                cancellationToken, "ChangeResourceRecordSets").ConfigureAwait(false);
            context.Alerts.Log(LogModule, $"{r.Name}: UPSERT {name} A {ip} TTL {ttl} in {zone} ({changeId})");

            if (AwsParams.Bool(r, "waitInsync", true))
            {
                var interval = AwsParams.Seconds(r, "insyncIntervalSeconds", 20);
                var tries = (int)Math.Max(1, AwsParams.Long(r, "insyncTries", 5));
                var insync = await ReadBack.UntilAsync(c => clients.Route53.GetChangeStatusAsync(changeId, c), s => s == "INSYNC",
                    new ReadBackOptions(budget.Remaining, budget.PerCall) { Interval = interval, MaxPolls = tries }, cancellationToken, "GetChange").ConfigureAwait(false);
                if (!insync.Satisfied)
                    throw new ResourceException(AwsCodes.DnsTimeout,
                        $"{AwsCodes.TimeoutText} (change {changeId} is {insync.Last ?? "unknown"} after {insync.Polls} GetChange polls{(insync.LastError != null ? "; " + insync.LastError.Message : "")})");
                context.Alerts.Log(LogModule, $"{r.Name}: change {changeId} INSYNC after {insync.Polls} poll(s)");
            }

            await ReadBack.RequireAsync(c => FindAsync(clients, zone, name, c), rs => rs != null && rs.Values.Count == 1 && rs.Values[0] == ip,
                budget.ReadBack(TimeSpan.FromSeconds(1)), $"record {name} A {ip}", cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not ResourceException && !cancellationToken.IsCancellationRequested)
        {
            throw AwsErrors.ToResource(e, AwsCodes.ApiFailed, AwsCodes.DnsTimeout);
        }
    }

    public async Task StopAsync(ResourceContext context, CancellationToken cancellationToken)
    {
        var r = context.Resource;
        if (!AwsParams.Bool(r, "deleteOnDeactivate", true)) return;
        var zone = AwsParams.Required(r, "hostedZoneId");
        var name = NormaliseName(AwsParams.Required(r, "recordName"));
        var ip = AddressFor(r, context.Node, context.Config);
        var budget = new AwsBudget(AwsParams.Seconds(r, "timeoutSeconds", 300));
        try
        {
            var clients = _clients.Get(context.Config);
            var current = await budget.Call(c => FindAsync(clients, zone, name, c), "ListResourceRecordSets", cancellationToken).ConfigureAwait(false);
            if (current == null || !current.Values.Contains(ip))
            {
                context.Alerts.Log(LogModule, $"{r.Name}: {name} does not hold {ip}: nothing to delete");
                return;
            }
            // DELETE must match the record exactly: send what Route 53 holds.
            await budget.Call(c => clients.Route53.ChangeRecordAsync(zone, "DELETE", current, c), "ChangeResourceRecordSets", cancellationToken).ConfigureAwait(false);
            await ReadBack.RequireAsync(c => FindAsync(clients, zone, name, c), rs => rs == null, budget.ReadBack(), $"deletion of {name}", cancellationToken).ConfigureAwait(false);
            context.Alerts.Log(LogModule, $"{r.Name}: deleted {name} A {ip}");
        }
        catch (Exception e) when (e is not ResourceException && !cancellationToken.IsCancellationRequested)
        {
            throw AwsErrors.ToResource(e, AwsCodes.ApiFailed, AwsCodes.DnsTimeout);
        }
    }

    /// <summary>Active when the record holds this node's address; AWS errors (a missing zone included): unknown.</summary>
    public Task<ResourceProbe> ProbeAsync(ResourceContext context, CancellationToken cancellationToken) => AwsProbe.GuardAsync(async () =>
    {
        var r = context.Resource;
        var zone = AwsParams.Required(r, "hostedZoneId");
        var name = NormaliseName(AwsParams.Required(r, "recordName"));
        var ip = AddressFor(r, context.Node, context.Config);
        var budget = AwsProbe.Budget(r, 300);
        var clients = _clients.Get(context.Config);
        var current = await budget.Call(c => FindAsync(clients, zone, name, c), "ListResourceRecordSets", cancellationToken).ConfigureAwait(false);
        return current != null && current.Values.Contains(ip) ? ResourceProbe.Active : ResourceProbe.Inactive;
    }, cancellationToken);

    /// <summary>The A record with exactly this name, or null (one ListResourceRecordSets call starting at the name).</summary>
    public static async Task<RecordSet?> FindAsync(IAwsClients clients, string zone, string name, CancellationToken ct)
    {
        var list = await clients.Route53.ListRecordsAsync(zone, name, "A", 1, ct).ConfigureAwait(false);
        return list.FirstOrDefault(x => x.Type == "A" && string.Equals(NormaliseName(x.Name), name, StringComparison.Ordinal));
    }
}
