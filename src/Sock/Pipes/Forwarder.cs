using System.Net.Sockets;
using Sock.Net;
using Sock.Tls;

namespace Sock.Pipes;

/// <summary>How <see cref="Forwarder"/> relays: where to, how to connect there, and the limits. Defaults in one place.</summary>
public sealed record ForwardOptions
{
    /// <summary>Where each client is connected to (TCP host and port, or a Unix socket path).</summary>
    public required PipeEndpoint Target { get; init; }

    /// <summary>Source address, timeout, TLS towards the target (originate), proxy.</summary>
    public ConnectSettings Connect { get; init; } = new();

    /// <summary>TLS from clients (terminate): the certificate to present.</summary>
    public TlsServerSettings? ListenTls { get; init; }

    /// <summary>Clients relayed at once; more are refused (closed) and reported. 0: no limit.</summary>
    public int MaxClients { get; init; }

    public AddressFilter? Filter { get; init; }

    public int BufferSize { get; init; } = Relay.DefaultBufferSize;

    /// <summary>Clients speak WebSocket to us (after TLS, if any): the upgrade is accepted, messages relayed as bytes.</summary>
    public WebSockets.WebSocketServerOptions? ListenWebSocket { get; init; }

    /// <summary>Each client is connected to this WebSocket URL instead of <see cref="Target"/>.</summary>
    public WebSockets.WebSocketTarget? TargetWebSocket { get; init; }
}

/// <summary>One relayed connection, for the log: who, where to, bytes each way, how long, how it ended.</summary>
public sealed record ForwardRecord(string Client, string Target, RelayResult Result)
{
    /// <summary>"127.0.0.1:40112 -> 127.0.0.1:8080: 12 bytes up, 340 bytes down, 0.021 s".</summary>
    public override string ToString() =>
        $"{Client} -> {Target}: {Result.BytesUp} bytes up, {Result.BytesDown} bytes down, {Result.Duration.TotalSeconds:0.000} s"
        + (Result.Error is null ? "" : $", {Result.Error}");
}

/// <summary>
/// <c>sock forward</c> for stream sockets (socat <c>TCP-LISTEN:…,fork TCP:…</c>): accepts clients on a
/// bound listener, connects each to the target (TCP, Unix, TLS, through a proxy), relays both ways
/// with half-close, and reports one line per connection. Clients are independent: one failing, or a
/// target refusing one, never disturbs the others.
/// </summary>
/// <example>
/// <code>
/// using var listener = Endpoints.Bind(new PipeEndpoint { Host = "127.0.0.1", Port = 8080 });
/// var forwarder = new Forwarder(new ForwardOptions { Target = new PipeEndpoint { Host = "example.com", Port = 80 } }, Console.Error.WriteLine);
/// await forwarder.RunAsync(listener, ct);
/// </code>
/// </example>
public sealed class Forwarder(ForwardOptions options, Action<string> report)
{
    private readonly AcceptLoop _accept = new();

    /// <summary>Clients being served right now.</summary>
    public int Active => _accept.Active;

    /// <summary>Raised as each connection ends (after its log line).</summary>
    public event Action<ForwardRecord>? Finished;

    /// <summary>Accepts until cancelled; open relays are then closed.</summary>
    public Task RunAsync(Socket listener, CancellationToken ct) =>
        _accept.RunAsync(listener, options.Filter, options.MaxClients, report, ServeAsync, ct);

    private async Task ServeAsync(Socket socket, string client, CancellationToken ct)
    {
        var target = options.TargetWebSocket?.Url.ToString() ?? options.Target.Display;
        try
        {
            // Small writes (keystrokes, requests) go out at once in both directions, as socat's nodelay.
            if (socket.AddressFamily != AddressFamily.Unix) socket.NoDelay = true;
            PipeConnection from;
            try
            {
                from = options.ListenTls is null
                    ? new PipeConnection(socket, Endpoints.StreamOf(socket), client)
                    : new PipeConnection(socket, await options.ListenTls.AuthenticateAsync(Endpoints.StreamOf(socket), ct), client);
            }
            catch (SockException e)
            {
                socket.Dispose();
                report($"{client}: {e.Message}");
                return;
            }
            if (options.ListenWebSocket is { } upgrade)
            {
                try
                {
                    from = await WebSockets.WebSocketForwarding.AcceptAsync(from, upgrade, ct);
                }
                catch (SockException e)
                {
                    report($"{client}: {e.Message}");
                    return;
                }
            }
            await using (from)
            {
                PipeConnection to;
                try
                {
                    to = options.TargetWebSocket is { } ws
                        ? await WebSockets.WebSocketForwarding.ConnectAsync(ws, ct)
                        : await Endpoints.ConnectAsync(options.Target, options.Connect, ct);
                }
                catch (SockException e)
                {
                    report($"{client} -> {target}: {e.Message}");
                    return;
                }
                await using (to)
                {
                    if (to.Socket.AddressFamily != AddressFamily.Unix) to.Socket.NoDelay = true;
                    var record = new ForwardRecord(client, target, await Relay.RunAsync(from, to, options.BufferSize, ct));
                    if (!ct.IsCancellationRequested) report(record.ToString());
                    Finished?.Invoke(record);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }
}
