using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using static ExpressHa.Service.Mirror.Nbd.NbdProtocol;

namespace ExpressHa.Service.Mirror.Nbd;

/// <summary>The fixed newstyle handshake and option haggling for one connection, up to the start of transmission.
/// The server has one export, reachable by its name or by the empty (default) name.</summary>
internal sealed class NbdHandshake
{
    readonly NbdInput _input;
    readonly NbdOutput _output;
    readonly string _exportName;
    readonly IBlockDevice _device;
    readonly Action<string> _log;
    readonly byte[] _header = new byte[OptionHeaderSize];
    bool _noZeroes;

    public NbdHandshake(NbdInput input, NbdOutput output, string exportName, IBlockDevice device, Action<string> log)
    {
        _input = input;
        _output = output;
        _exportName = exportName;
        _device = device;
        _log = log;
    }

    public static ushort TransmissionFlags(IBlockDevice device)
    {
        var flags = (ushort)(FlagHasFlags | FlagSendFlush | FlagSendFua | FlagSendTrim | FlagSendWriteZeroes);
        if (device.ReadOnly) flags |= FlagReadOnly;
        return flags;
    }

    /// <summary>Runs the handshake; true when the client chose the export and transmission begins, false when the
    /// client ended the handshake politely. A protocol violation throws <see cref="NbdProtocolException"/>.</summary>
    public bool Run()
    {
        _output.WriteUInt64(NbdMagic);
        _output.WriteUInt64(IHaveOpt);
        _output.WriteUInt16(FlagFixedNewstyle | FlagNoZeroes);
        _output.Flush();

        var clientFlagsBytes = _header.AsSpan(0, 4);
        _input.ReadRequired(clientFlagsBytes);
        var clientFlags = BinaryPrimitives.ReadUInt32BigEndian(clientFlagsBytes);
        if ((clientFlags & ~(ClientFlagFixedNewstyle | ClientFlagNoZeroes)) != 0)
            throw new NbdProtocolException($"unknown client flags 0x{clientFlags:x8}");
        _noZeroes = (clientFlags & ClientFlagNoZeroes) != 0;

        while (true)
        {
            if (!_input.ReadExactly(_header)) return false;
            var magic = BinaryPrimitives.ReadUInt64BigEndian(_header);
            var option = BinaryPrimitives.ReadUInt32BigEndian(_header.AsSpan(8));
            var length = BinaryPrimitives.ReadUInt32BigEndian(_header.AsSpan(12));
            if (magic != IHaveOpt) throw new NbdProtocolException($"bad option magic 0x{magic:x16}");
            if (length > MaxOptionLength)
            {
                // The payload is not worth reading, and without reading it the stream is out of step: say why, then close.
                Reply(option, RepErrTooBig, "option data too long");
                _output.Flush();
                throw new NbdProtocolException($"option {option} with {length} bytes of data");
            }

            var data = ArrayPool<byte>.Shared.Rent((int)length);
            try
            {
                var payload = data.AsSpan(0, (int)length);
                _input.ReadRequired(payload);
                var outcome = HandleOption(option, payload);
                _output.Flush();
                if (outcome is not null) return outcome.Value;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(data);
            }
        }
    }

    /// <summary>null: go on with the next option; true: transmission; false: the client aborted.</summary>
    bool? HandleOption(uint option, ReadOnlySpan<byte> data)
    {
        switch (option)
        {
            case OptExportName:
            {
                var name = Encoding.UTF8.GetString(data);
                // This option has no error reply: an unknown name can only be refused by closing.
                if (!Matches(name)) throw new NbdProtocolException($"unknown export '{Printable(name)}' (NBD_OPT_EXPORT_NAME)");
                _output.WriteUInt64((ulong)_device.Size);
                _output.WriteUInt16(TransmissionFlags(_device));
                if (!_noZeroes) _output.Reserve(124).Clear();
                return true;
            }
            case OptAbort:
                Reply(option, RepAck, []);
                return false;
            case OptList:
                if (data.Length != 0)
                {
                    Reply(option, RepErrInvalid, "NBD_OPT_LIST takes no data");
                    return null;
                }
                var nameBytes = Encoding.UTF8.GetBytes(_exportName);
                var server = new byte[4 + nameBytes.Length];
                BinaryPrimitives.WriteUInt32BigEndian(server, (uint)nameBytes.Length);
                nameBytes.CopyTo(server, 4);
                Reply(option, RepServer, server);
                Reply(option, RepAck, []);
                return null;
            case OptInfo:
            case OptGo:
                return InfoOrGo(option, data) && option == OptGo ? true : null;
            case OptStartTls:
                Reply(option, RepErrUnsup, "TLS is not supported");
                return null;
            case OptStructuredReply:
            case OptListMetaContext:
            case OptSetMetaContext:
            case OptExtendedHeaders:
                Reply(option, RepErrUnsup, "only simple replies are supported");
                return null;
            default:
                Reply(option, RepErrUnsup, $"option {option} is not supported");
                return null;
        }
    }

