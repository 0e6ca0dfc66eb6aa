using System.Management.Automation;
using System.Threading;
using ExpressHa.Api;
using ExpressHa.Yaml;

namespace ExpressHa.Cmdlets
{
    /// <summary>Compares a config (a file or an object) with the one the connected cluster runs: the same difference
    /// Publish-HaClusterConfig -WhatIf shows, computed by the service, nothing applied. An empty difference
    /// (IsEmpty) means no drift.</summary>
    [Cmdlet(VerbsData.Compare, "HaClusterConfig", DefaultParameterSetName = PathSet)]
    [OutputType(typeof(ConfigDiff))]
    public sealed class CompareHaClusterConfigCommand : ConfigSourceCmdlet, System.IDisposable
    {
        readonly CancellationTokenSource _cts = new CancellationTokenSource();

        protected override void ProcessRecord()
        {
            try
            {
                var c = LiveCall.Require(this);
                var yaml = UsesPath ? ConfigPush.ReadFile(FullPath) : ConfigYamlWriter.Write(InputObject);
                object target = UsesPath ? (object)FullPath : InputObject.Name;
                var dry = LiveCall.Invoke(c, _cts.Token, (api, ct) => api.PushConfigAsync(yaml, true, ct), target);
                if (ConfigPush.ReportProblems(this, dry, target)) return;
                var pso = PSObject.AsPSObject(dry.Diff);
                pso.Properties.Add(new PSNoteProperty("ClusterName", c.ClusterName));
                pso.Properties.Add(new PSNoteProperty("RunningGeneration", dry.Generation));
                WriteObject(pso);
            }
            catch (HaCmdletException ex)
            {
                Report(ex);
            }
        }

        protected override void StopProcessing() => _cts.Cancel();

        public void Dispose() => _cts.Dispose();
    }
}
