using System.Security.Cryptography;

namespace ExpressHa.Cmdlets.Tests;

/// <summary>New-HaMirrorKey: key sizes, owner-only files, -Force, -WhatIf, and a fingerprint instead of the key.</summary>
public class MirrorKeyTests
{
    static object? P(object? o, string name) => System.Management.Automation.PSObject.AsPSObject(o).Properties[name]?.Value;

    [Theory]
    [InlineData(128, 16)]
    [InlineData(192, 24)]
    [InlineData(256, 32)]
    public void Writes_a_random_owner_only_key_of_the_size_asked(int bits, int bytes)
    {
        using var s = new PsSession();
        var path = Path.Combine(s.TempDir, $"md{bits}.key");
        var key = s.Run($"New-HaMirrorKey -Path '{path}' -Bits {bits}").Ok().Single()!;
        var content = File.ReadAllBytes(path);
        Assert.Equal(bytes, content.Length);
        Assert.Equal(bits, P(key, "Bits"));
        Assert.Equal(bytes, P(key, "Length"));
        Assert.Equal(path, P(key, "Path"));
        Assert.Equal(Convert.ToHexString(SHA256.HashData(content)), P(key, "Fingerprint"));
        Assert.DoesNotContain(Convert.ToHexString(content), string.Join(" ", System.Management.Automation.PSObject.AsPSObject(key).Properties.Select(p => p.Value?.ToString())));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.NotEqual(new byte[bytes], content);
        Assert.Single(Directory.GetFiles(s.TempDir));
    }

    [Fact]
    public void Defaults_to_256_bits_and_two_keys_differ()
    {
        using var s = new PsSession();
        s.Run("New-HaMirrorKey -Path (Join-Path $TestDir a.key); New-HaMirrorKey (Join-Path $TestDir b.key)").Ok();
        var a = File.ReadAllBytes(Path.Combine(s.TempDir, "a.key"));
        Assert.Equal(32, a.Length);
        Assert.NotEqual(a, File.ReadAllBytes(Path.Combine(s.TempDir, "b.key")));
    }

    [Fact]
    public void Refuses_to_overwrite_without_Force_and_replaces_with_it()
    {
        using var s = new PsSession();
        var path = Path.Combine(s.TempDir, "md1.key");
        File.WriteAllText(path, "old");
        var refused = s.Run($"New-HaMirrorKey -Path '{path}'");
        Assert.StartsWith("ExpressHa.FileExists", Assert.Single(refused.Errors).FullyQualifiedErrorId);
        Assert.Equal(System.Management.Automation.ErrorCategory.ResourceExists, refused.Errors[0].CategoryInfo.Category);
        Assert.Empty(refused.Output);
        Assert.Equal("old", File.ReadAllText(path));

        s.Run($"New-HaMirrorKey -Path '{path}' -Bits 192 -Force").Ok();
        Assert.Equal(24, File.ReadAllBytes(path).Length);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Single(Directory.GetFiles(s.TempDir));
    }

    [Fact]
    public void WhatIf_creates_nothing_and_a_bad_size_is_refused()
    {
        using var s = new PsSession();
        var path = Path.Combine(s.TempDir, "md1.key");
        Assert.Empty(s.Run($"New-HaMirrorKey -Path '{path}' -WhatIf").Ok().Output);
        Assert.Empty(Directory.GetFileSystemEntries(s.TempDir));
        var bad = s.Run($"New-HaMirrorKey -Path '{path}' -Bits 100");
        Assert.StartsWith("ParameterArgumentValidationError", (bad.Terminating?.ErrorRecord ?? Assert.Single(bad.Errors)).FullyQualifiedErrorId);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void The_table_view_shows_path_bits_and_fingerprint()
    {
        using var s = new PsSession();
        var text = string.Concat(s.Run("New-HaMirrorKey -Path (Join-Path $TestDir md1.key) -Bits 128 | Out-String -Width 200").Ok().Output.Select(o => o.ToString()));
        Assert.Contains("Fingerprint (SHA-256)", text);
        Assert.Matches(new System.Text.RegularExpressions.Regex(@"md1\.key\s+128\s+[0-9A-F]{64}"), text);
    }
}
