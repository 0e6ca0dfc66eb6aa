using System.Management.Automation;
using ExpressHa.Api;

namespace ExpressHa.Cmdlets
{
    /// <summary>Mirror status objects as the cmdlets write them: the API's MirrorStatus with a ClusterName note, so
    /// they pipe into the other mirror cmdlets with the cluster check.</summary>
    internal static class MirrorObjects
    {
        public static PSObject Wrap(MirrorStatus status, string clusterName)
        {
            var o = PSObject.AsPSObject(status);
            o.Properties.Add(new PSNoteProperty("ClusterName", clusterName));
            return o;
        }
    }
}
