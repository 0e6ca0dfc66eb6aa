using System.Management.Automation;
using ExpressHa.Config;
using ExpressHa.Schema;

namespace ExpressHa.Cmdlets
{
    /// <summary>Adds a resource to a group. awsvip, awseip, awssip, awsdns, lbprobe and mirror resources get their monitors
    /// with the type's defaults, as the products this follows do, unless -NoMonitor.</summary>
    [Cmdlet(VerbsCommon.Add, "HaResource", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, DefaultParameterSetName = ObjectSet)]
    [OutputType(typeof(ClusterConfig))]
    public sealed class AddHaResourceCommand : ResourceEditCmdlet
    {
        [Parameter(Mandatory = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(GroupNameCompleter))]
        public string Group { get; set; } = "";

        [Parameter(Mandatory = true, Position = 1)]
        [ArgumentCompleter(typeof(ResourceTypeCompleter))]
        public string Type { get; set; } = "";

        /// <summary>Do not add the type's monitors.</summary>
        [Parameter] public SwitchParameter NoMonitor { get; set; }

        protected override string Action => $"Add {Type} resource '{Name}' to group '{Group}'";

        protected override string? TypeWhileBinding() => Type;
        protected override bool AddsObject => true;

        protected override void BeginProcessing()
        {
            try { TypeCheck.Resolve(Type, monitor: false); }
            catch (HaCmdletException ex) { ThrowTerminatingError(ex.ToErrorRecord()); }
        }

        protected override void Apply(ClusterConfig config)
        {
            var group = Lookup.Group(config, Group);
            if (config.FindResource(Name, out var owner) != null)
                throw new HaCmdletException(HaErrorIds.DuplicateName, ErrorCategory.ResourceExists,
                    $"Resource '{Name}' already exists in group '{owner!.Name}'; resource names are unique in the cluster, so choose another name.", Name);
            var r = new ResourceConfig { Name = Name, Type = Type };
            ApplyFields(r);
            group.Resources.Add(r);
            if (NoMonitor) return;
            foreach (var monitorType in SchemaRegistry.FindResource(Type)!.AutoMonitors)
            {
                var name = SchemaRegistry.AutoMonitorName(Name, monitorType);
                for (int i = 2; config.FindMonitor(name) != null; i++) name = SchemaRegistry.AutoMonitorName(Name, monitorType) + "-" + i;
                config.Monitors.Add(SchemaRegistry.NewMonitor(name, monitorType, Name));
            }
        }
    }
}
