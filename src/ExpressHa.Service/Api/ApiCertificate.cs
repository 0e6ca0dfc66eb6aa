using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ExpressHa.Client;

namespace ExpressHa.Service.Api;

/// <summary>The node's self-signed API certificate: generated at first start (ECDSA P-256), saved as a PFX in the state
/// directory (owner-only on Unix), reused afterwards. Clients pin its SHA-256 fingerprint; heartbeats can carry it.</summary>
public static class ApiCertificate
{
    public const string FileName = "api-cert.pfx";

    public static string PathIn(string stateDir) => Path.Combine(stateDir, FileName);

    /// <summary>The certificate in the state directory, created there when missing. A file that cannot be read is an
    /// error, not a reason to make a new one: that would silently change the fingerprint every client pins.</summary>
    public static X509Certificate2 LoadOrCreate(string stateDir)
    {
        if (string.IsNullOrWhiteSpace(stateDir)) throw new ApiConfigurationException("the API needs a state directory for its certificate");
        var path = PathIn(stateDir);
        if (File.Exists(path)) return Load(path);
        Directory.CreateDirectory(stateDir);
        using (var created = Create())
        {
            var pfx = created.Export(X509ContentType.Pkcs12);
            var temp = path + ".tmp-" + Guid.NewGuid().ToString("N")[..8];
            using (var fs = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            {
                if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                fs.Write(pfx);
            }
            try
            {
                File.Move(temp, path, overwrite: false);
            }
            catch (IOException) when (File.Exists(path))
            {
                File.Delete(temp); // another start won the race: use its certificate
            }
        }
        return Load(path);
    }

    /// <summary>The fingerprint of the certificate in the state directory, creating it when missing.</summary>
    public static string GetOrCreateFingerprint(string stateDir)
    {
        using var cert = LoadOrCreate(stateDir);
        return CertificateFingerprint.Compute(cert);
    }

    /// <summary>The fingerprint of the certificate in the state directory, or null when there is none yet.</summary>
    public static string? ReadFingerprint(string stateDir)
    {
        var path = PathIn(stateDir);
        if (!File.Exists(path)) return null;
        using var cert = Load(path);
        return CertificateFingerprint.Compute(cert);
    }

    static X509Certificate2 Load(string path)
    {
        try
        {
            return X509CertificateLoader.LoadPkcs12FromFile(path, null, X509KeyStorageFlags.EphemeralKeySet);
        }
        catch (CryptographicException ex)
        {
            throw new ApiConfigurationException(
                $"cannot read the API certificate '{path}' ({ex.Message}); delete it to have a new one generated, then give clients the new fingerprint");
        }
    }

    static X509Certificate2 Create()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var host = Dns.GetHostName();
        var req = new CertificateRequest($"CN=expresshad {host}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        if (!string.IsNullOrEmpty(host) && Uri.CheckHostName(host) == UriHostNameType.Dns) san.AddDnsName(host);
        san.AddIpAddress(IPAddress.Loopback);
        san.AddIpAddress(IPAddress.IPv6Loopback);
        req.CertificateExtensions.Add(san.Build());
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(new OidCollection { new Oid("1.3.6.1.5.5.7.3.1") }, false));
        var now = DateTimeOffset.UtcNow;
        return req.CreateSelfSigned(now.AddDays(-1), now.AddYears(20));
    }
}
