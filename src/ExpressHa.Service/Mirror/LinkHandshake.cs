using System.Security.Cryptography;
using System.Text.Json;
using ExpressHa.Api;

namespace ExpressHa.Service.Mirror;

/// <summary>The mirror-connect handshake on a fresh link: mutual HMAC challenge-response with the cluster key, an
/// encryption check (a sealed known token: a different mirror key is reported as a key mismatch), then both sides
/// exchange their state. A failed authentication or key check is reported to the state machine (AuthFailed,
/// KeyMismatch) with an alert when it is new.</summary>
internal sealed class LinkHandshake(MirrorSide side)
{
    sealed record HelloMsg(string Mirror, string Node, byte[] Challenge, byte[]? Proof);

    /// <summary>An authenticated session (not established yet), what this side sent and what the peer sent.</summary>
    public sealed record Result(MirrorSession Session, MirrorNodeState Sent, MirrorNodeState Peer);

    static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    MirrorOptions O => side.O;
    string Name => side.Name;

    /// <summary>Null when the peer failed (or refused) authentication or the key check; throws when the link breaks.</summary>
    public async Task<Result?> RunAsync(MirrorLink link, bool dialer, CancellationToken outer)
    {
        using var hs = CancellationTokenSource.CreateLinkedTokenSource(outer);
        hs.CancelAfter(Timeout);
        var ct = hs.Token;
        var ck = O.ClusterKey;
        byte[] cD, cA;

        async Task<MirrorFrame> Expect(FrameType type)
        {
            var f = await link.ReceiveAsync(ct).ConfigureAwait(false);
            if (f.Type == FrameType.AuthFail) throw new AuthException(false);
            if (f.Type == FrameType.KeyFail) throw new KeyException(false);
            if (f.Type != type) throw new InvalidDataException($"expected {type}, got {f.Type}");
            return f;
        }
        static MirrorFrame Json<T>(FrameType t, T value) => new(t, Payload: JsonSerializer.SerializeToUtf8Bytes(value));
        static T Parse<T>(MirrorFrame f) => JsonSerializer.Deserialize<T>(f.Payload.Span) ?? throw new InvalidDataException($"empty {f.Type}");

        link.MaxBody = 4096;
        try
        {
            // 1. Mutual challenge-response.
            if (dialer)
            {
                cD = LinkCrypto.NewChallenge();
                await link.SendAsync(Json(FrameType.Hello, new HelloMsg(Name, O.LocalNode, cD, null)), ct).ConfigureAwait(false);
                var reply = Parse<HelloMsg>(await Expect(FrameType.HelloReply).ConfigureAwait(false));
                CheckPeerIdentity(reply);
                cA = reply.Challenge;
                var expected = LinkCrypto.Proof(ck, Name, "acceptor", O.PeerNode, cD, cA);
                if (reply.Proof is null || !LinkCrypto.ProofEquals(expected, reply.Proof))
                {
                    await link.SendAsync(new MirrorFrame(FrameType.AuthFail), ct).ConfigureAwait(false);
                    throw new AuthException(true);
                }
                await link.SendAsync(new MirrorFrame(FrameType.Proof, Payload: LinkCrypto.Proof(ck, Name, "dialer", O.LocalNode, cD, cA)), ct).ConfigureAwait(false);
                await Expect(FrameType.AuthOk).ConfigureAwait(false);
            }
            else
            {
                var hello = Parse<HelloMsg>(await Expect(FrameType.Hello).ConfigureAwait(false));
                CheckPeerIdentity(hello);
                cD = hello.Challenge;
                cA = LinkCrypto.NewChallenge();
                await link.SendAsync(Json(FrameType.HelloReply,
                    new HelloMsg(Name, O.LocalNode, cA, LinkCrypto.Proof(ck, Name, "acceptor", O.LocalNode, cD, cA))), ct).ConfigureAwait(false);
                var proof = await Expect(FrameType.Proof).ConfigureAwait(false);
                if (!LinkCrypto.ProofEquals(LinkCrypto.Proof(ck, Name, "dialer", O.PeerNode, cD, cA), proof.Payload.Span))
                {
                    await link.SendAsync(new MirrorFrame(FrameType.AuthFail), ct).ConfigureAwait(false);
                    throw new AuthException(true);
                }
                await link.SendAsync(new MirrorFrame(FrameType.AuthOk), ct).ConfigureAwait(false);
            }

            // 2. Encryption check: same setting, same key.
            bool enc = O.EncryptionKey is not null;
            FrameCipher? tx = null, rx = null;
            if (enc)
            {
                var (d2a, a2d) = LinkCrypto.SessionKeys(O.EncryptionKey!, cD, cA);
                tx = new FrameCipher(dialer ? d2a : a2d);
                rx = new FrameCipher(dialer ? a2d : d2a);
            }
            byte[] MyCheck() => enc ? [1, .. tx!.Seal(LinkCrypto.KeyCheckToken)] : [0];
            bool CheckPeer(ReadOnlySpan<byte> p)
            {
                if (p.Length < 1 || (p[0] == 1) != enc) return false;
                if (!enc) return true;
                try { return rx!.Open(p[1..]).AsSpan().SequenceEqual(LinkCrypto.KeyCheckToken); }
                catch (CryptographicException) { return false; }
            }
            if (dialer)
            {
                await link.SendAsync(new MirrorFrame(FrameType.KeyCheck, Payload: MyCheck()), ct).ConfigureAwait(false);
                var ok = await Expect(FrameType.KeyOk).ConfigureAwait(false);
                if (!CheckPeer(ok.Payload.Span))
                {
                    await link.SendAsync(new MirrorFrame(FrameType.KeyFail), ct).ConfigureAwait(false);
                    throw new KeyException(true);
                }
            }
            else
            {
                var check = await Expect(FrameType.KeyCheck).ConfigureAwait(false);
                if (!CheckPeer(check.Payload.Span))
                {
                    await link.SendAsync(new MirrorFrame(FrameType.KeyFail), ct).ConfigureAwait(false);
                    throw new KeyException(true);
                }
                await link.SendAsync(new MirrorFrame(FrameType.KeyOk, Payload: MyCheck()), ct).ConfigureAwait(false);
            }
            if (enc) link.EnableCrypto(tx!, rx!);
            link.MaxBody = MirrorFrame.MaxBody;
        }
        catch (AuthException)
        {
            Failed(ConnectionState.AuthFailed, $"mirror-connect authentication with {O.PeerNode} failed: the nodes hold different cluster keys",
                AlertEvents.Mm.AuthFailed);
            return null;
        }
        catch (KeyException)
        {
            Failed(ConnectionState.KeyMismatch, $"mirror-connect key mismatch with {O.PeerNode}: both nodes need the same key file",
                AlertEvents.Mm.KeyMismatch);
            return null;
        }

        // 3. State exchange.
        var session = new MirrorSession(link, dialer);
        MirrorNodeState sent;
        lock (side.Lock) sent = side.LocalState();
        await link.SendAsync(Json(FrameType.State, sent), ct).ConfigureAwait(false);
        var peer = Parse<MirrorNodeState>(await Expect(FrameType.State).ConfigureAwait(false));
        if (peer.Node != O.PeerNode) throw new InvalidDataException($"state from '{peer.Node}', expected {O.PeerNode}");
        return new Result(session, sent, peer);
    }

    void CheckPeerIdentity(HelloMsg m)
    {
        if (m.Mirror != Name || m.Node != O.PeerNode)
            throw new InvalidDataException($"the connection is from mirror '{m.Mirror}' on '{m.Node}', expected mirror {Name} on {O.PeerNode}");
    }

    void Failed(ConnectionState state, string message, AlertEvent alert)
    {
        bool changed;
        lock (side.Lock)
        {
            changed = side.Machine.ShownConnection != state;
            if (state == ConnectionState.AuthFailed) side.Machine.HandshakeAuthFailed();
            else side.Machine.HandshakeKeyMismatch();
            side.LastError = message;
        }
        if (changed) side.Alert(alert, message);
    }

    sealed class AuthException(bool local) : Exception(local ? "peer proof invalid" : "peer refused our proof");
    sealed class KeyException(bool local) : Exception(local ? "peer key check failed" : "peer refused our key check");
}
