using System.Security.Cryptography;
using System.Text;

namespace ExpressHa.Service.Mirror;

/// <summary>Link security: the mutual HMAC-SHA256 challenge-response with the cluster key, and per-connection,
/// per-direction AES-GCM keys derived (HKDF) from the mirror key and both challenges, so a nonce (a frame counter) is
/// never reused with the same key, even across reconnects.</summary>
public static class LinkCrypto
{
    public const int ChallengeSize = 32;
    /// <summary>Sealed and exchanged after the handshake: a wrong mirror key fails to open it.</summary>
    public static readonly byte[] KeyCheckToken = "expressha mirror key check v1"u8.ToArray();

    public static byte[] NewChallenge() => RandomNumberGenerator.GetBytes(ChallengeSize);

    /// <summary>Proof that <paramref name="node"/> (in <paramref name="role"/> "dialer"/"acceptor") holds the cluster key,
    /// bound to both challenges and the mirror name.</summary>
    public static byte[] Proof(byte[] clusterKey, string mirror, string role, string node, byte[] dialerChallenge, byte[] acceptorChallenge)
    {
        using var h = new HMACSHA256(clusterKey);
        var label = Encoding.UTF8.GetBytes($"expressha-mirror-auth|{mirror}|{role}|{node}|");
        h.TransformBlock(label, 0, label.Length, null, 0);
        h.TransformBlock(dialerChallenge, 0, dialerChallenge.Length, null, 0);
        h.TransformFinalBlock(acceptorChallenge, 0, acceptorChallenge.Length);
        return h.Hash!;
    }

    public static bool ProofEquals(byte[] a, ReadOnlySpan<byte> b) => CryptographicOperations.FixedTimeEquals(a, b);

    /// <summary>(dialer→acceptor key, acceptor→dialer key) for this connection.</summary>
    public static (byte[] dialerToAcceptor, byte[] acceptorToDialer) SessionKeys(byte[] mirrorKey, byte[] dialerChallenge, byte[] acceptorChallenge)
    {
        var salt = dialerChallenge.Concat(acceptorChallenge).ToArray();
        var d = HKDF.DeriveKey(HashAlgorithmName.SHA256, mirrorKey, mirrorKey.Length, salt, "expressha-mirror d->a"u8.ToArray());
        var a = HKDF.DeriveKey(HashAlgorithmName.SHA256, mirrorKey, mirrorKey.Length, salt, "expressha-mirror a->d"u8.ToArray());
        return (d, a);
    }
}

/// <summary>AES-GCM for one direction of one connection. The nonce is the frame counter (implicit: both ends count in
/// step over the ordered stream), so replayed, dropped or reordered frames fail to open.</summary>
public sealed class FrameCipher : IDisposable
{
    public const int TagSize = 16;
    readonly AesGcm _aes;
    ulong _counter;

    public FrameCipher(byte[] key) { _aes = new AesGcm(key, TagSize); }

    public byte[] Seal(ReadOnlySpan<byte> plain)
    {
        var output = new byte[plain.Length + TagSize];
        Span<byte> nonce = stackalloc byte[12];
        BitConverter.TryWriteBytes(nonce, _counter++);
        _aes.Encrypt(nonce, plain, output.AsSpan(0, plain.Length), output.AsSpan(plain.Length));
        return output;
    }

    /// <summary>Opens the next frame; throws <see cref="AuthenticationTagMismatchException"/> for a wrong key or a forged frame.</summary>
    public byte[] Open(ReadOnlySpan<byte> sealedFrame)
    {
        if (sealedFrame.Length < TagSize) throw new CryptographicException("sealed frame shorter than its tag");
        var plain = new byte[sealedFrame.Length - TagSize];
        Span<byte> nonce = stackalloc byte[12];
        BitConverter.TryWriteBytes(nonce, _counter++);
        _aes.Decrypt(nonce, sealedFrame[..plain.Length], sealedFrame[plain.Length..], plain);
        return plain;
    }

    public void Dispose() => _aes.Dispose();
}
