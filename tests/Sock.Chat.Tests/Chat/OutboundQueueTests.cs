using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Sock.Chat.Transport;

namespace Sock.Tests.Chat;

public class OutboundQueueTests
{
    [Fact]
    public async Task CoalescesPendingMessagesIntoOneWrite()
    {
        var q = new OutboundQueue(1024);
        for (var i = 0; i < 5; i++) Assert.True(q.Enqueue(Encoding.ASCII.GetBytes($"m{i}\n")));
        q.Complete();
        var sink = new CountingStream();
        await q.WriteLoopAsync(sink, TestContext.Current.CancellationToken);
        Assert.Equal("m0\nm1\nm2\nm3\nm4\n", Encoding.ASCII.GetString(sink.ToArray()));
        Assert.Equal(1, sink.Writes);
    }

    [Fact]
    public async Task OverflowTripsOnceRejectsMoreAndFinalMessageReplacesPending()
    {
        var q = new OutboundQueue(10);
        var tripped = 0;
        q.Overflowed += () => tripped++;
        Assert.True(q.Enqueue("12345678"u8));
        Assert.False(q.Enqueue("abc"u8));
        Assert.False(q.Enqueue("d"u8));
        Assert.Equal(1, tripped);
        q.ReplaceWithFinal("bye\n"u8);
        var sink = new CountingStream();
        await q.WriteLoopAsync(sink, TestContext.Current.CancellationToken);
        Assert.Equal("bye\n", Encoding.ASCII.GetString(sink.ToArray()));
    }

