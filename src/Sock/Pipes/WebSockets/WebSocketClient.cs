using System.Net;
using System.Net.Http;
using System.Net.WebSockets;
using Sock.Tls;

namespace Sock.Pipes.WebSockets;

/// <summary>What a WebSocket client sends in its upgrade request, and how it reaches the server.</summary>
public sealed record WebSocketClientOptions
{
    /// <summary>Extra request headers ("Authorization", "Cookie", …), in order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    public string? Origin { get; init; }

    /// <summary>Subprotocols to offer (Sec-WebSocket-Protocol).</summary>
    public IReadOnlyList<string> Subprotocols { get; init; } = [];

    /// <summary>Source address, timeout, proxy (a chain too) and, for wss://, the TLS settings (--insecure, --pin, --ca).</summary>
    public ConnectSettings Connect { get; init; } = new();

    /// <summary>How often we ping the server; null: .NET's default (every 30 s).</summary>
    public TimeSpan? KeepAlive { get; init; }
}

/// <summary>
/// Opens a client WebSocket with <see cref="ClientWebSocket"/>, over a connection we make ourselves
/// (<see cref="Endpoints.ConnectAsync"/>: Happy Eyeballs, <c>--proxy</c> chains, sock's TLS with pins and
/// CAs), so a WebSocket goes wherever <c>sock connect</c> goes. Errors are one line:
/// "websocket ws://127.0.0.1:8080/x: server answered HTTP 404 instead of 101 Switching Protocols".
/// </summary>
public static class WebSocketClient
{
    public static async Task<WebSocketSession> ConnectAsync(WebSocketUrl url, WebSocketClientOptions options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(options);
        var endpoint = new PipeEndpoint { Host = url.Host, Port = url.Port };
        var settings = options.Connect with
        {
            Tls = url.Secure ? options.Connect.Tls ?? new TlsClientSettings(url.Host.Trim('[', ']')) : null,
        };
        PipeConnection? connection = null;
        SockException? connectError = null;
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            ConnectCallback = async (_, token) =>
            {
                try
                {
                    connection = await Endpoints.ConnectAsync(endpoint, settings, token);
                }
                catch (SockException e)
                {
                    connectError = e;
                    throw;
                }
                return connection.Stream;
            },
        };
        var invoker = new HttpMessageInvoker(handler);
        var ws = new ClientWebSocket();
        ws.Options.HttpVersion = HttpVersion.Version11;
        ws.Options.HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        ws.Options.CollectHttpResponseDetails = true;
        if (options.KeepAlive is { } keepAlive) ws.Options.KeepAliveInterval = keepAlive;
        foreach (var (name, value) in options.Headers) ws.Options.SetRequestHeader(name, value);
        if (options.Origin is { } origin) ws.Options.SetRequestHeader("Origin", origin);
        foreach (var p in options.Subprotocols) ws.Options.AddSubProtocol(p);
        // TLS is ours (done in ConnectCallback), so the handler is told plain ws:// with the port spelled
        // out: the request line and Host header are the same, and it does not wrap TLS a second time.
        var uri = new Uri($"ws://{Sock.Net.Connector.Display(url.Host, url.Port)}{url.PathAndQuery}");
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(settings.Timeout is { } t ? t + TimeSpan.FromSeconds(15) : TimeSpan.FromSeconds(45));
        try
        {
            await ws.ConnectAsync(uri, invoker, deadline.Token);
        }
        catch (Exception e) when (e is WebSocketException or HttpRequestException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            var status = ws.HttpStatusCode;
            ws.Dispose();
            invoker.Dispose();
            if (connection is not null) await connection.DisposeAsync();
            if (connectError is not null) throw new SockException(connectError.Message, connectError);
            if (e is OperationCanceledException) throw new SockException($"websocket {url}: no handshake answer in time (ETIMEDOUT)");
            if (status != 0)
                throw new SockException($"websocket {url}: server answered HTTP {(int)status} instead of 101 Switching Protocols", e);
            throw new SockException($"websocket {url}: handshake failed: {Innermost(e).Message}", e);
        }
        return new WebSocketSession(ws, connection!, url.PathAndQuery, ws.SubProtocol, invoker);
    }

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null) e = e.InnerException;
        return e;
    }
}
