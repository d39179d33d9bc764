using System.Net;
using System.Net.Sockets;
using Sock.Net;
using Sock.Net.Proxy;
using Sock.Tls;

namespace Sock.Pipes;

/// <summary>Opening the socket of a pipe: stream clients (TCP, Unix, TLS) and listeners.</summary>
public static class Endpoints
{
    /// <summary>Connects a stream pipe (TCP with Happy Eyeballs, or Unix), then TLS when asked.</summary>
    public static async Task<PipeConnection> ConnectAsync(PipeEndpoint endpoint, ConnectSettings settings, CancellationToken ct)
    {
        Socket socket;
        string peer;
        if (endpoint.UnixPath is { } path)
        {
            socket = new Socket(AddressFamily.Unix, endpoint.UnixType, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(UnixAddress.EndPoint(path), ct);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                throw UnixFailure("connect", path, e);
            }
            peer = path;
        }
        else if (settings.Proxy is { } proxy)
        {
            socket = await ProxyConnector.ConnectAsync(proxy, endpoint.Host!, endpoint.Port, settings.Timeout, settings.Source, ct);
            peer = $"{Connector.Display(endpoint.Host!, endpoint.Port)} via {proxy.Description}";
        }
        else
        {
            socket = await Connector.CreateConnectionAsync(endpoint.Host!, endpoint.Port, settings.Timeout,
                settings.Source, endpoint.Family, ct);
            peer = Describe(socket.RemoteEndPoint);
        }
        if (settings.Tls is null) return new PipeConnection(socket, StreamOf(socket), peer);
        var (ssl, fingerprint) = await settings.Tls.AuthenticateAsync(StreamOf(socket), ct);
        return new PipeConnection(socket, ssl, peer, fingerprint);
    }

    /// <summary>
    /// A bound socket for <c>listen</c>: TCP/UDP on an address (default: every IPv6 and IPv4 address)
    /// or a Unix stream socket (a stale socket file is removed first). SO_REUSEADDR only, so a port
    /// still in TIME_WAIT is reusable but one that is listening is refused with EADDRINUSE.
    /// </summary>
    public static Socket Bind(PipeEndpoint endpoint, int backlog = 128)
    {
        if (endpoint.UnixPath is { } path)
        {
            if (!UnixAddress.IsAbstract(path)) UnixSocketFile.RemoveIfStale(path);
            var unix = new Socket(AddressFamily.Unix, endpoint.UnixType, ProtocolType.Unspecified);
            try
            {
                unix.Bind(UnixAddress.EndPoint(path));
                if (endpoint.UnixType != SocketType.Dgram) unix.Listen(backlog);
                return unix;
            }
            catch (SocketException e)
            {
                unix.Dispose();
                throw UnixFailure("listen", path, e);
            }
        }

        var address = ListenAddress(endpoint);
        var socket = new Socket(address.AddressFamily, endpoint.Udp ? SocketType.Dgram : SocketType.Stream,
            endpoint.Udp ? ProtocolType.Udp : ProtocolType.Tcp);
        var shown = Connector.Display(endpoint.Host ?? address.ToString(), endpoint.Port);
        try
        {
            if (address.AddressFamily == AddressFamily.InterNetworkV6)
                socket.DualMode = endpoint.Family == AddressFamily.Unspecified && address.Equals(IPAddress.IPv6Any);
            if (!endpoint.Udp) socket.SetRawSocketOption(1 /* SOL_SOCKET */, 2 /* SO_REUSEADDR */, BitConverter.GetBytes(1));
            socket.Bind(new IPEndPoint(address, endpoint.Port));
            if (!endpoint.Udp) socket.Listen(backlog);
            return socket;
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw SocketErrors.Wrap($"listen {shown}", e);
        }
    }

    /// <summary>
    /// Accepts one client and, for TLS, completes the server handshake. A client <paramref name="filter"/>
    /// refuses is closed at once, reported, and the wait goes on.
    /// </summary>
    public static async Task<PipeConnection> AcceptAsync(Socket listener, TlsServerSettings? tls, CancellationToken ct,
        AddressFilter? filter = null, Action<string>? report = null)
    {
        var socket = await AcceptAllowedAsync(listener, filter, report, ct);
        var peer = listener.AddressFamily == AddressFamily.Unix ? "unix client" : Describe(socket.RemoteEndPoint);
        if (tls is null) return new PipeConnection(socket, StreamOf(socket), peer);
        try
        {
            var ssl = await tls.AuthenticateAsync(StreamOf(socket), ct);
            return new PipeConnection(socket, ssl, peer);
        }
        catch (SockException e)
        {
            socket.Dispose();
            throw new SockException($"{peer}: {e.Message}", e);
        }
    }

    /// <summary>A stream over a connected socket: NetworkStream, or packet by packet for SOCK_SEQPACKET.</summary>
    public static Stream StreamOf(Socket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        return socket.SocketType == SocketType.Seqpacket ? new SeqPacketStream(socket) : new NetworkStream(socket, ownsSocket: true);
    }

    /// <summary>The next client <paramref name="filter"/> lets in; refused ones are closed and reported ("refused 127.0.0.2:5000: not in --allow").</summary>
    public static async Task<Socket> AcceptAllowedAsync(Socket listener, AddressFilter? filter, Action<string>? report, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(listener);
        while (true)
        {
            var socket = await listener.AcceptAsync(ct);
            if (filter?.Check(socket) is not { } why) return socket;
            report?.Invoke($"refused {Describe(socket.RemoteEndPoint)}: {why}");
            socket.Dispose();
        }
    }

    /// <summary>
    /// .NET reports a missing socket path (ENOENT) as EADDRNOTAVAIL; name the real cause.
    /// </summary>
    private static SockException UnixFailure(string operation, string path, SocketException e)
    {
        var missing = operation == "connect" ? !File.Exists(path) : !Directory.Exists(Path.GetDirectoryName(Path.GetFullPath(path)));
        return missing && e.SocketErrorCode == SocketError.AddressNotAvailable
            ? new SockException($"{operation} {path}: no such file or directory (ENOENT)", e)
            : SocketErrors.Wrap($"{operation} {path}", e);
    }

    /// <summary>"127.0.0.1:54321" or "[::1]:54321"; IPv4-mapped IPv6 addresses shown as IPv4.</summary>
    public static string Describe(EndPoint? endPoint) => endPoint switch
    {
        IPEndPoint ip => Connector.Display((ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address).ToString(), ip.Port),
        UnixDomainSocketEndPoint u => u.ToString() is { Length: > 0 } s ? s : "unix client",
        null => "?",
        _ => endPoint.ToString() ?? "?",
    };

    private static IPAddress ListenAddress(PipeEndpoint endpoint)
    {
        if (endpoint.Host is { } host)
        {
            var bare = host.Trim('[', ']');
            if (IPAddress.TryParse(bare, out var literal)) return literal;
            try
            {
                var found = Dns.GetHostAddresses(bare, endpoint.Family);
                if (found.Length > 0) return found[0];
            }
            catch (SocketException e)
            {
                throw new SockException($"resolve {bare}: {SocketErrors.Format(e.SocketErrorCode)}", e);
            }
            throw new SockException($"resolve {bare}: no address");
        }
        return endpoint.Family switch
        {
            AddressFamily.InterNetwork => IPAddress.Any,
            _ when !Socket.OSSupportsIPv6 => IPAddress.Any,
            _ => IPAddress.IPv6Any,
        };
    }
}
