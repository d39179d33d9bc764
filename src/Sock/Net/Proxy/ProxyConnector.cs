using System.Net;
using System.Net.Sockets;

namespace Sock.Net.Proxy;

/// <summary>
/// Connects a TCP socket to HOST:PORT through a proxy: connect to the proxy (Happy Eyeballs, as any
/// connection), then the SOCKS5, SOCKS4/4a or HTTP CONNECT handshake, reading exactly the bytes each
/// reply needs so nothing the target sends afterwards is swallowed. Errors name the proxy and its
/// reply: "proxy 127.0.0.1:1080 refused: connection not allowed by ruleset (SOCKS5 reply 2)".
/// </summary>
/// <example>
/// <code>
/// var proxy = ProxySettings.Parse("socks5://127.0.0.1:1080");
/// using var socket = await ProxyConnector.ConnectAsync(proxy, "example.com", 80, TimeSpan.FromSeconds(10), null, ct);
/// </code>
/// </example>
public static class ProxyConnector
{
    /// <summary>How long the handshake may take when the caller gives no timeout: a proxy that never answers must not hang us.</summary>
    public static readonly TimeSpan DefaultHandshakeTimeout = TimeSpan.FromSeconds(30);

    public static async Task<Socket> ConnectAsync(ProxySettings proxy, string host, int port, TimeSpan? timeout = null,
        IPEndPoint? source = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(proxy);
        ArgumentNullException.ThrowIfNull(host);
        // Requests are built first: a request the protocol cannot carry (IPv6 over SOCKS4) fails before any connection.
        var request = Request(proxy, host, port);
        Socket socket;
        try
        {
            // A chain: this hop is reached through the one before it, which reports its own errors.
            socket = proxy.Via is { } via
                ? await ConnectAsync(via, proxy.Host, proxy.Port, timeout, source, ct)
                : await Connector.CreateConnectionAsync(proxy.Host, proxy.Port, timeout, source, AddressFamily.Unspecified, ct);
        }
        catch (SockException e) when (proxy.Via is null)
        {
            // "connect 127.0.0.1:1080: connection refused" becomes "proxy 127.0.0.1:1080: connection refused".
            var prefix = $"connect {proxy.Display}: ";
            var why = e.Message.StartsWith(prefix, StringComparison.Ordinal) ? e.Message[prefix.Length..] : e.Message;
            throw new SockException($"proxy {proxy.Display}: {why}", e);
        }
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout ?? DefaultHandshakeTimeout);
        try
        {
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            var channel = new Channel(stream, proxy, deadline.Token);
            switch (proxy.Type)
            {
                case ProxyType.Socks5:
                    var withPassword = proxy.User is not null;
                    await channel.SendAsync(ProxyRequests.Socks5Greeting(withPassword));
                    var method = await channel.ReceiveAsync(d => ProxyReplies.Socks5Method(d, withPassword), connect: false);
                    if (method.Code == 2)
                    {
                        await channel.SendAsync(ProxyRequests.Socks5Auth(proxy.User!, proxy.Password ?? ""));
                        await channel.ReceiveAsync(ProxyReplies.Socks5Auth, connect: false);
                    }
                    await channel.SendAsync(request);
                    await channel.ReceiveAsync(ProxyReplies.Socks5Connect);
                    break;
                case ProxyType.Socks4:
                    await channel.SendAsync(request);
                    await channel.ReceiveAsync(ProxyReplies.Socks4Connect);
                    break;
                default:
                    await channel.SendAsync(request);
                    await channel.ReceiveAsync(ProxyReplies.HttpConnect);
                    break;
            }
            return socket;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            socket.Dispose();
            throw new SockException($"proxy {proxy.Display}: no {proxy.TypeName} reply within {(timeout ?? DefaultHandshakeTimeout).TotalSeconds:0.###}s (ETIMEDOUT)");
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The CONNECT request for the proxy's protocol; an ArgumentException when it cannot carry the target.</summary>
    public static byte[] Request(ProxySettings proxy, string host, int port)
    {
        ArgumentNullException.ThrowIfNull(proxy);
        return proxy.Type switch
        {
            ProxyType.Socks5 => ProxyRequests.Socks5Connect(host, port),
            ProxyType.Socks4 => ProxyRequests.Socks4Connect(host, port, proxy.User),
            _ => ProxyRequests.HttpConnect(host, port, proxy.User, proxy.Password),
        };
    }

    /// <summary>One handshake's reads and writes, with errors phrased once.</summary>
    private sealed class Channel(NetworkStream stream, ProxySettings proxy, CancellationToken ct)
    {
        private byte[] _buffer = new byte[512];

        public async Task SendAsync(byte[] data)
        {
            try
            {
                await stream.WriteAsync(data, ct);
            }
            catch (IOException e)
            {
                throw Lost(e);
            }
        }

        /// <summary>Reads until <paramref name="parse"/> has a verdict, never past the reply's end.</summary>
        public async Task<ProxyReply> ReceiveAsync(ProxyParser parse, bool connect = true)
        {
            var have = 0;
            while (true)
            {
                var reply = parse(_buffer.AsSpan(0, have));
                switch (reply.Status)
                {
                    case ProxyReplyStatus.Accepted:
                        return reply;
                    case ProxyReplyStatus.Refused when connect:
                        throw new ProxyRefusedException($"proxy {proxy.Display} {reply.Message}", proxy.Type, reply.Code);
                    case ProxyReplyStatus.Refused:
                        throw new SockException($"proxy {proxy.Display}: {reply.Message}");
                    case ProxyReplyStatus.Malformed:
                        throw new SockException($"proxy {proxy.Display}: {reply.Message}");
                }
                if (reply.Length > _buffer.Length) Array.Resize(ref _buffer, Math.Max(reply.Length, _buffer.Length * 2));
                int n;
                try
                {
                    n = await stream.ReadAsync(_buffer.AsMemory(have, reply.Length - have), ct);
                }
                catch (IOException e)
                {
                    throw Lost(e);
                }
                if (n == 0)
                    throw new SockException(have == 0
                        ? $"proxy {proxy.Display} closed the connection during the {proxy.TypeName} handshake (no reply)"
                        : $"proxy {proxy.Display} closed the connection in the middle of its {proxy.TypeName} reply (after {have} bytes: {ProxyReplies.Preview(_buffer.AsSpan(0, have))})");
                have += n;
            }
        }

        private SockException Lost(IOException e)
        {
            var why = e.InnerException is SocketException s ? SocketErrors.Format(s.SocketErrorCode) : e.Message;
            return new SockException($"proxy {proxy.Display}: {proxy.TypeName} handshake failed: {why}", e);
        }
    }

    private delegate ProxyReply ProxyParser(ReadOnlySpan<byte> data);
}
