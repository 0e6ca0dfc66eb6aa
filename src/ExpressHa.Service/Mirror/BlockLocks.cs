namespace ExpressHa.Service.Mirror;

/// <summary>Striped per-block locks: a write and a resync read of the same block never interleave.
/// Ranges take their stripes in ascending order (no deadlock).</summary>
public sealed class BlockLocks
{
    const int Stripes = 1024;
    readonly SemaphoreSlim[] _locks = Enumerable.Range(0, Stripes).Select(_ => new SemaphoreSlim(1, 1)).ToArray();

    public async ValueTask<Releaser> AcquireAsync(long firstBlock, long lastBlock, CancellationToken ct)
    {
        int[] stripes = lastBlock - firstBlock + 1 >= Stripes
            ? Enumerable.Range(0, Stripes).ToArray()
            : Enumerable.Range(0, (int)(lastBlock - firstBlock + 1)).Select(i => (int)((firstBlock + i) % Stripes)).Distinct().Order().ToArray();
        int taken = 0;
        try
        {
            for (; taken < stripes.Length; taken++) await _locks[stripes[taken]].WaitAsync(ct).ConfigureAwait(false);
        }
        catch
        {
            for (int i = 0; i < taken; i++) _locks[stripes[i]].Release();
            throw;
        }
        return new Releaser(this, stripes);
    }

    public readonly struct Releaser(BlockLocks owner, int[] stripes) : IDisposable
    {
        public void Dispose() { foreach (var s in stripes) owner._locks[s].Release(); }
    }
}
