using System.Net.WebSockets;

namespace Sock.Pipes.WebSockets;

/// <summary>What a WebSocket listener accepts: the path, a subprotocol to agree to, message limits.</summary>
public sealed record WebSocketServerOptions
{
    /// <summary>The request path clients must ask for (query ignored); null accepts any path.</summary>
    public string? Path { get; init; }

    /// <summary>A subprotocol to agree to when the client offers it.</summary>
    public string? Subprotocol { get; init; }

    /// <summary>How often we ping an idle peer; null: never (the peer's pings are always answered).</summary>
    public TimeSpan? KeepAlive { get; init; }

    /// <summary>The client must complete its upgrade request within this.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(15);
}

/// <summary>
/// Turns an accepted stream connection (TCP, Unix, TLS) into a server-side WebSocket: reads the upgrade
/// request (at most 16 KiB), refuses a wrong path or a non-WebSocket request with a plain HTTP error
/// saying why, answers 101, then hands the stream to <see cref="WebSocket.CreateFromStream(Stream, WebSocketCreationOptions)"/>
/// (which answers pings and validates UTF-8 in text messages). No ASP.NET Core needed.
/// </summary>
public static class WebSocketServer
{
    public static async Task<WebSocketSession> AcceptAsync(PipeConnection connection, WebSocketServerOptions options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(options);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(options.HandshakeTimeout);
        var buffer = new byte[1024];
        var have = 0;
        WebSocketHandshake.Verdict verdict;
        try
        {
            while (true)
            {
                verdict = WebSocketHandshake.Parse(buffer.AsSpan(0, have));
                if (!verdict.Incomplete) break;
                if (have == buffer.Length) Array.Resize(ref buffer, Math.Min(buffer.Length * 2, WebSocketHandshake.MaxRequestHead));
                var n = await connection.Stream.ReadAsync(buffer.AsMemory(have), deadline.Token);
                if (n == 0) throw new SockException(have == 0 ? "closed before sending a WebSocket upgrade request" : "closed in the middle of its WebSocket upgrade request");
                have += n;
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new SockException($"no WebSocket upgrade request within {options.HandshakeTimeout.TotalSeconds:0.###} s");
        }
        catch (IOException e)
        {
            throw new SockException($"WebSocket handshake failed: {e.Message}", e);
        }
        var request = verdict.Request;
        if (request is not null && options.Path is { } path && !PathMatches(request.Path, path))
            verdict = new(null, 404, $"no WebSocket at {Clip(request.Path)} (this one is at {path})");
        if (verdict.Request is null)
        {
            try { await connection.Stream.WriteAsync(WebSocketHandshake.Refusal(verdict.Status, verdict.Reason), ct); }
            catch (IOException) { }
            throw new SockException($"refused a WebSocket upgrade: {verdict.Reason} (HTTP {verdict.Status})");
        }
        request = verdict.Request;
        var subprotocol = options.Subprotocol is { } wanted && request.Subprotocols.Contains(wanted) ? wanted : null;
        await connection.Stream.WriteAsync(WebSocketHandshake.SwitchingProtocols(request.Key, subprotocol), ct);
        // A client may not send frames before our 101, but if it did they are already in the buffer: keep them.
        var stream = have > request.Length ? new PrefixedStream(buffer.AsMemory(request.Length, have - request.Length).ToArray(), connection.Stream) : connection.Stream;
        var socket = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions
        {
            IsServer = true,
            SubProtocol = subprotocol,
            KeepAliveInterval = options.KeepAlive ?? Timeout.InfiniteTimeSpan,
        });
        return new WebSocketSession(socket, connection, request.Path, subprotocol);
    }

    private static bool PathMatches(string requested, string path)
    {
        var query = requested.IndexOf('?', StringComparison.Ordinal);
        return (query < 0 ? requested : requested[..query]) == path;
    }

    private static string Clip(string s) => s.Length > 64 ? s[..64] + "…" : s;
}
