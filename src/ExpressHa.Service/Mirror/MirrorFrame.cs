using System.Buffers.Binary;

namespace ExpressHa.Service.Mirror;

public enum FrameType : byte
{
    // Handshake (plain text)
    Hello = 1, HelloReply, Proof, AuthOk, AuthFail, KeyCheck, KeyOk, KeyFail,
    // Session (sealed when encrypted)
    State = 20, Ping, Role, RoleAck,
    Write = 30, WriteAck, Flush, FlushAck,
    SyncBegin = 40, TargetBitmap, ResyncBlock, ResyncAck, SyncEnd, SyncEndAck,
    Outdate = 50, OutdateAck, Leaving, LeavingAck,
}

/// <summary>One message on the mirror link. Wire: u32 length, then the body (sealed with AES-GCM after the handshake
/// when encryption is on). Body: type u8, flags u8, 2 reserved bytes, id u64, a i64, b i64, payload.
/// Write: a = offset, b = length of a zero-fill (payload empty) or 0; flags bit 0 = FUA.</summary>
public sealed record MirrorFrame(FrameType Type, ulong Id = 0, long A = 0, long B = 0, byte Flags = 0, ReadOnlyMemory<byte> Payload = default)
{
    public const int HeaderSize = 28;
    public const int MaxBody = 64 * 1024 * 1024 + HeaderSize;
    public const byte FlagFua = 1, FlagZero = 2;

    public byte[] Encode()
    {
        var buf = new byte[HeaderSize + Payload.Length];
        EncodeHeader(buf);
        Payload.Span.CopyTo(buf.AsSpan(HeaderSize));
        return buf;
    }

    public void EncodeHeader(Span<byte> s)
    {
        s[..HeaderSize].Clear();
        s[0] = (byte)Type;
        s[1] = Flags;
        BinaryPrimitives.WriteUInt64LittleEndian(s[4..], Id);
        BinaryPrimitives.WriteInt64LittleEndian(s[12..], A);
        BinaryPrimitives.WriteInt64LittleEndian(s[20..], B);
    }

    public static MirrorFrame Decode(byte[] body)
    {
        if (body.Length < HeaderSize) throw new InvalidDataException($"mirror frame of {body.Length} bytes is shorter than its header");
        return DecodeHeader(body, body.AsMemory(HeaderSize));
    }

    public static MirrorFrame DecodeHeader(ReadOnlySpan<byte> s, ReadOnlyMemory<byte> payload)
        => new((FrameType)s[0], BinaryPrimitives.ReadUInt64LittleEndian(s[4..]),
            BinaryPrimitives.ReadInt64LittleEndian(s[12..]), BinaryPrimitives.ReadInt64LittleEndian(s[20..]), s[1], payload);

    public override string ToString() => $"{Type} id={Id} a={A} b={B} flags={Flags} payload={Payload.Length}";
}