    [Fact]
    public async Task CoalescerSendsEverythingInOrderAndTheWriterEndsWhenCompleted()
    {
        var ct = TestContext.Current.CancellationToken;
        var (server, client) = await ConnectedPairAsync();
        using var coalescer = new SendCoalescer();
        var stream = new NetworkStream(server); // as the server does: the stream exists before the queue
        var q = new OutboundQueue(1 << 20, coalescer, server);
        Assert.False(server.Blocking); // the coalescer's sends must never block its thread
        var writer = q.WriteLoopAsync(stream, ct);
        var expected = new StringBuilder();
        // From several threads at once, as fan-outs from several rooms would: each thread's lines in order.
        Parallel.For(0, 4, t =>
        {
            for (var i = 0; i < 2000; i++) Assert.True(q.Enqueue(Encoding.ASCII.GetBytes($"{t}:{i}\n")));
        });
        q.Complete();
        await writer.WaitAsync(TimeSpan.FromSeconds(10), ct);
        server.Shutdown(SocketShutdown.Send);
        var lines = Encoding.ASCII.GetString(await ReadToEndAsync(client, ct)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(8000, lines.Length);
        for (var t = 0; t < 4; t++)
            Assert.Equal(Enumerable.Range(0, 2000).Select(i => $"{t}:{i}"), lines.Where(l => l.StartsWith($"{t}:", StringComparison.Ordinal)));
        server.Dispose();
        client.Dispose();
    }

    [Fact]
    public async Task WhatASlowReaderCannotTakeYetGoesToTheWriterAndArrivesIntact()
    {
        var ct = TestContext.Current.CancellationToken;
        var (server, client) = await ConnectedPairAsync();
        using var coalescer = new SendCoalescer();
        server.SendBufferSize = client.ReceiveBufferSize = 64 * 1024;
        var stream = new NetworkStream(server);
        var q = new OutboundQueue(64 << 20, coalescer, server);
        var writer = q.WriteLoopAsync(stream, ct);
        // 16 MiB while nobody reads: far more than the socket buffers, so sends come back short.
        var data = RandomNumberGenerator.GetBytes(16 << 20);
        for (var off = 0; off < data.Length; off += 4096) Assert.True(q.Enqueue(data.AsSpan(off, 4096)));
        await Task.Delay(200, ct);
        q.Complete();
        var received = await ReadToEndAsync(client, ct, data.Length);
        await writer.WaitAsync(TimeSpan.FromSeconds(10), ct);
        Assert.Equal(SHA256.HashData(data), SHA256.HashData(received));
        server.Dispose();
        client.Dispose();
    }

    [Fact]
    public async Task APeerThatResetsEndsTheWriterWithAnIOError()
    {
        var ct = TestContext.Current.CancellationToken;
        var (server, client) = await ConnectedPairAsync();
        using var coalescer = new SendCoalescer();
        var stream = new NetworkStream(server);
        var q = new OutboundQueue(1 << 20, coalescer, server);
        var writer = q.WriteLoopAsync(stream, ct);
        client.LingerState = new LingerOption(true, 0); // close with RST
        client.Dispose();
        var error = await Assert.ThrowsAnyAsync<IOException>(async () =>
        {
            for (var i = 0; i < 1000 && !writer.IsCompleted; i++)
            {
                q.Enqueue("hello\n"u8);
                await Task.Delay(5, ct);
            }
            await writer.WaitAsync(TimeSpan.FromSeconds(10), ct);
        });
        Assert.IsType<SocketException>(error.InnerException);
        server.Dispose();
    }

    [Fact]
    public async Task AnOnDemandWriterSendsEachBurstAndIsDoneOnceCompletedAndDrained()
    {
        var ct = TestContext.Current.CancellationToken;
        var q = new OutboundQueue(1 << 20);
        var sink = new CountingStream();
        q.StartOnDemand(sink);
        Assert.True(q.Enqueue("one\n"u8));
        // Nothing parks between bursts: each burst starts a drain that ends once the bytes are out.
        for (var i = 0; i < 200 && q.Pending > 0; i++) await Task.Delay(10, ct);
        Assert.Equal(0, q.Pending);
        Assert.False(q.WhenWriterDone().IsCompleted);
        Assert.True(q.Enqueue("two\n"u8));
        q.Complete();
        await q.WhenWriterDone().WaitAsync(TimeSpan.FromSeconds(10), ct);
        Assert.Equal("one\ntwo\n", Encoding.ASCII.GetString(sink.ToArray()));
    }

    [Fact]
    public async Task AnOnDemandWriterAbortedWhileIdleIsDoneAtOnce()
    {
        var q = new OutboundQueue(1024);
        q.StartOnDemand(new CountingStream());
        q.Abort();
        await q.WhenWriterDone().WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task AnOnDemandWriterWithTheCoalescerCarriesWhatASlowReaderCannotTakeYet()
    {
        var ct = TestContext.Current.CancellationToken;
        var (server, client) = await ConnectedPairAsync();
        using var coalescer = new SendCoalescer();
        server.SendBufferSize = client.ReceiveBufferSize = 64 * 1024;
        var stream = new NetworkStream(server); // before the queue, which makes the socket non-blocking
        var q = new OutboundQueue(64 << 20, coalescer, server);
        var failed = 0;
        q.Events = new FailureCounter(() => Interlocked.Increment(ref failed));
        q.StartOnDemand(stream);
        var data = RandomNumberGenerator.GetBytes(8 << 20);
        for (var off = 0; off < data.Length; off += 4096) Assert.True(q.Enqueue(data.AsSpan(off, 4096)));
        q.Complete();
        var received = await ReadToEndAsync(client, ct, data.Length);
        await q.WhenWriterDone().WaitAsync(TimeSpan.FromSeconds(10), ct);
        Assert.Equal(SHA256.HashData(data), SHA256.HashData(received));
        Assert.Equal(0, failed);
        server.Dispose();
        client.Dispose();
    }

    private sealed class FailureCounter(Action failed) : IQueueEvents
    {
        public void Overflowed() { }
        public void WriteFailed() => failed();
    }

    private static async Task<(Socket Server, Socket Client)> ConnectedPairAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(listener.LocalEndPoint!);
        return (await listener.AcceptAsync(), client);
    }

    private static async Task<byte[]> ReadToEndAsync(Socket s, CancellationToken ct, int limit = int.MaxValue)
    {
        var all = new MemoryStream();
        var buffer = new byte[64 * 1024];
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        while (all.Length < limit)
        {
            var n = await s.ReceiveAsync(buffer, timeout.Token);
            if (n == 0) break;
            all.Write(buffer, 0, n);
        }
        return all.ToArray();
    }

    private sealed class CountingStream : MemoryStream
    {
        public int Writes { get; private set; }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Writes++;
            return base.WriteAsync(buffer, cancellationToken);
        }
    }
}