    /// <summary>NBD_OPT_INFO / NBD_OPT_GO; true when the export was described and acknowledged.</summary>
    bool InfoOrGo(uint option, ReadOnlySpan<byte> data)
    {
        var error = ParseInfoRequest(data, out var name, out var wantsName);
        if (error is not null)
        {
            Reply(option, RepErrInvalid, error);
            return false;
        }

        if (!Matches(name))
        {
            Reply(option, RepErrUnknown, $"no export named '{Printable(name)}'");
            return false;
        }

        var export = new byte[12];
        BinaryPrimitives.WriteUInt16BigEndian(export, InfoExport);
        BinaryPrimitives.WriteUInt64BigEndian(export.AsSpan(2), (ulong)_device.Size);
        BinaryPrimitives.WriteUInt16BigEndian(export.AsSpan(10), TransmissionFlags(_device));
        Reply(option, RepInfo, export);

        var blockSize = new byte[14];
        BinaryPrimitives.WriteUInt16BigEndian(blockSize, InfoBlockSize);
        BinaryPrimitives.WriteUInt32BigEndian(blockSize.AsSpan(2), MinBlockSize);
        BinaryPrimitives.WriteUInt32BigEndian(blockSize.AsSpan(6), PreferredBlockSize);
        BinaryPrimitives.WriteUInt32BigEndian(blockSize.AsSpan(10), MaxPayload);
        Reply(option, RepInfo, blockSize);

        if (wantsName)
        {
            var nameBytes = Encoding.UTF8.GetBytes(_exportName);
            var info = new byte[2 + nameBytes.Length];
            BinaryPrimitives.WriteUInt16BigEndian(info, InfoName);
            nameBytes.CopyTo(info, 2);
            Reply(option, RepInfo, info);
        }

        Reply(option, RepAck, []);
        return true;
    }

    /// <summary>Reads NBD_OPT_INFO/GO data (name length, name, count of info requests, the requests); an error text when malformed.</summary>
    static string? ParseInfoRequest(ReadOnlySpan<byte> data, out string name, out bool wantsName)
    {
        name = "";
        wantsName = false;
        if (data.Length < 6) return "option data too short";
        var nameLength = BinaryPrimitives.ReadUInt32BigEndian(data);
        if (nameLength > (uint)data.Length - 6) return "export name length exceeds the option data";
        name = Encoding.UTF8.GetString(data.Slice(4, (int)nameLength));
        var rest = data[(4 + (int)nameLength)..];
        var requests = BinaryPrimitives.ReadUInt16BigEndian(rest);
        if (rest.Length != 2 + 2 * requests) return "information request count does not match the option data";
        for (var i = 0; i < requests; i++)
            wantsName |= BinaryPrimitives.ReadUInt16BigEndian(rest[(2 + 2 * i)..]) == InfoName;
        return null;
    }

    bool Matches(string name) => name.Length == 0 || string.Equals(name, _exportName, StringComparison.Ordinal);

    void Reply(uint option, uint type, string message)
    {
        // Clients probe for structured replies and TLS on every connection; only real mistakes are worth a line.
        if (type != RepErrUnsup || option is not (OptStructuredReply or OptStartTls or OptListMetaContext or OptSetMetaContext or OptExtendedHeaders))
            _log($"nbd: option {option} refused (0x{type:x8}): {message}");
        Reply(option, type, Encoding.UTF8.GetBytes(message));
    }

    void Reply(uint option, uint type, ReadOnlySpan<byte> payload)
    {
        var header = _output.Reserve(OptionReplyHeaderSize);
        BinaryPrimitives.WriteUInt64BigEndian(header, OptionReplyMagic);
        BinaryPrimitives.WriteUInt32BigEndian(header[8..], option);
        BinaryPrimitives.WriteUInt32BigEndian(header[12..], type);
        BinaryPrimitives.WriteUInt32BigEndian(header[16..], (uint)payload.Length);
        _output.Write(payload);
    }

    static string Printable(string name) => name.Length > 64 ? name[..64] + "…" : name;
}
