using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using ExpressHa.Config;

namespace ExpressHa.Cmdlets
{
    /// <summary>Changes cluster-wide settings: heartbeat, partition resolution, fencing, notifications, AWS and security.</summary>
    [Cmdlet(VerbsCommon.Set, "HaCluster", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, DefaultParameterSetName = ObjectSet)]
    [OutputType(typeof(ClusterConfig))]
    public sealed class SetHaClusterCommand : ConfigEditCmdlet
    {
        [Parameter] public int? HeartbeatIntervalMs { get; set; }
        [Parameter] public int? HeartbeatTimeoutMs { get; set; }
        [Parameter] public int? HeartbeatPort { get; set; }
        /// <summary>Roles of interconnects: @{ mdc1 = 'mirror'; lan1 = 'heartbeat,mirror' } (heartbeat, mirror or heartbeat,mirror).</summary>
        [Parameter] public Hashtable? InterconnectRole { get; set; }

        /// <summary>Ping targets for partition resolution; an empty list turns ping resolution off.</summary>
        [Parameter] [AllowEmptyCollection] public string[]? PingTarget { get; set; }
        /// <summary>URL of the HTTP witness; an empty string turns it off.</summary>
        [Parameter] [AllowEmptyString] public string? WitnessUrl { get; set; }
        /// <summary>host:port that must accept a TCP connection (e.g. the regional endpoint on 443); empty turns it off.</summary>
        [Parameter] [AllowEmptyString] public string? TcpTarget { get; set; }
        [Parameter] public int? PingIntervalMs { get; set; }
        [Parameter] public int? PingTimeoutMs { get; set; }
        [Parameter] public int? WitnessTimeoutMs { get; set; }
        /// <summary>Also use the witness as a heartbeat path (default true).</summary>
        [Parameter] public bool? WitnessHeartbeat { get; set; }
        [Parameter] public int? TcpTimeoutMs { get; set; }
        [Parameter] public SwitchParameter Majority { get; set; }
        [Parameter] [ValidateSet(PartitionActions.StopService, PartitionActions.Shutdown, PartitionActions.Reboot)] public string? PartitionAction { get; set; }

        /// <summary>aws, script or none; for several levels use -FencingLevel.</summary>
        [Parameter] [ValidateSet(FencingTypes.Aws, FencingTypes.Script, "none")] public string? FencingType { get; set; }
        /// <summary>The script fencing command; it gets the target node's name as its argument.</summary>
        [Parameter] public string? FencingCommand { get; set; }
        /// <summary>Fencing levels tried in order: @{ type = 'aws' }, @{ type = 'script'; command = '/usr/local/bin/fence.sh' }.</summary>
        [Parameter] public Hashtable[]? FencingLevel { get; set; }
        /// <summary>Per-node fencing delay in seconds: @{ server1 = 0; server2 = 5 }.</summary>
        [Parameter] public Hashtable? FencingDelay { get; set; }
        [Parameter] public int? FencingTimeoutSeconds { get; set; }
        [Parameter] public int? FencingRetries { get; set; }

        /// <summary>Milliseconds the node watchdog waits for a feed before it resets the machine; 0 turns the watchdog off.</summary>
        [Parameter] public int? WatchdogTimeoutMs { get; set; }
        /// <summary>The watchdog device (default /dev/watchdog).</summary>
        [Parameter] public string? WatchdogDevice { get; set; }

        [Parameter] [AllowEmptyString] public string? SnsTopicArn { get; set; }
        [Parameter] [ValidateSet(AlertLevels.Info, AlertLevels.Warning, AlertLevels.Error)] public string? SnsMinLevel { get; set; }

        [Parameter] public string? Region { get; set; }
        [Parameter] public string? ProfileName { get; set; }
        /// <summary>Endpoint overrides by service: @{ ec2 = 'http://127.0.0.1:4566'; route53 = '...'; sns = '...'; imds = '...' }.</summary>
        [Parameter] public Hashtable? AwsEndpoint { get; set; }
        [Parameter] public string? Proxy { get; set; }

