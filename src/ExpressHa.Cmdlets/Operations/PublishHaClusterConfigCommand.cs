using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using ExpressHa.Api;
using ExpressHa.Yaml;

namespace ExpressHa.Cmdlets
{
    /// <summary>Pushes a config to the connected cluster: validated by the service, then applied on every node in two
    /// phases, or nowhere. -WhatIf asks the service for the difference only and writes it (a ConfigDiff).</summary>
    [Cmdlet(VerbsData.Publish, "HaClusterConfig", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = ObjectSet)]
    [OutputType(typeof(ConfigPushResult), typeof(ConfigDiff))]
    public sealed class PublishHaClusterConfigCommand : ConfigSourceCmdlet, IDisposable
    {
        readonly System.Threading.CancellationTokenSource _cts = new System.Threading.CancellationTokenSource();

        protected override void ProcessRecord()
        {
            try
            {
                var c = LiveCall.Require(this);
                var yaml = UsesPath ? ConfigPush.ReadFile(FullPath) : ConfigYamlWriter.Write(InputObject);
                var name = UsesPath ? Path : InputObject.Name;
                var dry = LiveCall.Invoke(c, _cts.Token, (api, ct) => api.PushConfigAsync(yaml, true, ct), name);
                if (ConfigPush.ReportProblems(this, dry, name)) return;

                var summary = Summary(dry.Diff);
                if (!ShouldProcess($"Publish the config to cluster '{c.ClusterName}': {summary}", $"Publish the config to cluster '{c.ClusterName}'? {summary}",
                        "Publish-HaClusterConfig", out var reason))
                {
                    if (reason == ShouldProcessReason.WhatIf) WriteObject(dry.Diff);
                    return;
                }
                var result = LiveCall.Invoke(c, _cts.Token, (api, ct) => api.PushConfigAsync(yaml, false, ct), name);
                if (ConfigPush.ReportProblems(this, result, name)) return;
                WriteVerbose(result.Applied ? $"Cluster '{c.ClusterName}' runs config generation {result.Generation}." : "Nothing to apply.");
                WriteObject(result);
            }
            catch (HaCmdletException ex)
            {
                Report(ex);
            }
        }

        internal static string Summary(ConfigDiff d)
        {
            if (d.IsEmpty) return "no change";
            var parts = new List<string>();
            if (d.Added.Count > 0) parts.Add("add " + string.Join(", ", d.Added));
            if (d.Removed.Count > 0) parts.Add("remove " + string.Join(", ", d.Removed));
            if (d.Changed.Count > 0) parts.Add("change " + string.Join(", ", d.Changed));
            if (d.GroupRestarts.Count > 0) parts.Add("restart group " + string.Join(", ", d.GroupRestarts));
            if (d.NeedsSuspend) parts.Add("needs the cluster suspended");
            return string.Join("; ", parts);
        }

        protected override void StopProcessing() => _cts.Cancel();

        public void Dispose() => _cts.Dispose();
    }
}
