using ExpressHa.Service.Api;

namespace ExpressHa.Service.Tests.Api;

public class ApiFingerprintCommandTests
{
    static (int Exit, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = Cli.Run(args, stdout, stderr);
        return (exit, stdout.ToString().Trim(), stderr.ToString().Trim());
    }

    [Fact]
    public void Makes_the_certificate_once_and_prints_the_fingerprint_clients_pin()
    {
        var dir = Path.Combine(Path.GetTempPath(), "expressha-fp-" + Guid.NewGuid().ToString("N"));
        try
        {
            var first = Run("api-fingerprint", "--state-dir", dir);
            Assert.Equal(0, first.Exit);
            Assert.Matches("^[0-9A-F]{64}$", first.Out);
            Assert.True(File.Exists(ApiCertificate.PathIn(dir)));
            Assert.Equal(ApiCertificate.ReadFingerprint(dir), first.Out);

            var second = Run("api-fingerprint", "--state-dir", dir);
            Assert.Equal(first.Out, second.Out);
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void Needs_the_state_directory()
    {
        var r = Run("api-fingerprint");
        Assert.Equal(2, r.Exit);
        Assert.Contains("--state-dir DIR is required", r.Err);
    }
}
