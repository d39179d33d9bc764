using System.Buffers;
using System.Net.WebSockets;

namespace Sock.Chat.Transport;

/// <summary>
/// IRC over WebSocket (IRCv3 WebSocket spec) as a stream of lines, so the IRC session runs over it
/// unchanged: each incoming message becomes one line (a trailing CR/LF dropped, CRLF appended), and
/// each outgoing line becomes one message without its CRLF, in text frames (binary ones when the
/// client asked for <c>binary.ircv3.net</c>). A message longer than the line limit closes the socket
/// with 1009; invalid UTF-8 in a text frame is refused by the WebSocket itself with 1007.
/// </summary>
public sealed class WebSocketLineStream(WebSocket socket, WebSocketMessageType outgoing, int maxLineBytes) : Stream
{
    private static readonly TimeSpan CloseWait = TimeSpan.FromSeconds(2);
    private byte[]? _message;       // the received line (with CRLF) not yet read, rented
    private int _offset, _length;
    private byte[]? _partial;       // an outgoing line still waiting for its newline
    private int _partialLength;
    private bool _eof;

    public const string TextProtocol = "text.ircv3.net";
    public const string BinaryProtocol = "binary.ircv3.net";

    /// <summary>The subprotocol to answer: the client's first that we speak, or none (text frames).</summary>
    public static string? ChooseProtocol(IEnumerable<string> requested) =>
        requested.FirstOrDefault(p => p is TextProtocol or BinaryProtocol);

    public WebSocket Socket => socket;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        // A zero-byte read (the session's idle wait) waits for the next message without taking it.
        if (_length == 0 && !_eof) await ReceiveAsync(cancellationToken);
        if (_length == 0 || buffer.IsEmpty) return 0;
        var n = Math.Min(buffer.Length, _length);
        _message.AsMemory(_offset, n).CopyTo(buffer);
        _offset += n;
        _length -= n;
        if (_length == 0) ReturnMessage();
        return n;
    }

    private async ValueTask ReceiveAsync(CancellationToken ct)
    {
        var limit = maxLineBytes + 2; // a line and the CRLF a client may (wrongly) still send
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Min(limit, 4096));
        var used = 0;
        try
        {
            while (true)
            {
                if (used == Math.Min(buffer.Length, limit))
                {
                    if (used == limit)
                    {
                        // One IRC line per message: a bigger message is not a line we take.
                        await CloseAsync(WebSocketCloseStatus.MessageTooBig, $"line longer than {maxLineBytes} bytes", ct);
                        _eof = true;
                        return;
                    }
                    var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, limit));
                    buffer.AsSpan(0, used).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }
                ValueWebSocketReceiveResult r;
                try
                {
                    r = await socket.ReceiveAsync(buffer.AsMemory(used, Math.Min(buffer.Length, limit) - used), ct);
                }
                catch (WebSocketException e)
                {
                    // Invalid UTF-8, a protocol error or a dropped peer: the WebSocket has sent its close.
                    throw new IOException(e.Message, e);
                }
                if (r.MessageType == WebSocketMessageType.Close)
                {
                    if (socket.State == WebSocketState.CloseReceived)
                        await CloseAsync(WebSocketCloseStatus.NormalClosure, "", ct);
                    _eof = true;
                    return;
                }
                used += r.Count;
                if (!r.EndOfMessage) continue;
                while (used > 0 && buffer[used - 1] is (byte)'\n' or (byte)'\r') used--;
                if (used == 0) continue; // an empty message is no line
                if (used + 2 > buffer.Length)
                {
                    var room = ArrayPool<byte>.Shared.Rent(used + 2);
                    buffer.AsSpan(0, used).CopyTo(room);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = room;
                }
                buffer[used++] = (byte)'\r';
                buffer[used++] = (byte)'\n';
                _message = buffer;
                _offset = 0;
                _length = used;
                buffer = null!;
                return;
            }
        }
        finally
        {
            if (buffer is not null) ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void ReturnMessage()
    {
        if (_message is null) return;
        ArrayPool<byte>.Shared.Return(_message);
        _message = null;
    }

    /// <summary>Bytes from the session's queue: whole lines, each sent as its own message.</summary>
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (!buffer.IsEmpty)
        {
            var nl = buffer.Span.IndexOf((byte)'\n');
            if (nl < 0)
            {
                AppendPartial(buffer.Span);
                return;
            }
            ReadOnlyMemory<byte> line;
            if (_partialLength > 0)
            {
                AppendPartial(buffer.Span[..nl]);
                line = _partial.AsMemory(0, _partialLength);
                _partialLength = 0;
            }
            else line = buffer[..nl];
            if (!line.IsEmpty && line.Span[^1] == '\r') line = line[..^1];
            try
            {
                await socket.SendAsync(line, outgoing, endOfMessage: true, cancellationToken);
            }
            catch (WebSocketException e)
            {
                throw new IOException(e.Message, e);
            }
            buffer = buffer[(nl + 1)..];
        }
    }

    private void AppendPartial(ReadOnlySpan<byte> data)
    {
        if (_partial is null || _partialLength + data.Length > _partial.Length)
        {
            var bigger = new byte[Math.Max(256, (_partialLength + data.Length) * 2)];
            _partial?.AsSpan(0, _partialLength).CopyTo(bigger);
            _partial = bigger;
        }
        data.CopyTo(_partial.AsSpan(_partialLength));
        _partialLength += data.Length;
    }

    private async Task CloseAsync(WebSocketCloseStatus status, string reason, CancellationToken ct)
    {
        if (socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived)) return;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(CloseWait);
        try
        {
            await socket.CloseOutputAsync(status, reason, timeout.Token);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException) { }
    }

    public override async ValueTask DisposeAsync()
    {
        await CloseAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
        ReturnMessage();
        socket.Abort();
        await base.DisposeAsync();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            ReturnMessage();
            socket.Abort();
        }
        base.Dispose(disposing);
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("async only");
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("async only");
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    public override void Flush() { }
    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
