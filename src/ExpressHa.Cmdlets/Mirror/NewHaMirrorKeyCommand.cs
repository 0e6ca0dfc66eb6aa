using System;
using System.IO;
using System.Management.Automation;
using System.Security.Cryptography;

namespace ExpressHa.Cmdlets
{
    /// <summary>Writes a random key file for encrypting a mirror connection (the mirror resource's keyFile): 16, 24 or
    /// 32 raw bytes, owner-only. Copy the same file to every node of the mirror.</summary>
    [Cmdlet(VerbsCommon.New, "HaMirrorKey", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(HaMirrorKey))]
    public sealed class NewHaMirrorKeyCommand : PSCmdlet
    {
        /// <summary>The key file to write.</summary>
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = "";

        /// <summary>Key length in bits: 128, 192 or 256.</summary>
        [Parameter]
        [ValidateSet("128", "192", "256")]
        public int Bits { get; set; } = 256;

        /// <summary>Overwrite an existing file (the mirror then needs the new key on every node).</summary>
        [Parameter] public SwitchParameter Force { get; set; }

        protected override void ProcessRecord()
        {
            var full = GetUnresolvedProviderPathFromPSPath(Path);
            if (Directory.Exists(full))
            {
                WriteError(new HaCmdletException(HaErrorIds.InvalidArgument, ErrorCategory.InvalidArgument, $"{full} is a directory; give the key file's path.", full).ToErrorRecord());
                return;
            }
            var exists = File.Exists(full);
            if (exists && !Force)
            {
                WriteError(new HaCmdletException(HaMirrorErrorIds.FileExists, ErrorCategory.ResourceExists,
                    $"{full} already exists. A mirror whose nodes hold different keys cannot connect; use -Force only to replace the key everywhere.", full).ToErrorRecord());
                return;
            }
            if (!ShouldProcess(full, exists ? $"Overwrite with a new {Bits}-bit mirror key" : $"Create a {Bits}-bit mirror key file")) return;

            var key = new byte[Bits / 8];
            using (var rng = RandomNumberGenerator.Create()) rng.GetBytes(key);
            try
            {
                OwnerOnlyFile.Write(full, key, overwrite: exists);
                string fingerprint;
                using (var sha = SHA256.Create()) fingerprint = BitConverter.ToString(sha.ComputeHash(key)).Replace("-", "");
                WriteObject(new HaMirrorKey(full, Bits, fingerprint));
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                WriteError(new HaCmdletException(HaMirrorErrorIds.KeyWriteFailed, ErrorCategory.WriteError, $"Cannot write {full}: {ex.Message}", full).ToErrorRecord());
            }
            finally
            {
                Array.Clear(key, 0, key.Length);
            }
        }
    }
}
