using System.Buffers;
using System.Net.WebSockets;
using System.Text;

namespace Sock.Pipes.WebSockets;

/// <summary>How stdin and stdout map onto messages.</summary>
public sealed record WebSocketPumpOptions
{
    /// <summary>
    /// Text mode (the default, as websocat): each input line is one text message (the newline not sent),
    /// and each text message received is written followed by a newline. Binary mode: input is sent in
    /// binary messages as it is read, and every message received is written as it is.
    /// </summary>
    public bool Text { get; init; } = true;

    /// <summary>Read size: also the largest piece of a message held at once, so a huge frame never costs more.</summary>
    public int BufferSize { get; init; } = 64 * 1024;

    /// <summary>
    /// Input that ends before giving a single byte (<c>&lt; /dev/null</c>) sends no close: we only receive
    /// until the peer closes, as a listener given no input does. False for listeners; a WebSocket has no
    /// half-close, so a close sent at once would stop the peer mid-stream.
    /// </summary>
    public bool CloseOnEmptyInput { get; init; } = true;

    /// <summary>After we send our close, how long to wait for the peer's.</summary>
    public TimeSpan CloseTimeout { get; init; } = TimeSpan.FromSeconds(5);
}

/// <summary>What happened: bytes and messages each way, and who closed with what.</summary>
public sealed record WebSocketPumpResult(long BytesOut, long BytesIn, long MessagesOut, long MessagesIn,
    WebSocketCloseStatus? CloseStatus, string? CloseDescription, bool ClosedByPeer, string? Error);

/// <summary>
/// Pipes stdin/stdout through a WebSocket (websocat's job), in text or binary mode, with bounded memory:
/// messages are streamed piece by piece in both directions (a 1 GiB frame is written out 64 KiB at a
/// time, a long input line goes out as fragments), so no message is ever held whole. Pings are answered
/// by the WebSocket itself; invalid UTF-8 in a received text message closes with 1007.
/// </summary>
public static class WebSocketPump
{
    public static async Task<WebSocketPumpResult> RunAsync(WebSocket ws, Stream input, Stream output, WebSocketPumpOptions options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(ws);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(options);
        using var stopSending = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var counts = new Counts();
        var receive = ReceiveAsync(ws, output, options, counts, ct);
        var send = SendAsync(ws, input, options, counts, stopSending.Token);
        var first = await Task.WhenAny(receive, send);
        string? error;
        if (first == send)
        {
            error = await send;
            if (error == ReceiveOnly)
            {
                var (onlyError, onlyByPeer) = await receive;
                if (onlyByPeer && ws.State == WebSocketState.CloseReceived)
                    await CloseQuietlyAsync(ws, ws.CloseStatus ?? WebSocketCloseStatus.NormalClosure, null, ct);
                return counts.Result(ws, onlyByPeer, onlyError);
            }
            if (error is not null)
            {
                // Our side failed (input not UTF-8 in text mode): say so to the peer, then stop.
                await CloseQuietlyAsync(ws, WebSocketCloseStatus.InvalidPayloadData, "input is not UTF-8", ct);
                ws.Abort();
                await receive;
                return counts.Result(ws, closedByPeer: false, error);
            }
            // Input ended and our close is sent: wait a while for the peer's close and any last messages.
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
            wait.CancelAfter(options.CloseTimeout);
            if (await Task.WhenAny(receive, Task.Delay(Timeout.Infinite, wait.Token)).ConfigureAwait(false) != receive) ws.Abort();
            var (peerError, _) = await receive;
            return counts.Result(ws, closedByPeer: false, peerError); // the close we got answers ours
        }
        var (receiveError, closeReceived) = await receive;
        // Our close may be on its way while the peer's answer arrives first: then the peer did not close.
        var closedByPeer = closeReceived && !counts.SentClose;
        // Answer the peer's close at once: the send side may be blocked reading input (a terminal, a pipe
        // held open), and a read of stdin cannot always be cancelled.
        if (closeReceived && ws.State == WebSocketState.CloseReceived)
            await CloseQuietlyAsync(ws, ws.CloseStatus ?? WebSocketCloseStatus.NormalClosure, null, ct);
        await stopSending.CancelAsync();
        await Task.WhenAny(send, Task.Delay(TimeSpan.FromMilliseconds(200), CancellationToken.None));
        return counts.Result(ws, closedByPeer, receiveError);
    }

    private sealed class Counts
    {
        public long BytesOut, BytesIn, MessagesOut, MessagesIn;
        public volatile bool SentClose;

        public WebSocketPumpResult Result(WebSocket ws, bool closedByPeer, string? error) =>
            new(BytesOut, BytesIn, MessagesOut, MessagesIn, ws.CloseStatus, ws.CloseStatusDescription, closedByPeer, error);
    }

    /// <summary>What <see cref="SendAsync"/> returns when input was empty and we only receive.</summary>
    private const string ReceiveOnly = "\0receive-only";

