using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Sock.Pipes;

namespace Sock.Net.Proxy.Server;

/// <summary>One proxied connection, for the log: who, where to, how, bytes each way, how long, how it ended.</summary>
public sealed record ProxyRecord(string Client, string Target, string Protocol, long BytesUp, long BytesDown, TimeSpan Duration, string? Error)
{
    /// <summary>"127.0.0.1:40112 -> example.com:80 (SOCKS5 CONNECT): 12 bytes up, 340 bytes down, 0.021 s".</summary>
    public override string ToString() =>
        $"{Client} -> {Target} ({Protocol}): {BytesUp} bytes up, {BytesDown} bytes down, {Duration.TotalSeconds:0.000} s"
        + (Error is null ? "" : $", {Error}");
}

/// <summary>
/// A SOCKS5 (RFC 1928; user/password RFC 1929; CONNECT and UDP ASSOCIATE), SOCKS4/4a and HTTP
/// CONNECT proxy server, as microsocks, dante or tinyproxy are. Any listener serves all three: the
/// first byte tells them apart (5, 4, or an HTTP method), so <c>--socks</c> and <c>--http</c> differ
/// only in what they are announced as. One log line per connection; a client that speaks garbage gets
/// the protocol's own refusal (an HTTP 400 with the reason, a SOCKS error reply) and the log says why.
/// Memory is bounded: handshakes read at most 16 KiB, relays use two fixed buffers, clients are capped.
/// </summary>
/// <example>
/// <code>
/// using var listener = Endpoints.Bind(new PipeEndpoint { Host = "127.0.0.1", Port = 1080 });
/// await new ProxyServer(new ProxyServerOptions { User = "bob", Password = "s3cret" }, Console.Error.WriteLine).RunAsync(listener, ct);
/// </code>
/// </example>
public sealed class ProxyServer(ProxyServerOptions options, Action<string> report)
{
    private readonly AcceptLoop _accept = new();

    /// <summary>Connections being served right now.</summary>
    public int Active => _accept.Active;

    /// <summary>Raised as each connection ends (after its log line).</summary>
    public event Action<ProxyRecord>? Finished;

    private bool NeedsAuth => options.User is not null;

    /// <summary>Accepts until cancelled; open connections are then closed.</summary>
    public Task RunAsync(Socket listener, CancellationToken ct) =>
        _accept.RunAsync(listener, options.Filter, options.MaxClients, report, ServeAsync, ct);

