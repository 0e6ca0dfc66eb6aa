using System.Collections.Generic;
using System.Linq;
using ExpressHa.Config;

namespace ExpressHa.Schema
{
    /// <summary>Every resource and monitor type ExpressHa knows, with its parameters and defaults.</summary>
    public static class SchemaRegistry
    {
        static ParameterSpec P(string name, ParameterKind kind, string description, object? dflt = null, bool required = false)
            => new ParameterSpec(name, kind, description) { Default = dflt, Required = required };

        /// <summary>A value per node, or one value for every node: paths, interfaces, addresses, devices and commands may
        /// differ between servers.</summary>
        static ParameterSpec PerNode(string name, ParameterKind valueKind, string description, bool allNodes = false, string? prefix = null,
            object? dflt = null, bool required = false)
            => new ParameterSpec(name, ParameterKind.PerNode, description) { ValueKind = valueKind, AllNodesRequired = allNodes, Prefix = prefix, Default = dflt, Required = required };

        static ParameterSpec With(ParameterSpec spec, string pattern, string help)
        {
            spec.Pattern = pattern;
            spec.PatternHelp = help;
            return spec;
        }

        static ParameterSpec Seconds(string name, string description, long dflt, long min = 1)
            => new ParameterSpec(name, ParameterKind.Int, description) { Default = dflt, Min = min, Max = 86400 };

        static ParameterSpec Port(string name, string description, object? dflt = null, bool required = false)
            => new ParameterSpec(name, ParameterKind.Int, description) { Default = dflt, Required = required, Min = 1, Max = 65535 };

        static ParameterSpec Id(string name, string prefix, string description, bool required = true)
            => new ParameterSpec(name, ParameterKind.String, description) { Required = required, Prefix = prefix };

