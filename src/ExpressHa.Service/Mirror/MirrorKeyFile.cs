using System.Security.Cryptography;
using System.Text;

namespace ExpressHa.Service.Mirror;

/// <summary>The mirror encryption key file: 16, 24 or 32 raw bytes (128/192/256-bit AES), or the same as base64 text.</summary>
public static class MirrorKeyFile
{
    public static byte[] Read(string path)
    {
        byte[] raw;
        try { raw = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"mirror key file '{path}' cannot be read: {e.Message}", e);
        }
        // Text first: a random raw key made only of base64 characters is practically impossible.
        var text = TryBase64(raw);
        if (text is { Length: 16 or 24 or 32 }) return text;
        if (raw.Length is 16 or 24 or 32) return raw;
        throw new InvalidDataException(
            $"mirror key file '{path}' holds {raw.Length} bytes{(text is null ? "" : $" (base64 of {text.Length} bytes)")}; " +
            "it must hold a 128-, 192- or 256-bit key: 16, 24 or 32 raw bytes, or their base64 text");
    }

    /// <summary>A new random key of 128, 192 or 256 bits.</summary>
    public static byte[] Generate(int bits)
    {
        if (bits is not (128 or 192 or 256)) throw new ArgumentOutOfRangeException(nameof(bits), bits, "key size must be 128, 192 or 256 bits");
        return RandomNumberGenerator.GetBytes(bits / 8);
    }

    /// <summary>Writes the key as base64 text, readable by the owner only.</summary>
    public static void Write(string path, byte[] key)
    {
        if (key.Length is not (16 or 24 or 32)) throw new ArgumentException("key must be 16, 24 or 32 bytes", nameof(key));
        File.WriteAllText(path, Convert.ToBase64String(key) + "\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    static byte[]? TryBase64(byte[] raw)
    {
        foreach (var b in raw)
            if (!(b is (byte)'+' or (byte)'/' or (byte)'=' or (byte)'\r' or (byte)'\n' or (byte)' ' or (byte)'\t'
                  || b is >= (byte)'A' and <= (byte)'Z' || b is >= (byte)'a' and <= (byte)'z' || b is >= (byte)'0' and <= (byte)'9'))
                return null;
        try { return Convert.FromBase64String(Encoding.ASCII.GetString(raw).Trim()); }
        catch (FormatException) { return null; }
    }
}
