using System.Security.Cryptography;

namespace ExpressHa.Service.Security;

/// <summary>The shared cluster key (same file on every node): authenticates heartbeats and node-to-node traffic.</summary>
public sealed class ClusterKey
{
    ClusterKey(byte[] key) { Key = key; }

    public byte[] Key { get; }

    /// <summary>Reads the key file: raw bytes, or text (hex/base64/any) whose bytes are hashed into a key. At least 16 bytes.</summary>
    public static ClusterKey Load(string path)
    {
        if (!File.Exists(path))
            throw new InvalidOperationException($"cluster key file '{path}' does not exist; create the same file on every node (e.g. head -c 32 /dev/urandom > {path}) or set cluster.security.keyFile");
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 16)
            throw new InvalidOperationException($"cluster key file '{path}' holds {bytes.Length} bytes; it needs at least 16 random bytes");
        return new ClusterKey(SHA256.HashData(bytes));
    }

    public static ClusterKey FromBytes(byte[] material) => new(SHA256.HashData(material));

    public byte[] Sign(ReadOnlySpan<byte> data) => HMACSHA256.HashData(Key, data);

    public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> tag)
        => tag.Length == 32 && CryptographicOperations.FixedTimeEquals(Sign(data), tag);

    /// <summary>Writes a new random key file readable by root only.</summary>
    public static void Create(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllBytes(path, RandomNumberGenerator.GetBytes(32));
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }
}