        public static readonly IReadOnlyList<TypeSchema> Resources = new[]
        {
            new TypeSchema("exec", SchemaKind.Resource, "Start and stop scripts or commands.",
                PerNode("start", ParameterKind.String, "Command run to start the resource; exit 0 means started.", required: true),
                PerNode("stop", ParameterKind.String, "Command run to stop the resource; exit 0 means stopped."),
                Seconds("startTimeoutSeconds", "Seconds the start command may take.", 1800),
                Seconds("stopTimeoutSeconds", "Seconds the stop command may take.", 1800),
                PerNode("workingDirectory", ParameterKind.String, "Directory the commands run in."),
                PerNode("probe", ParameterKind.String, "Command that tells whether the resource runs on this node (exit 0 yes, 1 no), asked when the service starts so a crashed run's leftovers are stopped."),
                P("environment", ParameterKind.StringMap, "Extra environment variables for the commands.")),
            new TypeSchema("floatip", SchemaKind.Resource, "On-premises floating IP address, announced with gratuitous ARP.",
                P("ip", ParameterKind.IpAddress, "The floating address.", required: true),
                new ParameterSpec("prefixLength", ParameterKind.Int, "Prefix length of the address on the interface.") { Default = 24L, Min = 1, Max = 32 },
                PerNode("interface", ParameterKind.String, "OS interface; omitted: the interface whose subnet holds the address."),
                new ParameterSpec("arpCount", ParameterKind.Int, "Gratuitous ARP announcements sent on activation.") { Default = 3L, Min = 0, Max = 100 },
                P("pingCheck", ParameterKind.Bool, "Refuse to activate when the address already answers (duplicate address): an ARP duplicate-address probe, or ping where arping is missing.", true),
                new ParameterSpec("duplicateWaitMs", ParameterKind.Int, "Milliseconds the ARP duplicate-address probe waits, once sent, for an owner to answer.") { Default = 50L, Min = 10, Max = 5000 }),
            new TypeSchema("awsvip", SchemaKind.Resource, "AWS virtual IP: a /32 route outside the VPC CIDR pointing at the active node's ENI.",
                P("ip", ParameterKind.IpAddress, "The virtual address; must be outside the VPC CIDR.", required: true),
                Id("vpcId", "vpc-", "VPC whose route tables carry the VIP route."),
                P("vpcCidr", ParameterKind.Cidr, "The VPC's CIDR, checked offline; the service also checks it with DescribeVpcs."),
                PerNode("eni", ParameterKind.String, "ENI of the node; omitted: read from IMDS.", prefix: "eni-"),
                PerNode("interface", ParameterKind.String, "OS interface the address is added to.", dflt: "eth0"),
                Seconds("timeoutSeconds", "Seconds the AWS calls may take in all.", 100)) { AutoMonitors = new[] { "awsvip" } },
            new TypeSchema("awseip", SchemaKind.Resource, "AWS Elastic IP associated with the active node's ENI.",
                Id("allocationId", "eipalloc-", "The EIP allocation."),
                PerNode("eni", ParameterKind.String, "ENI of the node; omitted: read from IMDS.", prefix: "eni-"),
                Seconds("timeoutSeconds", "Seconds the AWS calls may take in all.", 100)) { AutoMonitors = new[] { "awseip" } },
            new TypeSchema("awssip", SchemaKind.Resource, "AWS secondary private IP assigned to the active node's ENI (nodes in one subnet).",
                P("ip", ParameterKind.IpAddress, "The secondary address; must be inside the ENI's subnet.", required: true),
                P("subnetCidr", ParameterKind.Cidr, "The subnet's CIDR, checked offline; the service also checks it."),
                PerNode("eni", ParameterKind.String, "ENI of the node; omitted: read from IMDS.", prefix: "eni-"),
                PerNode("interface", ParameterKind.String, "OS interface the address is added to.", dflt: "eth0"),
                Seconds("timeoutSeconds", "Seconds the AWS calls may take in all.", 100)) { AutoMonitors = new[] { "awssip" } },
            new TypeSchema("awsdns", SchemaKind.Resource, "Route 53 A record pointing at the active node (or a fixed address).",
                Id("hostedZoneId", "", "The hosted zone id (Z...)."),
                P("recordName", ParameterKind.String, "Fully qualified record name, lower case, with the trailing dot.", required: true),
                PerNode("ip", ParameterKind.IpAddress, "Address registered for the node; omitted: the node's own address."),
                P("fixedIp", ParameterKind.IpAddress, "Register this address whichever node is active (a VIP or EIP)."),
                new ParameterSpec("ttl", ParameterKind.Int, "Record TTL in seconds.") { Default = 10L, Min = 0, Max = 604800 },
                P("deleteOnDeactivate", ParameterKind.Bool, "Delete the record when the resource stops (false keeps it).", true),
                P("waitInsync", ParameterKind.Bool, "Wait for the change to be INSYNC before reporting success.", true),
                Seconds("insyncIntervalSeconds", "Seconds between GetChange polls.", 20),
                new ParameterSpec("insyncTries", ParameterKind.Int, "GetChange polls before giving up.") { Default = 5L, Min = 1, Max = 1000 },
                Seconds("updateIntervalSeconds", "Seconds between record update attempts.", 2),
                new ParameterSpec("updateTries", ParameterKind.Int, "Record update attempts.") { Default = 3L, Min = 1, Max = 1000 },
                Seconds("timeoutSeconds", "Seconds the AWS calls may take in all.", 300)) { AutoMonitors = new[] { "awsdns" } },
            new TypeSchema("lbprobe", SchemaKind.Resource, "Listens on the load balancer's health-check port while active.",
                Port("port", "Health-check port the NLB probes.", required: true),
                PerNode("listenAddress", ParameterKind.String, "Address to listen on.", dflt: "0.0.0.0"),
                Seconds("healthCheckTimeoutSeconds", "Seconds without a health check before the monitor reports it; above the NLB interval.", 31)) { AutoMonitors = new[] { "lbprobe" } },
            new TypeSchema("mirror", SchemaKind.Resource, "Mirror disk: a data area replicated synchronously to the other node and exported over NBD.",
                PerNode("dataPath", ParameterKind.String, "Block device or image file holding the data area.", allNodes: true),
                PerNode("metaPath", ParameterKind.String, "Cluster partition (generations, bitmap, state).", allNodes: true),
                new ParameterSpec("sizeMiB", ParameterKind.Int, "Size of the data area in MiB.") { Required = true, Min = 1, Max = 64L * 1024 * 1024 },
                new ParameterSpec("mirrorAddress", ParameterKind.PerNode, "Mirror-connect address of the node.") { ValueKind = ParameterKind.IpAddress, AllNodesRequired = true, DistinctPerNode = true },
                Port("mirrorPort", "Mirror-connect TCP port.", 29051L),
                PerNode("exportAddress", ParameterKind.String, "Where the active node serves NBD: host:port or unix:/path.", dflt: "127.0.0.1:10809"),
                PerNode("keyFile", ParameterKind.String, "AES-GCM key file (16, 24 or 32 bytes) encrypting the mirror connection."),
                new ParameterSpec("syncRateMiBps", ParameterKind.Int, "Resync rate limit in MiB/s (0: unlimited).") { Default = 100L, Min = 0, Max = 100000 },
                Seconds("connectWaitSeconds", "On start, how long to wait for the peer's mirror connection when this copy cannot prove it is up to date alone.", 30),
                With(PerNode("mountPoint", ParameterKind.String, "Mount the mirror's file system here on the active node (attached as a block device, see attach)."),
                    "^/", "an absolute path, like /mnt/md1"),
                With(P("fsType", ParameterKind.String, "File system on the mirror: created on first use only (an empty device), checked with fsck -p after an unclean stop.", "ext4"),
                    "^[a-z0-9]{1,16}$", "a file system type mkfs, fsck and mount know, like ext4 or xfs"),
                P("mountOptions", ParameterKind.String, "Options given to mount -o, like noatime (xfs: nouuid when a copy of the same file system may be mounted on this host)."),
                new ParameterSpec("attach", ParameterKind.String, "How the active node attaches its export as a block device for mountPoint: nbd-client (the nbd kernel module, /dev/nbdN) or nbdfuse (FUSE and a loop device, without the nbd module).")
                    { Default = "nbd-client", AllowedValues = new[] { "nbd-client", "nbdfuse" } },
                Seconds("mountTimeoutSeconds", "Seconds each step of attach, mount, unmount and detach may take.", 120),
                Seconds("fsckTimeoutSeconds", "Seconds mkfs or fsck may take.", 3600),
                new ParameterSpec("unmountGraceSeconds", ParameterKind.Int, "Seconds a busy file system is retried before the processes using it are killed (SIGTERM, then SIGKILL).") { Default = 10L, Min = 0, Max = 3600 }) { AutoMonitors = new[] { "mirror", "mirrorconnect" } },
        };

