using System.Net;
using System.Net.Sockets;

namespace Sock.Net.Proxy.Server;

/// <summary>
/// SOCKS5 UDP ASSOCIATE (RFC 1928 §7): a UDP socket bound beside the control connection relays the
/// client's datagrams (each with its RSV FRAG ATYP DST.ADDR DST.PORT header) to their targets and the
/// targets' answers back with the sender's address in the header. Only the client's own address may
/// use it; fragments (FRAG ≠ 0) are dropped, as most servers do. The association ends when the control
/// connection closes or after the idle timeout; one buffer of 64 KiB, a bounded name cache.
/// </summary>
internal sealed class Socks5UdpAssociation(ProxyServerOptions options, Action<string> report)
{
    private const int MaxNames = 256;

    public async Task RunAsync(Socket control, NetworkStream stream, string client, ClientRequest request, CancellationToken ct)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        var clientAddress = Plain(((IPEndPoint)control.RemoteEndPoint!).Address);
        var local = Plain(((IPEndPoint)control.LocalEndPoint!).Address);
        using var udp = new Socket(local.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        udp.Bind(new IPEndPoint(local, 0));
        await stream.WriteAsync(ProxyServer.Socks5Reply(0, (IPEndPoint)udp.LocalEndPoint!), ct);

        // The client may name the address it will send from; 0.0.0.0:0 means "learn it from the first datagram".
        IPEndPoint? clientEndPoint = IPAddress.TryParse(request.Host, out var announced) && request.Port != 0 && !announced.Equals(IPAddress.Any) && !announced.Equals(IPAddress.IPv6Any)
            ? new IPEndPoint(Plain(announced), request.Port) : null;
        long up = 0, down = 0, upBytes = 0, downBytes = 0, dropped = 0;
        var names = new Dictionary<string, IPAddress>(StringComparer.OrdinalIgnoreCase);
        using var end = CancellationTokenSource.CreateLinkedTokenSource(ct);
        // The control connection's end (EOF or reset) ends the association.
        var watch = WatchControlAsync(stream, end);
        var buffer = new byte[65536];
        var header = new byte[22];
        var any = new IPEndPoint(local.AddressFamily == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any, 0);
        string? error = null;
        try
        {
            while (true)
            {
                using var idle = CancellationTokenSource.CreateLinkedTokenSource(end.Token);
                idle.CancelAfter(options.UdpIdleTimeout);
                SocketReceiveFromResult got;
                try
                {
                    got = await udp.ReceiveFromAsync(buffer, SocketFlags.None, any, idle.Token);
                }
                catch (OperationCanceledException) when (!end.IsCancellationRequested)
                {
                    error = $"idle for {options.UdpIdleTimeout.TotalSeconds:0.###} s";
                    break;
                }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
                {
                    continue; // an ICMP port unreachable from an earlier send: not this datagram's fault
                }
                var from = (IPEndPoint)got.RemoteEndPoint;
                var fromAddress = Plain(from.Address);
                var fromClient = clientEndPoint is null ? fromAddress.Equals(clientAddress) : fromAddress.Equals(clientEndPoint.Address) && from.Port == clientEndPoint.Port;
                if (fromClient)
                {
                    clientEndPoint ??= new IPEndPoint(fromAddress, from.Port);
                    var data = buffer.AsSpan(0, got.ReceivedBytes);
                    if (data.Length < 4 || data[0] != 0 || data[1] != 0 || data[2] != 0) { dropped++; continue; }
                    var target = ProxyClientRequests.Socks5Address(data[3..], out var used);
                    if (target.Status != ClientRequestStatus.Complete) { dropped++; continue; }
                    var address = await ResolveAsync(target.Host, names, end.Token);
                    if (address is null || address.AddressFamily != udp.AddressFamily) { dropped++; continue; }
                    var payload = buffer.AsMemory(3 + used, got.ReceivedBytes - 3 - used);
                    await udp.SendToAsync(payload, SocketFlags.None, new IPEndPoint(address, target.Port), end.Token);
                    up++;
                    upBytes += payload.Length;
                }
                else if (clientEndPoint is not null)
                {
                    // From a target: prefix the header naming the sender, then to the client.
                    var bytes = fromAddress.GetAddressBytes();
                    var h = 0;
                    header[h++] = 0; header[h++] = 0; header[h++] = 0;
                    header[h++] = fromAddress.AddressFamily == AddressFamily.InterNetwork ? (byte)1 : (byte)4;
                    bytes.CopyTo(header, h); h += bytes.Length;
                    header[h++] = (byte)(from.Port >> 8); header[h++] = (byte)from.Port;
                    if (got.ReceivedBytes + h > buffer.Length) { dropped++; continue; }
                    Buffer.BlockCopy(buffer, 0, buffer, h, got.ReceivedBytes);
                    header.AsSpan(0, h).CopyTo(buffer);
                    await udp.SendToAsync(buffer.AsMemory(0, got.ReceivedBytes + h), SocketFlags.None, clientEndPoint, end.Token);
                    down++;
                    downBytes += got.ReceivedBytes;
                }
                else dropped++;
            }
        }
        catch (OperationCanceledException) when (end.IsCancellationRequested)
        {
        }
        await end.CancelAsync();
        await watch;
        if (ct.IsCancellationRequested) return;
        report($"{client} (SOCKS5 UDP ASSOCIATE via {Endpoints(udp)}): {up} datagrams ({upBytes} bytes) up, {down} datagrams ({downBytes} bytes) down"
            + (dropped > 0 ? $", {dropped} dropped" : "") + $", {started.Elapsed.TotalSeconds:0.000} s" + (error is null ? "" : $", {error}"));
    }

    private static string Endpoints(Socket udp) => Sock.Pipes.Endpoints.Describe(udp.LocalEndPoint);

    private static async Task WatchControlAsync(NetworkStream stream, CancellationTokenSource end)
    {
        var one = new byte[64];
        try
        {
            // Bytes on the control connection after the request mean nothing; its end ends the association.
            while (await stream.ReadAsync(one, end.Token) > 0)
            {
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
        }
        await end.CancelAsync();
    }

    private static async Task<IPAddress?> ResolveAsync(string host, Dictionary<string, IPAddress> names, CancellationToken ct)
    {
        if (IPAddress.TryParse(host, out var literal)) return Plain(literal);
        if (names.TryGetValue(host, out var known)) return known;
        try
        {
            var found = await Dns.GetHostAddressesAsync(host, ct);
            if (found.Length == 0) return null;
            if (names.Count >= MaxNames) names.Clear();
            return names[host] = Plain(found.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? found[0]);
        }
        catch (SocketException)
        {
            return null;
        }
    }

    private static IPAddress Plain(IPAddress a) => a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a;
}
