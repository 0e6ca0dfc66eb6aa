using System.Management.Automation;
using ExpressHa.Api;

namespace ExpressHa.Cmdlets
{
    /// <summary>Suspends replication of a mirror on its primary: writes go on and are recorded, the standby copy stays
    /// frozen at this point until Resume-HaMirror resyncs the difference.</summary>
    [Cmdlet(VerbsLifecycle.Suspend, "HaMirror", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(MirrorStatus))]
    public sealed class SuspendHaMirrorCommand : MirrorNameCmdlet
    {
        /// <summary>Write the mirror's copies after the change.</summary>
        [Parameter] public SwitchParameter PassThru { get; set; }

        protected override void Act(HaConnection c)
        {
            if (!ShouldProcess(Target(c), "Suspend replication (the standby copy stops following)")) return;
            WriteVerbose(Invoke((api, ct) => api.SuspendMirrorAsync(Name, ct), Name).Message);
            if (PassThru) WriteObject(Copies(c), true);
        }
    }

    /// <summary>Resumes replication of a suspended mirror; the recorded difference resyncs.</summary>
    [Cmdlet(VerbsLifecycle.Resume, "HaMirror", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(MirrorStatus))]
    public sealed class ResumeHaMirrorCommand : MirrorNameCmdlet
    {
        /// <summary>Write the mirror's copies after the change.</summary>
        [Parameter] public SwitchParameter PassThru { get; set; }

        protected override void Act(HaConnection c)
        {
            if (!ShouldProcess(Target(c), "Resume replication (differential resync)")) return;
            WriteVerbose(Invoke((api, ct) => api.ResumeMirrorAsync(Name, ct), Name).Message);
            if (PassThru) WriteObject(Copies(c), true);
        }
    }
}
