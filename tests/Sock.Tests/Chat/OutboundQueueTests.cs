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
