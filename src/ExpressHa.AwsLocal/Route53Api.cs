using System.Xml.Linq;

namespace ExpressHa.AwsLocal;

/// <summary>Route 53 REST-XML API (2013-04-01): ListHostedZones, GetHostedZone, ChangeResourceRecordSets,
/// ListResourceRecordSets, GetChange.</summary>
internal sealed class Route53Api
{
    public const string Ns = "https://route53.amazonaws.com/doc/2013-04-01/";
    private static readonly XNamespace X = Ns;
    private readonly AwsLocalServer _server;
    private World W => _server.World;

    public Route53Api(AwsLocalServer server) => _server = server;

    public static string ErrorXml(string code, string message, string requestId, string type = "Sender") =>
        new XmlOut().Open("ErrorResponse", Ns).Open("Error").El("Type", type).El("Code", code).El("Message", message).Close("Error")
            .El("RequestId", requestId).Close("ErrorResponse").ToString();

    /// <summary>Route 53 reports change-batch problems in its own shape: &lt;InvalidChangeBatch&gt;&lt;Messages&gt;&lt;Message&gt;...</summary>
    public static string InvalidChangeBatchXml(IEnumerable<string> messages, string requestId)
    {
        var x = new XmlOut().Open("InvalidChangeBatch", Ns).Open("Messages");
        foreach (var m in messages) x.El("Message", m);
        return x.Close("Messages").El("RequestId", requestId).Close("InvalidChangeBatch").ToString();
    }

    /// <summary>Works out the action from method and path (after /2013-04-01).</summary>
    public static string ActionOf(string method, string path)
    {
        var seg = path.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        // seg[0] == "2013-04-01"
        if (seg.Length == 2 && seg[1] == "hostedzone") return method == "GET" ? "ListHostedZones" : method == "POST" ? "CreateHostedZone" : "Unknown";
        if (seg.Length >= 3 && seg[1] == "hostedzone")
        {
            if (seg.Length == 3) return method == "GET" ? "GetHostedZone" : "Unknown";
            if (seg[^1] == "rrset") return method == "GET" ? "ListResourceRecordSets" : method == "POST" ? "ChangeResourceRecordSets" : "Unknown";
        }
        if (seg.Length == 3 && seg[1] == "change" && method == "GET") return "GetChange";
        return "Unknown";
    }

    private static string ZoneIdFromPath(string path)
    {
        var seg = path.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        return seg[2];
    }

    private static AwsError NoSuchZone(string id) => new(404, "NoSuchHostedZone", $"No hosted zone found with ID: {id}");

    public string Handle(AwsRequest r)
    {
        var path = r.Http.Request.Path.Value ?? "";
        return r.Action switch
        {
            "ListHostedZones" => ListHostedZones(r),
            "GetHostedZone" => GetHostedZone(r, ZoneIdFromPath(path)),
            "ChangeResourceRecordSets" => Change(r, ZoneIdFromPath(path)),
            "ListResourceRecordSets" => ListRecords(r, ZoneIdFromPath(path)),
            "GetChange" => GetChange(r, path.Trim('/').Split('/')[^1]),
            _ => throw new AwsError(404, "UnknownOperationException", $"Unsupported operation {r.Http.Request.Method} {path}"),
        };
    }

    private static void Zone(XmlOut x, WorldState s, HostedZone z) =>
        x.Open("HostedZone").El("Id", "/hostedzone/" + z.Id).El("Name", z.Name).El("CallerReference", "expressha-" + z.Id)
         .Open("Config").El("Comment", z.Comment).El("PrivateZone", z.Private).Close("Config")
         .El("ResourceRecordSetCount", z.Records.Count).Close("HostedZone");

    private string ListHostedZones(AwsRequest r)
    {
        var q = r.Http.Request.Query;
        var max = int.TryParse(q["maxitems"], out var m) ? Math.Clamp(m, 1, 100) : 100;
        var marker = (string?)q["marker"];
        return W.ReadLagged(r.LagMs, s =>
        {
            var zones = s.HostedZones.OrderBy(z => z.Id, StringComparer.Ordinal).ToList();
            var start = marker == null ? 0 : zones.FindIndex(z => z.Id == World.StripZonePrefix(marker));
            if (start < 0) start = zones.Count;
            var page = zones.Skip(start).Take(max).ToList();
            var truncated = start + page.Count < zones.Count;
            var x = new XmlOut().Open("ListHostedZonesResponse", Ns).Open("HostedZones");
            foreach (var z in page) Zone(x, s, z);
            x.Close("HostedZones");
            if (marker != null) x.El("Marker", marker);
            x.El("IsTruncated", truncated);
            if (truncated) x.El("NextMarker", zones[start + page.Count].Id);
            return x.El("MaxItems", max).Close("ListHostedZonesResponse").ToString();
        });
    }

