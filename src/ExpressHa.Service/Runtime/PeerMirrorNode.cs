using ExpressHa.Api;
using ExpressHa.Client;
using ExpressHa.Service.Api;

namespace ExpressHa.Service.Runtime;

/// <summary>Another node's mirror copies, through its internal mirror routes. A fresh client per call (the factory
/// takes the timeout the call needs: a pre-command may run for minutes).</summary>
public sealed class PeerMirrorNode(string node, Func<TimeSpan, PeerClient> connect) : IMirrorNode
{
    static readonly TimeSpan Short = TimeSpan.FromSeconds(10);
    static readonly TimeSpan Normal = TimeSpan.FromSeconds(60);

    public async Task<IReadOnlyList<MirrorStatus>> GetMirrorsAsync(CancellationToken ct)
    {
        using var c = connect(Short);
        return await c.GetLocalMirrorsAsync(ct);
    }

    public Task<OperationResult> SuspendAsync(string mirror, CancellationToken ct) => Op(Normal, c => c.SuspendLocalMirrorAsync(mirror, ct));
    public Task<OperationResult> ResumeAsync(string mirror, CancellationToken ct) => Op(Normal, c => c.ResumeLocalMirrorAsync(mirror, ct));
    public Task<OperationResult> RepairAsync(string mirror, string source, CancellationToken ct) => Op(Normal, c => c.RepairLocalMirrorAsync(mirror, source, ct));
    public Task<OperationResult> OutdateAsync(string mirror, CancellationToken ct) => Op(Normal, c => c.OutdateMirrorAsync(mirror, ct));

    public Task<OperationResult> RunCommandAsync(string mirror, string command, int timeoutSeconds, CancellationToken ct)
        => Op(TimeSpan.FromSeconds(timeoutSeconds + 30), c => c.RunMirrorCommandAsync(mirror, command, timeoutSeconds, ct));

    public Task<JobStart> StartCopyOutAsync(string mirror, string path, CancellationToken ct) => Start(c => c.StartCopyOutAsync(mirror, path, ct));
    public Task<JobStart> StartRestoreAsync(string mirror, string path, CancellationToken ct) => Start(c => c.StartLocalRestoreAsync(mirror, path, ct));

    public async Task<JobStatus?> GetJobAsync(string id, CancellationToken ct)
    {
        using var c = connect(Short);
        try
        {
            return await c.GetJobAsync(id, ct);
        }
        catch (HaApiException ex) when (ex.StatusCode == 404)
        {
            return null;
        }
    }

    async Task<OperationResult> Op(TimeSpan timeout, Func<PeerClient, Task<OperationResult>> call)
    {
        try
        {
            using var c = connect(timeout);
            return await call(c);
        }
        catch (Exception ex) when (IsTransport(ex))
        {
            return Unreachable(ex);
        }
    }

    async Task<JobStart> Start(Func<PeerClient, Task<JobStatus>> call)
    {
        try
        {
            using var c = connect(Normal);
            return JobStart.Started(await call(c));
        }
        catch (HaApiException ex) when (ex.StatusCode is 404 or 409)
        {
            return JobStart.Refused(ex.Code, ex.Message);
        }
        catch (Exception ex) when (IsTransport(ex))
        {
            return JobStart.Refused(Unreachable(ex));
        }
    }

    static bool IsTransport(Exception ex) => ex is HaApiException or HttpRequestException or TaskCanceledException;

    OperationResult Unreachable(Exception ex)
        => OperationResult.Failure(ex is HaApiException h && h.StatusCode != 0 ? h.Code : ErrorCodes.PeerUnreachable, $"{node}: {ex.Message}");
}
