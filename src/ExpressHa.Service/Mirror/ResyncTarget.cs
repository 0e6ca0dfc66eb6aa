using System.Text.Json;

namespace ExpressHa.Service.Mirror;

/// <summary>Bitmap resync, target side: applies the source's blocks. The target persists SyncTargetInProgress
/// (Inconsistent) from SyncBegin until SyncEnd gives it the source's generation, so a restart resumes; the state
/// changes are reported to <see cref="ResyncProgress"/>.</summary>
internal sealed class ResyncTarget(MirrorSide side)
{
    MirrorOptions O => side.O;

    public async Task OnSyncBeginAsync(MirrorSession s, MirrorFrame f)
    {
        var bits = side.Progress.TargetBegan(s, (ulong)f.A, f.B);
        side.Log($"resync from {O.PeerNode} started ({f.B} blocks)");
        await s.Link.SendAsync(new MirrorFrame(FrameType.TargetBitmap, f.Id, Payload: bits), s.Token).ConfigureAwait(false);
    }

    public void OnResyncBlock(MirrorFrame f)
    {
        var copy = side.OpenCopy;
        long offset = f.A * side.BlockSize;
        if (f.A < 0 || offset >= O.SizeBytes || offset + f.Payload.Length > O.SizeBytes)
            throw new InvalidDataException($"resync block {f.A} is outside the device");
        int len;
        if ((f.Flags & MirrorFrame.FlagZero) != 0)
        {
            len = (int)Math.Min(side.BlockSize, O.SizeBytes - offset);
            copy.WriteZeroes(offset, len);
        }
        else
        {
            len = f.Payload.Length;
            RandomAccess.Write(copy.Handle, f.Payload.Span, offset);
        }
        side.Progress.TargetReceived(len, f.B);
    }

    public void OnSyncEnd(MirrorSession s, MirrorFrame f)
    {
        var msg = JsonSerializer.Deserialize<ResyncSource.SyncEndMsg>(f.Payload.Span) ?? throw new InvalidDataException("empty SyncEnd");
        side.OpenCopy.Flush();
        long bytes = side.Progress.TargetFinished(s, msg.Current, msg.History1, msg.History2);
        side.Log($"resync from {O.PeerNode} finished ({bytes} bytes); generation {Generations.Hex(msg.Current)}");
    }
}
