using System.Net.WebSockets;

namespace Sock.Pipes.WebSockets;

/// <summary>
/// A WebSocket as a byte stream, for <c>sock forward</c>: reads return message payloads as they arrive
/// (message boundaries dropped, text and binary alike), writes send one binary message each, and
/// <see cref="ShutdownSendAsync"/> sends our close (1000) — the WebSocket's half-close. A read returns 0
/// once the peer's close arrives; <see cref="CloseStatus"/> then says which. Memory: the caller's buffer only.
/// </summary>
public sealed class WebSocketMessageStream(WebSocketSession session) : Stream
{
    private readonly WebSocket _ws = session.WebSocket;

    public WebSocketSession Session => session;
    public WebSocketCloseStatus? CloseStatus => _ws.CloseStatus;
    public string? CloseDescription => _ws.CloseStatusDescription;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            if (_ws.State is WebSocketState.CloseReceived or WebSocketState.Closed) return 0;
            ValueWebSocketReceiveResult got;
            try
            {
                got = await _ws.ReceiveAsync(buffer, cancellationToken);
            }
            catch (WebSocketException e)
            {
                throw new IOException(WebSocketPump.Describe(_ws, e), e);
            }
            if (got.MessageType == WebSocketMessageType.Close) return 0;
            if (got.Count > 0) return got.Count; // an empty message carries nothing for a byte stream
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            await _ws.SendAsync(buffer, WebSocketMessageType.Binary, true, cancellationToken);
        }
        catch (WebSocketException e)
        {
            throw new IOException(WebSocketPump.Describe(_ws, e), e);
        }
    }

    /// <summary>Our close frame: we send no more, the peer may still send until it closes back.</summary>
    public async Task ShutdownSendAsync()
    {
        try
        {
            if (_ws.State is WebSocketState.Open or WebSocketState.CloseReceived)
                await _ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        }
        catch (WebSocketException e)
        {
            throw new IOException(WebSocketPump.Describe(_ws, e), e);
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
    public override void Flush() { }
    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) _ws.Dispose();
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await session.DisposeAsync();
        await base.DisposeAsync();
    }
}
