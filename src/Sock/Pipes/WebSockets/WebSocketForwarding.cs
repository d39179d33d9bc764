namespace Sock.Pipes.WebSockets;

/// <summary>A WebSocket on one side of <c>sock forward</c>: where to connect each client, or what to accept.</summary>
public sealed record WebSocketTarget(WebSocketUrl Url, WebSocketClientOptions Options);

/// <summary>Wraps either side of a relay in a WebSocket, so <see cref="Relay"/> moves bytes as for any stream.</summary>
public static class WebSocketForwarding
{
    /// <summary>Upgrades an accepted client; a refused upgrade is a SockException naming the client.</summary>
    public static async Task<PipeConnection> AcceptAsync(PipeConnection client, WebSocketServerOptions options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(client);
        WebSocketSession session;
        try
        {
            session = await WebSocketServer.AcceptAsync(client, options, ct);
        }
        catch (SockException)
        {
            await client.DisposeAsync();
            throw;
        }
        return new PipeConnection(client.Socket, new WebSocketMessageStream(session), client.Peer);
    }

    public static async Task<PipeConnection> ConnectAsync(WebSocketTarget target, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(target);
        var session = await WebSocketClient.ConnectAsync(target.Url, target.Options, ct);
        return new PipeConnection(session.Connection.Socket, new WebSocketMessageStream(session), target.Url.ToString());
    }
}