    private async Task ServeAsync(Socket socket, string client, CancellationToken ct)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            socket.NoDelay = true;
            await using var stream = new NetworkStream(socket, ownsSocket: true);
            var reader = new HandshakeReader(stream);
            Tunnel? tunnel;
            using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                deadline.CancelAfter(options.HandshakeTimeout);
                try
                {
                    tunnel = await HandshakeAsync(socket, stream, reader, client, deadline.Token);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    report($"{client}: no complete proxy request within {options.HandshakeTimeout.TotalSeconds:0.###} s (after {reader.Count} bytes)");
                    return;
                }
                catch (HandshakeFailed e)
                {
                    report($"{client}: {e.Message}");
                    return;
                }
            }
            if (tunnel is null) return; // refused or finished (UDP); already reported
            await using var target = tunnel.Target;
            var from = new PipeConnection(socket, stream, client);
            if (reader.Count > 0) await target.Stream.WriteAsync(reader.Leftover, ct); // sent before our reply (optimistic clients)
            var result = await Relay.RunAsync(from, target, options.BufferSize, ct);
            var record = new ProxyRecord(client, tunnel.Display, tunnel.Protocol, result.BytesUp + reader.Count, result.BytesDown, started.Elapsed, result.Error);
            if (!ct.IsCancellationRequested) report(record.ToString());
            Finished?.Invoke(record);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            report($"{client}: {DuplexPump.Failure("receive from", client, e).Message}");
        }
        finally
        {
            socket.Dispose();
        }
    }

    /// <summary>The target connection, once the client's request is granted.</summary>
    private sealed record Tunnel(PipeConnection Target, string Display, string Protocol);

    /// <summary>A handshake that ends the connection; the message is the log line's reason.</summary>
    private sealed class HandshakeFailed(string message) : Exception(message);

    private async Task<Tunnel?> HandshakeAsync(Socket socket, NetworkStream stream, HandshakeReader reader, string client, CancellationToken ct)
    {
        if (!await reader.FillAsync(1, ct)) throw new HandshakeFailed("closed before sending a request");
        return reader.Peek(0) switch
        {
            5 => await Socks5Async(socket, stream, reader, client, ct),
            4 => await Socks4Async(stream, reader, client, ct),
            _ => await HttpAsync(stream, reader, client, ct),
        };
    }

    private async Task<Tunnel?> Socks5Async(Socket socket, NetworkStream stream, HandshakeReader reader, string client, CancellationToken ct)
    {
        var greeting = await reader.ReadAsync(ProxyClientRequests.Socks5Greeting, "SOCKS5", ct);
        var method = NeedsAuth ? (greeting.OffersPassword ? 2 : 0xFF) : (greeting.OffersNone ? 0 : 0xFF);
        await stream.WriteAsync(new byte[] { 5, (byte)method }, ct);
        if (method == 0xFF)
            throw new HandshakeFailed(NeedsAuth ? "SOCKS5 client offered no user/password authentication (--auth is set)" : "SOCKS5 client offered no method we accept (no authentication)");
        if (method == 2)
        {
            var auth = await reader.ReadAsync(ProxyClientRequests.Socks5Auth, "SOCKS5", ct);
            var ok = CredentialsMatch(auth.User, auth.Password);
            await stream.WriteAsync(new byte[] { 1, ok ? (byte)0 : (byte)1 }, ct);
            if (!ok) throw new HandshakeFailed($"SOCKS5 authentication failed for user '{auth.User}'");
        }
        var request = await reader.ReadAsync(ProxyClientRequests.Socks5Request, "SOCKS5", ct);
        switch (request.Command)
        {
            case ProxyVerb.Connect:
                break;
            case ProxyVerb.UdpAssociate:
                await new Socks5UdpAssociation(options, report).RunAsync(socket, stream, client, request, ct);
                return null;
            default:
                await stream.WriteAsync(Socks5Reply(7, null), ct);
                throw new HandshakeFailed($"SOCKS5 command {(request.Command == ProxyVerb.Bind ? "BIND" : "unknown")} is not supported (reply 7)");
        }
        var display = Connector.Display(request.Host, request.Port);
        var (target, error, code) = await ConnectTargetAsync(request.Host, request.Port, ct);
        if (target is null)
        {
            var rep = code switch
            {
                SocketError.ConnectionRefused => 5,
                SocketError.NetworkUnreachable => 3,
                SocketError.HostUnreachable or SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData or SocketError.TimedOut => 4,
                _ => 1,
            };
            await stream.WriteAsync(Socks5Reply((byte)rep, null), ct);
            throw new HandshakeFailed($"-> {display} (SOCKS5 CONNECT): {error} (reply {rep})");
        }
        await stream.WriteAsync(Socks5Reply(0, target.Socket.LocalEndPoint as IPEndPoint), ct);
        return new Tunnel(target, display, "SOCKS5 CONNECT");
    }

    private async Task<Tunnel?> Socks4Async(NetworkStream stream, HandshakeReader reader, string client, CancellationToken ct)
    {
        var request = await reader.ReadAsync(ProxyClientRequests.Socks4Request, "SOCKS4", ct);
        var display = Connector.Display(request.Host, request.Port);
        if (NeedsAuth)
        {
            await stream.WriteAsync(Socks4Reply(91), ct);
            throw new HandshakeFailed($"-> {display} (SOCKS4): refused, SOCKS4 carries no password and --auth is set (reply 91)");
        }
        if (request.Command != ProxyVerb.Connect)
        {
            await stream.WriteAsync(Socks4Reply(91), ct);
            throw new HandshakeFailed("SOCKS4 command other than CONNECT is not supported (reply 91)");
        }
        var (target, error, _) = await ConnectTargetAsync(request.Host, request.Port, ct);
        if (target is null)
        {
            await stream.WriteAsync(Socks4Reply(91), ct);
            throw new HandshakeFailed($"-> {display} (SOCKS4 CONNECT): {error} (reply 91)");
        }
        await stream.WriteAsync(Socks4Reply(90), ct);
        return new Tunnel(target, display, IPAddress.TryParse(request.Host, out _) ? "SOCKS4 CONNECT" : "SOCKS4a CONNECT");
    }

    private async Task<Tunnel?> HttpAsync(NetworkStream stream, HandshakeReader reader, string client, CancellationToken ct)
    {
        ClientRequest request;
        try
        {
            request = await reader.ReadAsync(ProxyClientRequests.HttpRequest, "HTTP", ct);
        }
        catch (HandshakeFailed e)
        {
            // Garbage gets a readable answer: a person typing into the port sees why.
            await TryWriteAsync(stream, HttpReply(400, "Bad Request", $"sock proxy: {e.Message}: speak SOCKS4, SOCKS5 or HTTP CONNECT"), ct);
            throw;
        }
        if (NeedsAuth && !CredentialsMatch(request.User, request.Password))
        {
            await stream.WriteAsync(HttpReply(407, "Proxy Authentication Required", "sock proxy: credentials required", "Proxy-Authenticate: Basic realm=\"sock\"\r\n"), ct);
            throw new HandshakeFailed(request.User is null ? "HTTP request without credentials (407)" : $"HTTP authentication failed for user '{request.User}' (407)");
        }
        if (request.Command != ProxyVerb.Connect)
        {
            await stream.WriteAsync(HttpReply(405, "Method Not Allowed", $"sock proxy tunnels with CONNECT only, not {request.Method} (curl: -p/--proxytunnel)", "Allow: CONNECT\r\n"), ct);
            throw new HandshakeFailed($"HTTP {ProxyClientRequests.Printable(request.Method ?? "?")} is not CONNECT (405)");
        }
        var display = Connector.Display(request.Host, request.Port);
        var (target, error, code) = await ConnectTargetAsync(request.Host, request.Port, ct);
        if (target is null)
        {
            var (status, reason) = code == SocketError.TimedOut ? (504, "Gateway Timeout") : (502, "Bad Gateway");
            await stream.WriteAsync(HttpReply(status, reason, $"sock proxy: {error}"), ct);
            throw new HandshakeFailed($"-> {display} (HTTP CONNECT): {error} ({status})");
        }
        await stream.WriteAsync("HTTP/1.1 200 Connection established\r\n\r\n"u8.ToArray(), ct);
        return new Tunnel(target, display, "HTTP CONNECT");
    }

    private async Task<(PipeConnection? Target, string Error, SocketError Code)> ConnectTargetAsync(string host, int port, CancellationToken ct)
    {
        try
        {
            var socket = await Connector.CreateConnectionAsync(host, port, options.ConnectTimeout, null, AddressFamily.Unspecified, ct);
            socket.NoDelay = true;
            return (new PipeConnection(socket, new NetworkStream(socket, ownsSocket: true), Connector.Display(host, port)), "", SocketError.Success);
        }
        catch (SockException e)
        {
            var code = e.InnerException is SocketException s ? s.SocketErrorCode
                : e.Message.Contains("ETIMEDOUT", StringComparison.Ordinal) ? SocketError.TimedOut : SocketError.SocketError;
            return (null, e.Message, code);
        }
    }

    /// <summary>Compared in constant time, so the answer's timing tells nothing about the password.</summary>
    private bool CredentialsMatch(string? user, string? password) =>
        user is not null && password is not null
        && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(user), Encoding.UTF8.GetBytes(options.User!))
        & CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(password), Encoding.UTF8.GetBytes(options.Password ?? ""));

    /// <summary>VER REP RSV ATYP BND.ADDR BND.PORT (0.0.0.0:0 when there is no bound address).</summary>
    internal static byte[] Socks5Reply(byte rep, IPEndPoint? bound)
    {
        var address = bound?.Address ?? IPAddress.Any;
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        var port = bound?.Port ?? 0;
        return [5, rep, 0, address.AddressFamily == AddressFamily.InterNetwork ? (byte)1 : (byte)4, .. address.GetAddressBytes(), (byte)(port >> 8), (byte)port];
    }

    private static byte[] Socks4Reply(byte cd) => [0, cd, 0, 0, 0, 0, 0, 0];

    private static byte[] HttpReply(int status, string reason, string body, string headers = "") =>
        Encoding.UTF8.GetBytes($"HTTP/1.1 {status} {reason}\r\n{headers}Content-Type: text/plain\r\nContent-Length: {Encoding.UTF8.GetByteCount(body) + 1}\r\nConnection: close\r\n\r\n{body}\n");

    private static async Task TryWriteAsync(NetworkStream stream, byte[] data, CancellationToken ct)
    {
        try { await stream.WriteAsync(data, ct); }
        catch (IOException) { }
    }

    /// <summary>Reads a handshake step by step into one bounded buffer, never consuming past a request's end.</summary>
    private sealed class HandshakeReader(NetworkStream stream)
    {
        private byte[] _buffer = new byte[512];
        private int _start, _end;

        /// <summary>Bytes read but not yet consumed (after the handshake: what the client sent early).</summary>
        public int Count => _end - _start;
        public ReadOnlyMemory<byte> Leftover => _buffer.AsMemory(_start, Count);
        public byte Peek(int i) => _buffer[_start + i];

        public async Task<bool> FillAsync(int count, CancellationToken ct)
        {
            if (count > ProxyClientRequests.MaxHttpHead) throw new HandshakeFailed($"request longer than {ProxyClientRequests.MaxHttpHead} bytes");
            if (_start + count > _buffer.Length)
            {
                var bigger = new byte[Math.Max(count, Math.Min(_buffer.Length * 2, ProxyClientRequests.MaxHttpHead))];
                _buffer.AsSpan(_start, Count).CopyTo(bigger);
                (_buffer, _end, _start) = (bigger, Count, 0);
            }
            while (Count < count)
            {
                // Read as much as fits: an HTTP head arrives in one segment, not one byte per call.
                var n = await stream.ReadAsync(_buffer.AsMemory(_end, _buffer.Length - _end), ct);
                if (n == 0) return false;
                _end += n;
            }
            return true;
        }

        public async Task<ClientRequest> ReadAsync(Func<ReadOnlySpan<byte>, ClientRequest> parse, string protocol, CancellationToken ct)
        {
            while (true)
            {
                var request = parse(_buffer.AsSpan(_start, Count));
                switch (request.Status)
                {
                    case ClientRequestStatus.Complete:
                        _start += request.Length;
                        return request;
                    case ClientRequestStatus.Malformed:
                        throw new HandshakeFailed($"{request.Error} (got {ProxyReplies.Preview(_buffer.AsSpan(_start, Count))})");
                }
                var had = Count;
                if (!await FillAsync(request.Length, ct))
                    throw new HandshakeFailed(had == 0 ? $"closed during the {protocol} handshake" : $"closed in the middle of a {protocol} request (after {had} bytes)");
            }
        }
    }
}