        [Parameter] public string? KeyFile { get; set; }
        [Parameter] public string? ApiTokenFile { get; set; }
        /// <summary>File of a second token that reads everything and changes nothing; an empty string removes it.</summary>
        [Parameter] [AllowEmptyString] public string? ReadOnlyTokenFile { get; set; }
        [Parameter] public int? ApiPort { get; set; }
        [Parameter] public bool? ApiTls { get; set; }
        [Parameter] public string? ShutdownCommand { get; set; }
        [Parameter] public string? RebootCommand { get; set; }

        protected override string Action => "Change cluster settings";

        protected override IEnumerable<string> ChangedPaths(ClusterConfig after) => new[] { "cluster" };

        protected override void Apply(ClusterConfig config)
        {
            var c = config.Cluster;
            if (HeartbeatIntervalMs.HasValue) c.Heartbeat.IntervalMs = HeartbeatIntervalMs.Value;
            if (HeartbeatTimeoutMs.HasValue) c.Heartbeat.TimeoutMs = HeartbeatTimeoutMs.Value;
            if (WatchdogTimeoutMs.HasValue) c.Watchdog.TimeoutMs = WatchdogTimeoutMs.Value;
            if (WatchdogDevice != null) c.Watchdog.Device = WatchdogDevice;
            if (HeartbeatPort.HasValue) c.Heartbeat.Port = HeartbeatPort.Value;
            if (InterconnectRole != null) InterconnectRoles.Apply(c, InterconnectRole, nameof(InterconnectRole));

            var pr = c.PartitionResolution;
            if (PingTarget != null) pr.Ping = PingTarget.Length == 0 ? null : new PingResolution { Targets = PingTarget.ToList() };
            if (WitnessUrl != null) pr.Http = WitnessUrl.Length == 0 ? null : new HttpResolution { Url = WitnessUrl };
            if (TcpTarget != null) pr.Tcp = TcpTarget.Length == 0 ? null : ParseTcp(TcpTarget);
            if (PingIntervalMs.HasValue || PingTimeoutMs.HasValue)
            {
                if (pr.Ping == null) throw HaCmdletException.BadArgument(PingIntervalMs.HasValue ? nameof(PingIntervalMs) : nameof(PingTimeoutMs), "ping resolution is off; give -PingTarget too");
                if (PingIntervalMs.HasValue) pr.Ping.IntervalMs = PingIntervalMs.Value;
                if (PingTimeoutMs.HasValue) pr.Ping.TimeoutMs = PingTimeoutMs.Value;
            }
            if (WitnessTimeoutMs.HasValue || WitnessHeartbeat.HasValue)
            {
                if (pr.Http == null) throw HaCmdletException.BadArgument(WitnessTimeoutMs.HasValue ? nameof(WitnessTimeoutMs) : nameof(WitnessHeartbeat), "no witness is set; give -WitnessUrl too");
                if (WitnessTimeoutMs.HasValue) pr.Http.TimeoutMs = WitnessTimeoutMs.Value;
                if (WitnessHeartbeat.HasValue) pr.Http.Heartbeat = WitnessHeartbeat.Value;
            }
            if (TcpTimeoutMs.HasValue)
            {
                if (pr.Tcp == null) throw HaCmdletException.BadArgument(nameof(TcpTimeoutMs), "TCP resolution is off; give -TcpTarget too");
                pr.Tcp.TimeoutMs = TcpTimeoutMs.Value;
            }
            if (MyInvocation.BoundParameters.ContainsKey(nameof(Majority))) pr.Majority = Majority.IsPresent;
            if (PartitionAction != null) pr.Action = PartitionAction;

            var f = c.Fencing;
            if (FencingType != null)
            {
                f.Levels.Clear();
                if (FencingType != "none") f.Levels.Add(new FencingLevel { Type = FencingType, Command = FencingCommand });
            }
            else if (FencingCommand != null)
            {
                var script = f.Levels.FirstOrDefault(l => l.Type == FencingTypes.Script)
                    ?? throw HaCmdletException.BadArgument(nameof(FencingCommand), "there is no script fencing level; add -FencingType script");
                script.Command = FencingCommand;
            }
            if (FencingLevel != null)
            {
                f.Levels.Clear();
                foreach (var level in FencingLevel)
                    f.Levels.Add(new FencingLevel { Type = Text(level, "type") ?? "", Command = Text(level, "command") });
            }
            if (FencingDelay != null)
            {
                f.DelaySeconds.Clear();
                foreach (DictionaryEntry e in FencingDelay)
                {
                    var node = e.Key?.ToString() ?? "";
                    if (!int.TryParse(RawValues.Plain(e.Value)?.ToString(), out var seconds))
                        throw HaCmdletException.BadArgument(nameof(FencingDelay), $"the delay for '{node}' must be a whole number of seconds, like @{{ server1 = 0; server2 = 5 }}");
                    f.DelaySeconds[node] = seconds;
                }
            }
            if (FencingTimeoutSeconds.HasValue) f.TimeoutSeconds = FencingTimeoutSeconds.Value;
            if (FencingRetries.HasValue) f.Retries = FencingRetries.Value;

            if (SnsTopicArn != null)
            {
                if (SnsTopicArn.Length == 0) c.Notifications.Sns = null;
                else c.Notifications.Sns = new SnsNotification { TopicArn = SnsTopicArn, MinLevel = c.Notifications.Sns?.MinLevel ?? AlertLevels.Warning };
            }
            if (SnsMinLevel != null)
            {
                if (c.Notifications.Sns == null) throw HaCmdletException.BadArgument(nameof(SnsMinLevel), "no SNS topic is set; give -SnsTopicArn too");
                c.Notifications.Sns.MinLevel = SnsMinLevel;
            }

            if (Region != null) c.Aws.Region = Region.Length == 0 ? null : Region;
            if (ProfileName != null) c.Aws.Profile = ProfileName.Length == 0 ? null : ProfileName;
            if (Proxy != null) c.Aws.Proxy = Proxy.Length == 0 ? null : Proxy;
            if (AwsEndpoint != null)
                foreach (DictionaryEntry e in AwsEndpoint)
                {
                    var service = e.Key?.ToString() ?? "";
                    var url = RawValues.Plain(e.Value)?.ToString();
                    if (string.IsNullOrEmpty(url)) c.Aws.Endpoints.Remove(service);
                    else c.Aws.Endpoints[service] = url!;
                }

            if (KeyFile != null) c.Security.KeyFile = KeyFile;
            if (ApiTokenFile != null) c.Security.ApiTokenFile = ApiTokenFile;
            if (ReadOnlyTokenFile != null) c.Security.ReadOnlyTokenFile = ReadOnlyTokenFile.Length == 0 ? null : ReadOnlyTokenFile;
            if (ApiPort.HasValue) c.Security.ApiPort = ApiPort.Value;
            if (ApiTls.HasValue) c.Security.ApiTls = ApiTls.Value;
            if (ShutdownCommand != null) c.ShutdownCommand = ShutdownCommand;
            if (RebootCommand != null) c.RebootCommand = RebootCommand;
        }

        static string? Text(Hashtable h, string key)
        {
            foreach (DictionaryEntry e in h)
                if (string.Equals(e.Key?.ToString(), key, System.StringComparison.OrdinalIgnoreCase)) return RawValues.Plain(e.Value)?.ToString();
            return null;
        }

        static TcpResolution ParseTcp(string target)
        {
            var colon = target.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(target.Substring(colon + 1), out var port))
                throw HaCmdletException.BadArgument(nameof(TcpTarget), $"'{target}' is not host:port; write it like ec2.ap-northeast-1.amazonaws.com:443");
            return new TcpResolution { Host = target.Substring(0, colon), Port = port };
        }
    }
}