    private string GetHostedZone(AwsRequest r, string id) => W.ReadLagged(r.LagMs, s =>
    {
        var z = s.HostedZones.FirstOrDefault(z => z.Id == id) ?? throw NoSuchZone(id);
        var x = new XmlOut().Open("GetHostedZoneResponse", Ns);
        Zone(x, s, z);
        x.Open("DelegationSet").Open("NameServers").El("NameServer", "ns-1.awsdns-local.org").Close("NameServers").Close("DelegationSet");
        return x.Close("GetHostedZoneResponse").ToString();
    });

    /// <summary>Route 53's list order: names compared with their labels reversed (com.example.www), then type.</summary>
    internal static string SortKey(string name) => string.Join(".", name.TrimEnd('.').Split('.').Reverse());

    private static int Compare(ResourceRecordSet a, string name, string? type)
    {
        var c = string.CompareOrdinal(SortKey(a.Name), SortKey(name));
        if (c != 0 || type == null) return c;
        return string.CompareOrdinal(a.Type, type);
    }

    private string ListRecords(AwsRequest r, string id)
    {
        var q = r.Http.Request.Query;
        var name = (string?)q["name"];
        var type = (string?)q["type"];
        if (type != null && name == null) throw new AwsError(400, "InvalidInput", "The input is not valid: type requires name");
        var max = 300;
        if (q["maxitems"].Count > 0 && (!int.TryParse(q["maxitems"], out max) || max < 1))
            throw new AwsError(400, "InvalidInput", "1 validation error detected: Value for 'maxitems' failed to satisfy constraint: Member must be at least 1");
        max = Math.Min(max, 300);
        return W.ReadLagged(r.LagMs, s =>
        {
            var z = s.HostedZones.FirstOrDefault(z => z.Id == id) ?? throw NoSuchZone(id);
            var all = z.Records.OrderBy(x => SortKey(x.Name), StringComparer.Ordinal).ThenBy(x => x.Type, StringComparer.Ordinal).ToList();
            var start = name == null ? all : all.Where(x => Compare(x, World.DnsName(name), type?.ToUpperInvariant()) >= 0).ToList();
            var page = start.Take(max).ToList();
            var truncated = start.Count > page.Count;
            var x = new XmlOut().Open("ListResourceRecordSetsResponse", Ns).Open("ResourceRecordSets");
            foreach (var rr in page)
            {
                x.Open("ResourceRecordSet").El("Name", rr.Name).El("Type", rr.Type).El("TTL", rr.Ttl).Open("ResourceRecords");
                foreach (var v in rr.Values) x.Open("ResourceRecord").El("Value", v).Close("ResourceRecord");
                x.Close("ResourceRecords").Close("ResourceRecordSet");
            }
            x.Close("ResourceRecordSets").El("IsTruncated", truncated);
            if (truncated) x.El("NextRecordName", start[page.Count].Name).El("NextRecordType", start[page.Count].Type);
            return x.El("MaxItems", max).Close("ListResourceRecordSetsResponse").ToString();
        });
    }

    private static readonly HashSet<string> Types = new() { "A", "AAAA", "CAA", "CNAME", "DS", "MX", "NAPTR", "NS", "PTR", "SOA", "SPF", "SRV", "TXT" };