        public static readonly IReadOnlyList<TypeSchema> Monitors = new[]
        {
            new TypeSchema("ip", SchemaKind.Monitor, "Pings targets; an error when none answers.",
                new ParameterSpec("targets", ParameterKind.StringList, "Addresses to ping.") { Required = true })
                { DefaultIntervalSeconds = 30, DefaultTimeoutSeconds = 180 },
            new TypeSchema("custom", SchemaKind.Monitor, "Runs a script; exit 0 means healthy.",
                PerNode("script", ParameterKind.String, "Command to run.", required: true),
                P("environment", ParameterKind.StringMap, "Extra environment variables."))
                { DefaultIntervalSeconds = 60, DefaultTimeoutSeconds = 120 },
            new TypeSchema("process", SchemaKind.Monitor, "Checks that a process runs, by name or pid file.",
                P("processName", ParameterKind.String, "Process name (comm) to look for."),
                PerNode("pidFile", ParameterKind.String, "File holding the pid to check."))
                { DefaultIntervalSeconds = 5, DefaultTimeoutSeconds = 60, DefaultTiming = MonitorTimings.Active, OneOf = new[] { "processName", "pidFile" } },
            new TypeSchema("http", SchemaKind.Monitor, "GETs a URL and expects a status code.",
                PerNode("url", ParameterKind.String, "URL to GET.", required: true),
                new ParameterSpec("expectedStatus", ParameterKind.Int, "Expected HTTP status.") { Default = 200L, Min = 100, Max = 599 })
                { DefaultIntervalSeconds = 30, DefaultTimeoutSeconds = 60, DefaultTiming = MonitorTimings.Active },
            new TypeSchema("userw", SchemaKind.Monitor, "Detects the service itself stalling: a timer that notices it woke up late.")
                { DefaultIntervalSeconds = 3, DefaultTimeoutSeconds = 90 },
            new TypeSchema("awsvip", SchemaKind.Monitor, "The VIP is on the OS and every route points at this node's ENI.")
                { DefaultIntervalSeconds = 60, DefaultTimeoutSeconds = 180, DefaultRetry = 1, DefaultTiming = MonitorTimings.Active, TargetTypes = new[] { "awsvip" }, RequiresTarget = true, UsesCloudApi = true },
            new TypeSchema("awseip", SchemaKind.Monitor, "The EIP is associated with this node's ENI.")
                { DefaultIntervalSeconds = 60, DefaultTimeoutSeconds = 180, DefaultRetry = 1, DefaultTiming = MonitorTimings.Active, TargetTypes = new[] { "awseip" }, RequiresTarget = true, UsesCloudApi = true },
            new TypeSchema("awssip", SchemaKind.Monitor, "The secondary IP is on this node's ENI and on the OS.")
                { DefaultIntervalSeconds = 60, DefaultTimeoutSeconds = 180, DefaultRetry = 1, DefaultTiming = MonitorTimings.Active, TargetTypes = new[] { "awssip" }, RequiresTarget = true, UsesCloudApi = true },
            new TypeSchema("awsdns", SchemaKind.Monitor, "The record exists with this node's address; resolution first, the API sparingly.",
                P("checkResolution", ParameterKind.Bool, "Also resolve the name through DNS and compare.", true))
                { DefaultIntervalSeconds = 60, DefaultTimeoutSeconds = 180, DefaultRetry = 1, DefaultTiming = MonitorTimings.Active, TargetTypes = new[] { "awsdns" }, RequiresTarget = true, UsesCloudApi = true },
            new TypeSchema("awsaz", SchemaKind.Monitor, "The node's availability zone is available (DescribeAvailabilityZones).",
                PerNode("availabilityZone", ParameterKind.String, "Availability zone of the node; omitted: the node's availabilityZone."))
                { DefaultIntervalSeconds = 60, DefaultTimeoutSeconds = 180, DefaultRetry = 1, UsesCloudApi = true, DefaultOnApiFailure = ApiFailureActions.Warn, AlertOnlyByDefault = true },
            new TypeSchema("lbprobe", SchemaKind.Monitor, "The probe listener is alive and health checks arrive.")
                { DefaultIntervalSeconds = 10, DefaultTimeoutSeconds = 60, DefaultTiming = MonitorTimings.Active, TargetTypes = new[] { "lbprobe" }, RequiresTarget = true },
            new TypeSchema("nic", SchemaKind.Monitor, "The interface has link (carrier) and its operational state is up.",
                With(PerNode("interface", ParameterKind.String, "OS interface to watch, e.g. eth0.", required: true),
                    @"^[^/:\s]{1,15}$", "an interface name (1 to 15 characters without '/', ':' or spaces), like eth0"))
                { DefaultIntervalSeconds = 10, DefaultTimeoutSeconds = 60, DefaultRetry = 3 },
            new TypeSchema("disk", SchemaKind.Monitor, "Reads the start of a device or file directly; an error, an empty read or a read that does not finish in time is a failure.",
                With(PerNode("device", ParameterKind.String, "Block device or file to read, e.g. /dev/sdb1.", required: true),
                    "^/", "an absolute path, like /dev/sdb1"),
                new ParameterSpec("ioSizeBytes", ParameterKind.Int, "Bytes read per check (rounded up to 4096 for direct reads).") { Default = 4096L, Min = 512, Max = 64L * 1024 * 1024 },
                P("direct", ParameterKind.Bool, "Bypass the page cache (O_DIRECT), so the read reaches the device; a file system that refuses it is read through the cache.", true))
                { DefaultIntervalSeconds = 60, DefaultTimeoutSeconds = 120 },
            new TypeSchema("mirror", SchemaKind.Monitor, "Health and state of the local mirror copy.")
                { DefaultIntervalSeconds = 10, DefaultTimeoutSeconds = 60, TargetTypes = new[] { "mirror" }, RequiresTarget = true, AlertOnlyByDefault = true },
            new TypeSchema("mirrorconnect", SchemaKind.Monitor, "The mirror-connect link to the peer.")
                { DefaultIntervalSeconds = 60, DefaultTimeoutSeconds = 120, TargetTypes = new[] { "mirror" }, RequiresTarget = true, AlertOnlyByDefault = true },
        };

