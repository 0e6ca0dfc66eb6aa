using System;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace ExpressHa.Client
{
    /// <summary>SHA-256 fingerprints of API certificates: 64 upper-case hex digits, the form the service reports and
    /// the cmdlets pin. Input may use lower case and ':' or ' ' separators (as openssl and browsers print them).</summary>
    public static class CertificateFingerprint
    {
        public static string Compute(X509Certificate certificate)
        {
            if (certificate == null) throw new ArgumentNullException(nameof(certificate));
            using (var sha = SHA256.Create())
                return Hex(sha.ComputeHash(certificate.GetRawCertData()));
        }

        public static string Compute(byte[] rawCertificate)
        {
            using (var sha = SHA256.Create())
                return Hex(sha.ComputeHash(rawCertificate));
        }

        /// <summary>The canonical form, or null when the text is not a SHA-256 fingerprint.</summary>
        public static string? Normalize(string? text)
        {
            if (text == null) return null;
            var sb = new StringBuilder(64);
            foreach (var c in text)
            {
                if (c == ':' || c == ' ' || c == '-') continue;
                if (!Uri.IsHexDigit(c)) return null;
                sb.Append(char.ToUpperInvariant(c));
            }
            return sb.Length == 64 ? sb.ToString() : null;
        }

        /// <summary>Constant-time comparison of two fingerprints in any accepted form.</summary>
        public static bool Matches(string? expected, string? actual)
        {
            var a = Normalize(expected);
            var b = Normalize(actual);
            if (a == null || b == null) return false;
            var diff = 0;
            for (int i = 0; i < 64; i++) diff |= a[i] ^ b[i];
            return diff == 0;
        }

        static string Hex(byte[] bytes)
        {
            var sb = new StringBuilder(bytes.Length * 2);
            foreach (var b in bytes) sb.Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            return sb.ToString();
        }
    }
}
