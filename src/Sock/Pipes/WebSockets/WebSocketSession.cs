using System.Net.WebSockets;

namespace Sock.Pipes.WebSockets;

/// <summary>An open WebSocket with the connection under it (for its peer name and socket) and what was agreed.</summary>
public sealed class WebSocketSession : IAsyncDisposable
{
    private readonly IDisposable? _owned;

    public WebSocket WebSocket { get; }
    public PipeConnection Connection { get; }

    /// <summary>The path the client asked for (server side) or connected to (client side).</summary>
    public string Path { get; }
    public string? Subprotocol { get; }

    public WebSocketSession(WebSocket webSocket, PipeConnection connection, string path, string? subprotocol, IDisposable? owned = null)
    {
        WebSocket = webSocket;
        Connection = connection;
        Path = path;
        Subprotocol = subprotocol;
        _owned = owned;
    }

    public async ValueTask DisposeAsync()
    {
        WebSocket.Dispose();
        _owned?.Dispose();
        await Connection.DisposeAsync();
    }
}