        public static TypeSchema? FindResource(string? type) => Resources.FirstOrDefault(t => t.Name == type);
        public static TypeSchema? FindMonitor(string? type) => Monitors.FirstOrDefault(t => t.Name == type);
        public static IEnumerable<string> ResourceTypeNames => Resources.Select(t => t.Name);
        public static IEnumerable<string> MonitorTypeNames => Monitors.Select(t => t.Name);

        /// <summary>A monitor of the given type with the type's default settings, watching and recovering the target.</summary>
        public static MonitorConfig NewMonitor(string name, string type, string? target)
        {
            var schema = FindMonitor(type) ?? throw new System.ArgumentException("unknown monitor type " + type, nameof(type));
            return new MonitorConfig
            {
                Name = name,
                Type = type,
                Target = target,
                IntervalSeconds = schema.DefaultIntervalSeconds,
                TimeoutSeconds = schema.DefaultTimeoutSeconds,
                Retry = schema.DefaultRetry,
                Timing = target != null ? schema.DefaultTiming : MonitorTimings.Always,
                OnApiFailure = schema.UsesCloudApi ? schema.DefaultOnApiFailure : null,
                Recovery = schema.AlertOnlyByDefault
                    ? new RecoverySettings { Target = target, Restarts = 0, Failovers = 0, FinalAction = FinalActions.None }
                    : new RecoverySettings { Target = target, Restarts = target != null ? 3 : 0, Failovers = 1, FinalAction = FinalActions.None },
            };
        }

        /// <summary>The monitor naming of the "EXPRESSCLUSTER X Reference Guide": awsvip1 is watched by awsvipw1, md by mdw (disk) and mdnw (connect); other names get a trailing w.</summary>
        public static string AutoMonitorName(string resourceName, string monitorType)
        {
            var suffix = monitorType == "mirrorconnect" ? "nw" : "w";
            return resourceName.StartsWith(monitorType, System.StringComparison.Ordinal) && monitorType != "mirrorconnect"
                ? monitorType + suffix + resourceName.Substring(monitorType.Length)
                : resourceName + suffix;
        }
    }
}
