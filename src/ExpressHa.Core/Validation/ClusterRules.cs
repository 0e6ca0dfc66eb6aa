using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using ExpressHa.Config;
using static ExpressHa.Validation.CommonRules;

namespace ExpressHa.Validation
{
    /// <summary>apiVersion and the cluster section: name, interconnects, heartbeat, security, AWS settings, notifications.</summary>
    internal static class ClusterRules
    {
        static readonly Regex TopicArn = new Regex(@"^arn:aws(-[a-z]+)*:sns:[a-z]{2}(-[a-z]+)+-\d+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$", RegexOptions.CultureInvariant);
        static readonly string[] EndpointServices = { "ec2", "route53", "sns", "imds" };

        public static void Check(ValidationContext ctx)
        {
            var api = ctx.Config.ApiVersion;
            if (api != ClusterConfig.CurrentApiVersion)
                ctx.Error(FindingCodes.UnsupportedApiVersion, "apiVersion",
                    string.IsNullOrEmpty(api) ? "apiVersion is missing" : $"apiVersion '{api}' is not supported",
                    $"set apiVersion: {ClusterConfig.CurrentApiVersion}");

            var c = ctx.Cluster;
            CheckName(ctx, "cluster.name", "cluster", c.Name, "cluster1");
            CheckInterconnects(ctx, c.Interconnects);
            CheckHeartbeat(ctx, c.Heartbeat);
            PartitionRules.Check(ctx);
            FencingRules.Check(ctx);
            CheckWatchdog(ctx, c.Watchdog, c.Heartbeat, c.PartitionResolution);
            CheckNotifications(ctx, c.Notifications);
            CheckSecurity(ctx, c.Security);
            CheckAws(ctx, c.Aws);
            if (string.IsNullOrWhiteSpace(c.ShutdownCommand))
                ctx.Error(FindingCodes.MissingField, "cluster.shutdownCommand", "shutdownCommand is empty", "give the command that powers the OS off, e.g. 'systemctl poweroff'");
            if (string.IsNullOrWhiteSpace(c.RebootCommand))
                ctx.Error(FindingCodes.MissingField, "cluster.rebootCommand", "rebootCommand is empty", "give the command that reboots the OS, e.g. 'systemctl reboot'");
        }

        static void CheckInterconnects(ValidationContext ctx, List<InterconnectConfig>? list)
        {
            var seen = NewSeen();
            foreach (var (ic, i) in Items(ctx, list, "cluster.interconnects", "interconnect"))
            {
                var path = $"cluster.interconnects[{i}]";
                if (CheckName(ctx, path + ".name", "interconnect", ic.Name, "lan" + (i + 1)))
                    CheckUnique(ctx, seen, path + ".name", "interconnect", ic.Name, "in the cluster");
                CheckOneOf(ctx, path + ".role", "interconnect role", ic.Role, InterconnectRoles.All);
            }
        }

        static void CheckHeartbeat(ValidationContext ctx, HeartbeatSettings? hb)
        {
            if (hb == null) return;
            var ok = CheckMin(ctx, "cluster.heartbeat.intervalMs", "intervalMs", hb.IntervalMs, 1);
            if (ok) CheckTimeoutAboveInterval(ctx, "cluster.heartbeat.timeoutMs", "timeoutMs", hb.TimeoutMs, "intervalMs", hb.IntervalMs);
            CheckPort(ctx, "cluster.heartbeat.port", "port", hb.Port);
        }

        /// <summary>The watchdog's timeout must outlast what a survivor that runs a group does without feeding it: the
        /// slowest resolution check, after one heartbeat interval's pause when a witness is used; a shorter one resets the
        /// survivor too.</summary>
        static void CheckWatchdog(ValidationContext ctx, WatchdogSettings? w, HeartbeatSettings? hb, PartitionResolutionSettings? pr)
        {
            if (w == null || w.TimeoutMs == 0) return;
            const string Base = "cluster.watchdog";
            if (w.TimeoutMs < 0)
            {
                ctx.Error(FindingCodes.InvalidValue, Base + ".timeoutMs", $"timeoutMs {w.TimeoutMs} is negative", "give the watchdog timeout in milliseconds, or 0 (or no watchdog section) for none");
                return;
            }
            if (string.IsNullOrWhiteSpace(w.Device))
                ctx.Error(FindingCodes.MissingField, Base + ".device", "the watchdog device is empty", $"give the device, e.g. {WatchdogSettings.DefaultDevice} (load softdog where the machine has no hardware watchdog)");
            else if (w.Device.StartsWith("/dev/", StringComparison.Ordinal) && w.TimeoutMs % 1000 != 0)
                ctx.Error(FindingCodes.InvalidValue, Base + ".timeoutMs", $"timeoutMs {w.TimeoutMs} is not whole seconds; a watchdog device under /dev counts seconds",
                    $"use {(w.TimeoutMs / 1000 + 1) * 1000}");
            if (hb == null || pr == null) return;
            var checks = Math.Max(pr.Ping?.TimeoutMs ?? 0, Math.Max(pr.Tcp?.TimeoutMs ?? 0, pr.Http?.TimeoutMs ?? 0));
            var pause = pr.Http != null ? hb.IntervalMs : 0;
            var busy = pause + checks;
            if (w.TimeoutMs <= busy)
                ctx.Error(FindingCodes.TimeoutNotAboveInterval, Base + ".timeoutMs",
                    pr.Http != null
                        ? $"timeoutMs {w.TimeoutMs} is not above the heartbeat interval plus the slowest partition resolution check ({hb.IntervalMs} + {checks} ms): a survivor would be reset while it resolves a loss"
                        : $"timeoutMs {w.TimeoutMs} is not above the slowest partition resolution check ({checks} ms): a survivor would be reset while it resolves a loss",
                    $"raise timeoutMs above {busy} or lower the resolution check timeouts");
            else if (pr.Http != null)
            {
                // The witness may still count a lost node as recent: the survivor looks again after half a timeout and
                // an interval. A survivor that runs a group is not fed meanwhile (one that runs none is).
                var secondLook = busy + hb.TimeoutMs / 2 + hb.IntervalMs + pr.Http.TimeoutMs;
                if (w.TimeoutMs <= secondLook)
                    ctx.Warn(FindingCodes.TimeoutNotAboveInterval, Base + ".timeoutMs",
                        $"timeoutMs {w.TimeoutMs} does not cover the witness's second look ({secondLook} ms): a node that runs a group and loses a peer the witness still saw recently may be reset while it looks again",
                        $"raise timeoutMs above {secondLook} where that matters more than the failover time");
            }
        }