    private string Change(AwsRequest r, string id)
    {
        XDocument doc;
        try { doc = XDocument.Parse(System.Text.Encoding.UTF8.GetString(r.Body)); }
        catch (Exception) { throw new AwsError(400, "InvalidInput", "Could not parse the request body as XML"); }
        var root = doc.Root;
        if (root == null || root.Name != X + "ChangeResourceRecordSetsRequest")
            throw new AwsError(400, "InvalidInput", "The XML document is not a ChangeResourceRecordSetsRequest in namespace " + Ns);
        var batch = root.Element(X + "ChangeBatch") ?? throw new AwsError(400, "InvalidInput", "ChangeBatch is required");
        var comment = (string?)batch.Element(X + "Comment");
        var changes = batch.Element(X + "Changes")?.Elements(X + "Change").Select(c =>
        {
            var action = (string?)c.Element(X + "Action") ?? "";
            var rr = c.Element(X + "ResourceRecordSet") ?? throw new AwsError(400, "InvalidInput", "ResourceRecordSet is required");
            var set = new ResourceRecordSet
            {
                Name = (string?)rr.Element(X + "Name") ?? "",
                Type = ((string?)rr.Element(X + "Type") ?? "").ToUpperInvariant(),
                Ttl = (long?)rr.Element(X + "TTL") ?? -1,
                Values = rr.Element(X + "ResourceRecords")?.Elements(X + "ResourceRecord").Select(v => ((string?)v.Element(X + "Value") ?? "").Trim()).ToList() ?? new(),
            };
            return (action, set);
        }).ToList() ?? new();
        if (changes.Count == 0) throw new AwsError(400, "InvalidInput", "1 validation error detected: Value null at 'changeBatch.changes' failed to satisfy constraint: Member must not be null");
        foreach (var (action, set) in changes)
        {
            if (action is not ("CREATE" or "UPSERT" or "DELETE"))
                throw new AwsError(400, "InvalidInput", $"1 validation error detected: Value '{action}' at 'changeBatch.changes.1.member.action' failed to satisfy constraint: Member must satisfy enum value set: [CREATE, DELETE, UPSERT]");
            if (!Types.Contains(set.Type))
                throw new AwsError(400, "InvalidInput", $"1 validation error detected: Value '{set.Type}' at 'changeBatch.changes.1.member.resourceRecordSet.type' failed to satisfy constraint: Member must satisfy enum value set: [{string.Join(", ", Types)}]");
            if (string.IsNullOrWhiteSpace(set.Name)) throw new AwsError(400, "InvalidInput", "Name is required");
        }

        var changeId = W.Write(s =>
        {
            var z = s.HostedZones.FirstOrDefault(z => z.Id == id) ?? throw NoSuchZone(id);
            _server.Authorize(r, "ChangeResourceRecordSets", z.Id);
            var errors = new List<string>();
            var records = z.Records.Select(x => new ResourceRecordSet { Name = x.Name, Type = x.Type, Ttl = x.Ttl, Values = x.Values.ToList() }).ToList();
            foreach (var (action, input) in changes)
            {
                var name = World.DnsName(input.Name);
                var desc = $"[name='{name}', type='{input.Type}']";
                if (name != z.Name && !name.EndsWith("." + z.Name)) { errors.Add($"RRSet with DNS name {name} is not permitted in zone {z.Name}"); continue; }
                if (action != "DELETE" || input.Ttl >= 0)
                {
                    if (input.Ttl < 0) { errors.Add($"Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found none in Change with {desc}"); continue; }
                    if (input.Values.Count == 0) { errors.Add($"Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found none in Change with {desc}"); continue; }
                }
                if (input.Type == "A" && input.Values.Any(v => !System.Net.IPAddress.TryParse(v, out var a) || a.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork || v.Count(c => c == '.') != 3))
                { errors.Add($"Invalid Resource Record: 'FATAL problem: ARRDATAIllegalIPv4Address (Value is not a valid IPv4 address) encountered with '{input.Values.First(v => !System.Net.IPAddress.TryParse(v, out _))}''"); continue; }
                var existing = records.FirstOrDefault(x => x.Name == name && x.Type == input.Type);
                switch (action)
                {
                    case "CREATE":
                        if (existing != null) errors.Add($"Tried to create resource record set {desc} but it already exists");
                        else records.Add(new ResourceRecordSet { Name = name, Type = input.Type, Ttl = input.Ttl, Values = input.Values });
                        break;
                    case "UPSERT":
                        if (existing != null) records.Remove(existing);
                        records.Add(new ResourceRecordSet { Name = name, Type = input.Type, Ttl = input.Ttl, Values = input.Values });
                        break;
                    case "DELETE":
                        if (existing == null) errors.Add($"Tried to delete resource record set {desc} but it was not found");
                        else if (existing.Ttl != input.Ttl || !existing.Values.OrderBy(v => v).SequenceEqual(input.Values.OrderBy(v => v)))
                            errors.Add($"Tried to delete resource record set {desc} but the values provided do not match the current values");
                        else records.Remove(existing);
                        break;
                }
            }
            if (errors.Count > 0) throw new InvalidChangeBatchError(errors);
            z.Records = records;
            var change = new Change { Id = "C" + Ids.Upper(20), SubmittedAt = DateTime.UtcNow, Comment = comment };
            s.Changes.Add(change);
            return change.Id;
        });
        var ch = W.Read(s => s.Changes.First(c => c.Id == changeId));
        return new XmlOut().Open("ChangeResourceRecordSetsResponse", Ns).Open("ChangeInfo").El("Id", "/change/" + ch.Id).El("Status", "PENDING")
            .El("SubmittedAt", ch.SubmittedAt).El("Comment", ch.Comment).Close("ChangeInfo").Close("ChangeResourceRecordSetsResponse").ToString();
    }

    private string GetChange(AwsRequest r, string id)
    {
        id = id.StartsWith("/change/") ? id[8..] : id;
        var (ch, status) = W.Write(s =>
        {
            var ch = s.Changes.FirstOrDefault(c => c.Id == id) ?? throw new AwsError(404, "NoSuchChange", $"A change with the specified change ID does not exist: {id}");
            ch.Polls++;
            var insync = ch.Polls > s.Route53.PendingPolls && DateTime.UtcNow >= ch.SubmittedAt.AddSeconds(s.Route53.InsyncSeconds);
            return (new Change { Id = ch.Id, SubmittedAt = ch.SubmittedAt, Comment = ch.Comment }, insync ? "INSYNC" : "PENDING");
        });
        return new XmlOut().Open("GetChangeResponse", Ns).Open("ChangeInfo").El("Id", "/change/" + ch.Id).El("Status", status)
            .El("SubmittedAt", ch.SubmittedAt).El("Comment", ch.Comment).Close("ChangeInfo").Close("GetChangeResponse").ToString();
    }
}

/// <summary>Thrown for Route 53 change-batch errors (rendered as &lt;InvalidChangeBatch&gt;).</summary>
internal sealed class InvalidChangeBatchError : Exception
{
    public InvalidChangeBatchError(List<string> messages) : base(string.Join("; ", messages)) => Messages = messages;
    public List<string> Messages { get; }
}