    /// <summary>Input to messages; null when input ended (our close sent), <see cref="ReceiveOnly"/>, else why it failed.</summary>
    private static async Task<string?> SendAsync(WebSocket ws, Stream input, WebSocketPumpOptions options, Counts counts, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(options.BufferSize);
        var validator = new UTF8Encoding(false, throwOnInvalidBytes: true).GetDecoder();
        var chars = ArrayPool<char>.Shared.Rent(options.BufferSize + 1);
        var line = 1;
        var inMessage = false; // text mode: fragments of the current line already sent
        try
        {
            while (true)
            {
                int n;
                try
                {
                    n = await input.ReadAsync(buffer.AsMemory(0, options.BufferSize), ct);
                }
                catch (OperationCanceledException)
                {
                    return null;
                }
                if (n == 0)
                {
                    if (counts.BytesOut == 0 && !inMessage && counts.MessagesOut == 0 && !options.CloseOnEmptyInput) return ReceiveOnly;
                    break;
                }
                if (!options.Text)
                {
                    await ws.SendAsync(buffer.AsMemory(0, n), WebSocketMessageType.Binary, true, ct);
                    counts.BytesOut += n;
                    counts.MessagesOut++;
                    continue;
                }
                var start = 0;
                while (start < n)
                {
                    var newline = Array.IndexOf(buffer, (byte)'\n', start, n - start);
                    var end = newline < 0 ? n : newline;
                    var piece = buffer.AsMemory(start, end - start);
                    if (newline >= 0 && piece.Length > 0 && piece.Span[^1] == '\r') piece = piece[..^1];
                    try
                    {
                        validator.GetChars(piece.Span, chars, flush: newline >= 0);
                    }
                    catch (DecoderFallbackException)
                    {
                        return $"input line {line} is not UTF-8: a text message must be (use --binary to send bytes)";
                    }
                    if (newline >= 0 || piece.Length > 0)
                        await ws.SendAsync(piece, WebSocketMessageType.Text, endOfMessage: newline >= 0, ct);
                    counts.BytesOut += piece.Length;
                    if (newline >= 0)
                    {
                        counts.MessagesOut++;
                        line++;
                        inMessage = false;
                        start = newline + 1;
                    }
                    else
                    {
                        inMessage = piece.Length > 0 || inMessage;
                        start = n;
                    }
                }
            }
            if (inMessage) // a last line without a newline is still a message
            {
                await ws.SendAsync(ReadOnlyMemory<byte>.Empty, WebSocketMessageType.Text, true, ct);
                counts.MessagesOut++;
            }
            if (ws.State == WebSocketState.Open)
            {
                counts.SentClose = true;
                await ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, ct);
            }
            return null;
        }
        catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            return null; // the connection is going away: the receive side reports why
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    /// <summary>Messages to output, piece by piece; returns the error (if any) and whether the peer sent a close.</summary>
    private static async Task<(string? Error, bool ClosedByPeer)> ReceiveAsync(WebSocket ws, Stream output, WebSocketPumpOptions options, Counts counts, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(options.BufferSize);
        try
        {
            while (true)
            {
                var got = await ws.ReceiveAsync(buffer.AsMemory(0, options.BufferSize), ct);
                if (got.MessageType == WebSocketMessageType.Close) return (null, true);
                await output.WriteAsync(buffer.AsMemory(0, got.Count), ct);
                counts.BytesIn += got.Count;
                if (!got.EndOfMessage) continue;
                counts.MessagesIn++;
                if (options.Text && got.MessageType == WebSocketMessageType.Text) await output.WriteAsync("\n"u8.ToArray(), ct);
                await output.FlushAsync(ct);
            }
        }
        catch (WebSocketException e)
        {
            if (ws.State == WebSocketState.Aborted && ws.CloseStatus is null && e.WebSocketErrorCode == WebSocketError.InvalidState) return (null, false);
            return (Describe(ws, e), false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return (null, false); // aborted after our close went unanswered
        }
        catch (IOException e)
        {
            return ($"websocket: {e.Message}", false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The receive failure in words: invalid UTF-8, a protocol error, or the connection lost without a close.</summary>
    internal static string Describe(WebSocket ws, WebSocketException e) => ws.CloseStatus switch
    {
        // .NET closes with 1007 on invalid UTF-8 and throws its generic "Faulted" exception, with no message
        // of its own and no inner exception; its protocol errors (1002) carry a message.
        null when e.WebSocketErrorCode == WebSocketError.Faulted && e.InnerException is null && e.Message == GenericFault =>
            "websocket: the peer sent invalid UTF-8 in a text message; closed with 1007 invalid payload",
        null when e.WebSocketErrorCode == WebSocketError.Faulted && e.InnerException is null =>
            $"websocket: the peer broke the protocol ({e.Message}); closed with 1002 protocol error",
        WebSocketCloseStatus.InvalidPayloadData => "websocket: the peer sent invalid UTF-8 in a text message; closed with 1007 invalid payload",
        WebSocketCloseStatus.ProtocolError => $"websocket: the peer broke the protocol ({e.Message}); closed with 1002 protocol error",
        WebSocketCloseStatus.MessageTooBig => "websocket: the peer's message is too big; closed with 1009 message too big",
        _ when e.WebSocketErrorCode == WebSocketError.ConnectionClosedPrematurely => "websocket: connection lost without a close frame (1006 abnormal closure)",
        _ => $"websocket: {e.Message}",
    };

    private static readonly string GenericFault = new WebSocketException(WebSocketError.Faulted).Message;

    private static async Task CloseQuietlyAsync(WebSocket ws, WebSocketCloseStatus status, string? reason, CancellationToken ct)
    {
        try
        {
            if (ws.State is WebSocketState.Open or WebSocketState.CloseReceived) await ws.CloseOutputAsync(status, reason, ct);
        }
        catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }
}
