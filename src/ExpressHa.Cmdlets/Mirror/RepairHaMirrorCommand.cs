using System.Linq;
using System.Management.Automation;
using ExpressHa.Api;

namespace ExpressHa.Cmdlets
{
    /// <summary>Ends a split brain (or forces a side): the copy on -Source wins, every other copy is overwritten by a resync.</summary>
    [Cmdlet(VerbsDiagnostic.Repair, "HaMirror", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(MirrorStatus))]
    public sealed class RepairHaMirrorCommand : MirrorNameCmdlet
    {
        /// <summary>The node whose copy wins.</summary>
        [Parameter(Mandatory = true, Position = 1)]
        [ValidateNotNullOrEmpty]
        public string Source { get; set; } = "";

        /// <summary>Write the mirror's copies after the repair started.</summary>
        [Parameter] public SwitchParameter PassThru { get; set; }

        protected override void Act(HaConnection c)
        {
            var others = Invoke((api, ct) => api.GetMirrorsAsync(ct)).Mirrors
                .Where(m => m.Name == Name && m.Node != Source).Select(m => m.Node).Distinct().ToList();
            var discarded = others.Count > 0 ? "the copy on " + string.Join(", ", others) : "every other copy";
            if (!ShouldProcess(Target(c), $"Repair: keep the copy on {Source}; DISCARD {discarded} (overwritten by a resync from {Source})")) return;
            WriteVerbose(Invoke((api, ct) => api.RepairMirrorAsync(Name, Source, ct), Name).Message);
            if (PassThru) WriteObject(Copies(c), true);
        }
    }
}
