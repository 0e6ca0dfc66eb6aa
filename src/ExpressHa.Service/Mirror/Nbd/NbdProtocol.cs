namespace ExpressHa.Service.Mirror.Nbd;

/// <summary>Wire constants of the NBD protocol (fixed newstyle handshake, simple replies); all integers are big-endian.</summary>
public static class NbdProtocol
{
    public const ulong NbdMagic = 0x4e42444d41474943;        // "NBDMAGIC"
    public const ulong IHaveOpt = 0x49484156454F5054;        // "IHAVEOPT"
    public const ulong OptionReplyMagic = 0x0003e889045565a9;
    public const uint RequestMagic = 0x25609513;
    public const uint SimpleReplyMagic = 0x67446698;

    // Handshake flags (server) and client flags.
    public const ushort FlagFixedNewstyle = 1 << 0;
    public const ushort FlagNoZeroes = 1 << 1;
    public const uint ClientFlagFixedNewstyle = 1 << 0;
    public const uint ClientFlagNoZeroes = 1 << 1;

    // Transmission flags.
    public const ushort FlagHasFlags = 1 << 0;
    public const ushort FlagReadOnly = 1 << 1;
    public const ushort FlagSendFlush = 1 << 2;
    public const ushort FlagSendFua = 1 << 3;
    public const ushort FlagRotational = 1 << 4;
    public const ushort FlagSendTrim = 1 << 5;
    public const ushort FlagSendWriteZeroes = 1 << 6;
    public const ushort FlagSendDf = 1 << 7;
    public const ushort FlagCanMultiConn = 1 << 8;

    // Options.
    public const uint OptExportName = 1;
    public const uint OptAbort = 2;
    public const uint OptList = 3;
    public const uint OptPeekExport = 4;
    public const uint OptStartTls = 5;
    public const uint OptInfo = 6;
    public const uint OptGo = 7;
    public const uint OptStructuredReply = 8;
    public const uint OptListMetaContext = 9;
    public const uint OptSetMetaContext = 10;
    public const uint OptExtendedHeaders = 11;

    // Option reply types.
    public const uint RepAck = 1;
    public const uint RepServer = 2;
    public const uint RepInfo = 3;
    public const uint RepMetaContext = 4;
    const uint RepErr = 1u << 31;
    public const uint RepErrUnsup = RepErr | 1;
    public const uint RepErrPolicy = RepErr | 2;
    public const uint RepErrInvalid = RepErr | 3;
    public const uint RepErrPlatform = RepErr | 4;
    public const uint RepErrTlsReqd = RepErr | 5;
    public const uint RepErrUnknown = RepErr | 6;
    public const uint RepErrShutdown = RepErr | 7;
    public const uint RepErrBlockSizeReqd = RepErr | 8;
    public const uint RepErrTooBig = RepErr | 9;

    // Info types in NBD_REP_INFO.
    public const ushort InfoExport = 0;
    public const ushort InfoName = 1;
    public const ushort InfoDescription = 2;
    public const ushort InfoBlockSize = 3;

    // Commands.
    public const ushort CmdRead = 0;
    public const ushort CmdWrite = 1;
    public const ushort CmdDisc = 2;
    public const ushort CmdFlush = 3;
    public const ushort CmdTrim = 4;
    public const ushort CmdCache = 5;
    public const ushort CmdWriteZeroes = 6;
    public const ushort CmdBlockStatus = 7;

    // Command flags.
    public const ushort CmdFlagFua = 1 << 0;
    public const ushort CmdFlagNoHole = 1 << 1;

    // Sizes.
    public const int RequestSize = 28;        // magic 4, flags 2, type 2, cookie 8, offset 8, length 4
    public const int SimpleReplySize = 16;    // magic 4, error 4, cookie 8
    public const int OptionHeaderSize = 16;   // IHAVEOPT 8, option 4, length 4
    public const int OptionReplyHeaderSize = 20;
    public const int MaxNameLength = 4096;
    /// <summary>Largest option payload read; a name is at most 4 KiB, so anything much bigger is not a real client.</summary>
    public const int MaxOptionLength = 64 * 1024;
    public const uint MinBlockSize = 1;
    public const uint PreferredBlockSize = 4096;
    /// <summary>Largest READ/WRITE payload, advertised as the maximum block size.</summary>
    public const int MaxPayload = 32 * 1024 * 1024;
}
