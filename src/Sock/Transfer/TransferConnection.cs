using System.Net;
using System.Net.Sockets;
using Sock.Net;
using Sock.Tls;

namespace Sock.Transfer;

/// <summary>One TCP connection (optionally TLS) carrying a transfer, with a write half-close.</summary>
public sealed class TransferConnection : IAsyncDisposable
{
    public Socket Socket { get; }
    public Stream Stream { get; }
    public string Peer { get; }

    /// <summary>The server certificate's SHA-256 fingerprint when TLS was negotiated as a client.</summary>
    public string? PeerFingerprint { get; init; }

    public bool IsTls => Stream is System.Net.Security.SslStream;

    private TransferConnection(Socket socket, Stream stream, string peer)
    {
        Socket = socket;
        Stream = stream;
        Peer = peer;
    }

    /// <summary>Connects to <paramref name="host"/>:<paramref name="port"/> (dual-mode socket), then TLS when asked.</summary>
    public static async Task<TransferConnection> ConnectAsync(string host, int port, TlsClientSettings? tls, CancellationToken ct,
        Sock.Net.Proxy.ProxySettings? proxy = null)
    {
        // Happy Eyeballs across the host's (or the proxy's) addresses; failures arrive as one-line SockExceptions.
        var socket = proxy is null
            ? await Connector.CreateConnectionAsync(host, port, ct: ct)
            : await Sock.Net.Proxy.ProxyConnector.ConnectAsync(proxy, host, port, ct: ct);
        return await WrapAsync(socket, tls, null, $"{host}:{port}", ct);
    }

    /// <summary>Wraps an accepted socket, doing the TLS server handshake when <paramref name="tls"/> is set.</summary>
    public static Task<TransferConnection> AcceptedAsync(Socket socket, TlsServerSettings? tls, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(socket);
        return WrapAsync(socket, null, tls, socket.RemoteEndPoint?.ToString() ?? "peer", ct);
    }

    private static async Task<TransferConnection> WrapAsync(Socket socket, TlsClientSettings? client, TlsServerSettings? server, string peer, CancellationToken ct)
    {
        socket.NoDelay = true;
        var network = new NetworkStream(socket, ownsSocket: true);
        try
        {
            if (client is not null)
            {
                var (ssl, fingerprint) = await client.AuthenticateAsync(network, ct);
                return new TransferConnection(socket, ssl, peer) { PeerFingerprint = fingerprint };
            }
            if (server is not null)
                return new TransferConnection(socket, await server.AuthenticateAsync(network, ct), peer);
            return new TransferConnection(socket, network, peer);
        }
        catch
        {
            await network.DisposeAsync();
            throw;
        }
    }

    /// <summary>Ends our direction (TLS close_notify, then TCP FIN) while still reading the peer's.</summary>
    public async ValueTask ShutdownSendAsync()
    {
        try
        {
            await Stream.FlushAsync();
            if (Stream is System.Net.Security.SslStream ssl) await ssl.ShutdownAsync();
            Socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
        }
    }

    /// <summary>
    /// Half-closes, then reads until the peer closes too (bounded), so closing never finds unread
    /// bytes (a TLS session ticket, a close_notify) — which would make the kernel send a reset that
    /// can destroy data the peer has not read yet.
    /// </summary>
    public async ValueTask CloseGracefullyAsync(TimeSpan? wait = null)
    {
        await ShutdownSendAsync();
        var buffer = new byte[16 * 1024];
        using var cts = new CancellationTokenSource(wait ?? TimeSpan.FromSeconds(5));
        try
        {
            while (await Stream.ReadAsync(buffer, cts.Token) > 0) { }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
        }
    }

    public async ValueTask DisposeAsync() => await Stream.DisposeAsync();
}

/// <summary>A listening socket on every address (dual-mode [::] when IPv6 exists) for the side that waits.</summary>
public sealed class TransferListener : IDisposable
{
    private readonly Socket _socket;

    public int Port { get; }

    private TransferListener(Socket socket)
    {
        _socket = socket;
        Port = ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    /// <summary>Listens on <paramref name="port"/> (0 picks a free one; see <see cref="Port"/>).</summary>
    public static TransferListener Listen(int port, string? bind = null)
    {
        Socket socket;
        try
        {
            if (bind is not null)
            {
                var address = IPAddress.Parse(bind);
                socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                Bind(socket, new IPEndPoint(address, port));
            }
            else if (Socket.OSSupportsIPv6)
            {
                socket = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp) { DualMode = true };
                Bind(socket, new IPEndPoint(IPAddress.IPv6Any, port));
            }
            else
            {
                socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                Bind(socket, new IPEndPoint(IPAddress.Any, port));
            }
        }
        catch (SocketException e)
        {
            throw SocketErrors.Wrap($"listen on port {port}", e);
        }
        return new TransferListener(socket);
    }

    private static void Bind(Socket socket, EndPoint endPoint)
    {
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(endPoint);
            socket.Listen(16);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public async Task<Socket> AcceptAsync(CancellationToken ct) => await _socket.AcceptAsync(ct);

    /// <summary>The next client <paramref name="filter"/> lets in; refused ones are closed at once and reported.</summary>
    public Task<Socket> AcceptAsync(AddressFilter? filter, Action<string>? report, CancellationToken ct) =>
        Pipes.Endpoints.AcceptAllowedAsync(_socket, filter, report, ct);

    public void Dispose() => _socket.Dispose();
}
