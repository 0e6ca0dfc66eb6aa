using ExpressHa.Service.Api;

namespace ExpressHa.Service.Commands;

/// <summary>`api-fingerprint --state-dir DIR`: the SHA-256 fingerprint of the node's API certificate, made now when the
/// service never ran there, so an installer (the Ansible role) can hand clients the pin before the first start.</summary>
public static class ApiFingerprintCommand
{
    public static int Run(CliOptions options, TextWriter stdout, TextWriter stderr)
    {
        var stateDir = options.Get("state-dir");
        if (stateDir == null)
        {
            stderr.WriteLine("expresshad api-fingerprint: --state-dir DIR is required");
            return 2;
        }
        try
        {
            stdout.WriteLine(ApiCertificate.GetOrCreateFingerprint(stateDir));
            return 0;
        }
        catch (ApiConfigurationException ex)
        {
            stderr.WriteLine($"expresshad api-fingerprint: {ex.Message}");
            return 1;
        }
    }
}