        static void CheckNotifications(ValidationContext ctx, NotificationSettings? n)
        {
            var sns = n?.Sns;
            if (sns == null) return;
            if (string.IsNullOrEmpty(sns.TopicArn))
                ctx.Error(FindingCodes.MissingField, "cluster.notifications.sns.topicArn", "the SNS topic ARN is missing",
                    "give the topic's ARN, like arn:aws:sns:ap-northeast-1:123456789012:ha-alerts, or remove notifications.sns");
            else if (!TopicArn.IsMatch(sns.TopicArn))
                ctx.Error(FindingCodes.InvalidValue, "cluster.notifications.sns.topicArn", $"'{sns.TopicArn}' is not an SNS topic ARN",
                    "use the form arn:aws:sns:REGION:ACCOUNT:NAME, like arn:aws:sns:ap-northeast-1:123456789012:ha-alerts");
            CheckOneOf(ctx, "cluster.notifications.sns.minLevel", "minLevel", sns.MinLevel, AlertLevels.All);
        }

        static void CheckSecurity(ValidationContext ctx, SecuritySettings? s)
        {
            if (s == null) return;
            CheckPort(ctx, "cluster.security.apiPort", "apiPort", s.ApiPort);
            if (string.IsNullOrWhiteSpace(s.KeyFile))
                ctx.Error(FindingCodes.MissingField, "cluster.security.keyFile", "keyFile is empty", "give the path of the cluster key file, e.g. /etc/expressha/cluster.key");
            if (string.IsNullOrWhiteSpace(s.ApiTokenFile))
                ctx.Error(FindingCodes.MissingField, "cluster.security.apiTokenFile", "apiTokenFile is empty", "give the path of the API token file, e.g. /etc/expressha/api.token");
            if (s.ReadOnlyTokenFile != null && string.IsNullOrWhiteSpace(s.ReadOnlyTokenFile))
                ctx.Error(FindingCodes.MissingField, "cluster.security.readOnlyTokenFile", "readOnlyTokenFile is empty",
                    "give the path of the read-only token file, e.g. /etc/expressha/api-readonly.token, or remove the field");
            else if (s.ReadOnlyTokenFile != null && s.ReadOnlyTokenFile == s.ApiTokenFile)
                ctx.Error(FindingCodes.InvalidValue, "cluster.security.readOnlyTokenFile", "readOnlyTokenFile is the API token file: the read-only role would hold the operator's token",
                    "put a different token in its own file, e.g. /etc/expressha/api-readonly.token");
        }

        static void CheckAws(ValidationContext ctx, AwsSettings? aws)
        {
            if (aws?.Endpoints == null) return;
            foreach (var e in aws.Endpoints)
            {
                var path = "cluster.aws.endpoints." + e.Key;
                if (Array.IndexOf(EndpointServices, e.Key) < 0)
                {
                    var hint = Yaml.Suggest.Closest(e.Key ?? "", EndpointServices);
                    ctx.Error(FindingCodes.UnknownField, path, $"unknown AWS service '{e.Key}'",
                        (hint != null ? $"did you mean '{hint}'? " : "") + $"services here: {string.Join(", ", EndpointServices)}");
                }
                if (!IsHttpUrl(e.Value))
                    ctx.Error(FindingCodes.InvalidValue, path, $"'{e.Value}' is not an http or https URL", "give an absolute URL like https://ec2.ap-northeast-1.amazonaws.com");
            }
        }

        public static bool IsHttpUrl(string? text)
            => !string.IsNullOrEmpty(text) && Uri.TryCreate(text, UriKind.Absolute, out var u)
               && (u.Scheme == Uri.UriSchemeHttp || u.Scheme == Uri.UriSchemeHttps) && !string.IsNullOrEmpty(u.Host);
    }
}
