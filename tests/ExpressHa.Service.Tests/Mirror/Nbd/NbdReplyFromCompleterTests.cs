using System.Collections.Concurrent;
using System.Net;
using ExpressHa.Service.Mirror;
using ExpressHa.Service.Mirror.Nbd;
using static ExpressHa.Service.Mirror.Nbd.NbdProtocol;

namespace ExpressHa.Service.Tests.Mirror.Nbd;

/// <summary>A write that completes later is answered by the thread that completes it (the mirror link's, for a
/// replicated write): that thread must never wait on a client that does not read its replies.</summary>
public sealed class NbdReplyFromCompleterTests
{
    /// <summary>Completes every write on one thread of its own, as the mirror's receive thread completes replicated
    /// writes; between completions it counts ticks, so a test sees whether it was ever held up.</summary>
    sealed class LinkThreadDevice : IBlockDevice, IDisposable
    {
        readonly BlockingCollection<TaskCompletionSource> _queue = new();
        readonly Thread _thread;
        long _ticks, _completed;

        public LinkThreadDevice()
        {
            _thread = new Thread(() =>
            {
                while (!_queue.IsAddingCompleted)
                {
                    // TrySetResult runs the waiting continuation (the reply) inline, on this thread.
                    if (_queue.TryTake(out var write, 1)) { write.TrySetResult(); Interlocked.Increment(ref _completed); }
                    Interlocked.Increment(ref _ticks);
                }
            }) { IsBackground = true, Name = "link-like completer" };
            _thread.Start();
        }

        public long Ticks => Interlocked.Read(ref _ticks);
        public long Completed => Interlocked.Read(ref _completed);
        public long Size => 1 << 20;
        public bool ReadOnly => false;

        public ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, bool fua, CancellationToken ct)
        {
            var done = new TaskCompletionSource();
            _queue.Add(done, ct);
            return new ValueTask(done.Task);
        }

        public ValueTask ReadAsync(long offset, Memory<byte> buffer, CancellationToken ct) => ValueTask.CompletedTask;
        public ValueTask FlushAsync(CancellationToken ct) => ValueTask.CompletedTask;
        public ValueTask WriteZeroesAsync(long offset, long length, bool fua, CancellationToken ct) => ValueTask.CompletedTask;

        public void Dispose()
        {
            _queue.CompleteAdding();
            _thread.Join();
        }
    }

    [Fact]
    public async Task A_client_that_stops_reading_never_holds_up_the_completing_thread_and_gets_every_reply_in_order()
    {
        using var device = new LinkThreadDevice();
        var server = new NbdServer("dev", device);
        await server.StartAsync("127.0.0.1:0", CancellationToken.None);
        await using var _ = server;
        using var c = await RawNbdClient.ConnectAsync(((IPEndPoint)server.LocalEndPoint!).Port);
        await c.HandshakeAsync("dev");

        // Pipelined writes, no reply read, until the server stalls: its replies fill the socket buffers, so it stops
        // taking requests and the sender blocks.
        const int Batch = 1000;
        long sent = 0;
        var stop = false;
        var sender = Task.Run(async () =>
        {
            while (!Volatile.Read(ref stop))
            {
                var batch = new List<byte>(Batch * RequestSize);
                var first = Interlocked.Read(ref sent);
                for (var i = 0; i < Batch; i++) batch.AddRange(RawNbdClient.Request(CmdWrite, (ulong)(first + i), 0, 0));
                await c.SendAsync([.. batch]);
                Interlocked.Add(ref sent, Batch);
            }
        });
        long last = -1;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (device.Completed != last)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the server never stalled ({device.Completed} writes completed)");
            last = device.Completed;
            await Task.Delay(500);
        }
        Assert.True(last > 0);

        // Stalled on the client: the completing thread goes on (a reply it could not send waits for the connection's thread).
        var ticks = device.Ticks;
        await Task.Delay(300);
        Assert.True(device.Ticks > ticks + 10, $"the completing thread is held up by the client ({device.Ticks - ticks} ticks in 300 ms)");

        Volatile.Write(ref stop, true);
        for (ulong i = 0; ; i++)
        {
            // Every reply of the batches sent is read: the batch still in flight can reach the server and complete.
            while (i == (ulong)Interlocked.Read(ref sent) && !sender.IsCompleted) await Task.Delay(1);
            if (i == (ulong)Interlocked.Read(ref sent)) break;
            Assert.Equal((0u, i), await c.ReadSimpleReplyAsync());
        }
        await sender;
        Assert.Equal(sent, device.Completed);
    }
}
