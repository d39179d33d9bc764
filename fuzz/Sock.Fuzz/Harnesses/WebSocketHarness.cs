using System.Net.WebSockets;
using Sock.Chat.Transport;

namespace Sock.Fuzz;

/// <summary>
/// The bytes a browser sends after the upgrade: client frames parsed by the runtime's server-side
/// WebSocket, turned into lines by <see cref="WebSocketLineStream"/> (what the IRC session reads).
/// The session's read loop (and its writer) catch IOException (a protocol error, invalid UTF-8, a close) and
/// OperationCanceledException; a line must be one CRLF-terminated, non-empty message within the limit.
/// </summary>
public static class WebSocketHarness
{
    private const int MaxLine = 512;

    public static void Run(byte[] input)
    {
        if (input.Length == 0) return;
        var binary = (input[0] & 1) != 0;
        var peer = new FuzzStream(input[1..], chunk: 1 + input[0] / 2);
        var socket = WebSocket.CreateFromStream(peer, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });
        using var lines = new WebSocketLineStream(socket, binary ? WebSocketMessageType.Binary : WebSocketMessageType.Text, MaxLine);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var buffer = new byte[MaxLine * 4]; // more than a line: one read is one whole message
        try
        {
            while (true)
            {
                if (lines.ReadAsync(Memory<byte>.Empty, cts.Token).AsTask().GetAwaiter().GetResult() != 0)
                    throw new FuzzFindingException("a zero-byte read returned bytes");
                var n = lines.ReadAsync(buffer, cts.Token).AsTask().GetAwaiter().GetResult();
                if (n == 0) break;
                var line = buffer.AsSpan(0, n);
                if (n < 3 || line[^2] != '\r' || line[^1] != '\n')
                    throw new FuzzFindingException($"a line of {n} bytes without its CRLF, or empty");
                if (line[^3] is (byte)'\r' or (byte)'\n')
                    throw new FuzzFindingException("a line ending in CR or LF before its CRLF");
                if (n > MaxLine + 4) throw new FuzzFindingException($"a line of {n} bytes, over the limit of {MaxLine}");
                // An answer, in two writes as the send queue may split it (the partial-line path).
                lines.WriteAsync("PONG :"u8.ToArray(), cts.Token).AsTask().GetAwaiter().GetResult();
                lines.WriteAsync("x\r\n"u8.ToArray(), cts.Token).AsTask().GetAwaiter().GetResult();
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException) { }
    }
}
