using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Sock.Net.Ping;

/// <summary>What to send: how many echoes, how often, how big, and how long to wait for the last reply.</summary>
public sealed record PingOptions
{
    public int Count { get; init; } = 4;
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(1);
    public int PayloadSize { get; init; } = 56;
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(2);
    public AddressFamily Family { get; init; } = AddressFamily.Unspecified;
}

/// <summary>One reply: sequence (from 1, as iputils), ICMP bytes, TTL if known, round-trip time.</summary>
public sealed record PingReply(int Seq, int Bytes, int? Ttl, double Ms);

/// <summary>iputils' summary: counts, loss in percent, and min/avg/max/mdev of the round trips in ms.</summary>
public sealed record PingSummary(string Host, string Address, int Transmitted, int Received, double Loss,
    double Min, double Avg, double Max, double Mdev, IReadOnlyList<PingReply> Replies, bool Raw, TimeSpan Elapsed);

/// <summary>
/// <c>ping</c>: ICMP echo over a raw socket (root, or CAP_NET_RAW), or else the unprivileged ICMP
/// datagram socket Linux offers to groups in <c>net.ipv4.ping_group_range</c>. Each reply is reported
/// as it arrives; the summary follows iputils (mdev = the standard deviation of the round trips).
/// </summary>
/// <example>
/// <code>
/// var summary = await Pinger.RunAsync("127.0.0.1", new PingOptions { Count = 3 }, r => Console.WriteLine(r.Ms), ct);
/// </code>
/// </example>
public static class Pinger
{
    public static async Task<PingSummary> RunAsync(string host, PingOptions options, Action<PingReply>? onReply, CancellationToken ct,
        Action<string, IPAddress, bool>? onStart = null)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(options);
        var address = await ResolveAsync(host, options.Family, ct);
        var v6 = address.AddressFamily == AddressFamily.InterNetworkV6;
        var (socket, raw) = Open(v6);
        using (socket)
        {
            // Receiving needs a local address; for the datagram socket the port chosen here is the echo identifier.
            socket.Bind(new IPEndPoint(v6 ? IPAddress.IPv6Any : IPAddress.Any, 0));
            onStart?.Invoke(host, address, raw);
            var id = (ushort)(Environment.ProcessId & 0xFFFF);
            var sentAt = new long[options.Count + 1];
            var replies = new List<PingReply>();
            var clock = Stopwatch.StartNew();
            using var done = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var receiver = ReceiveAsync(socket, v6, raw, id, sentAt, replies, onReply, options.Count, done.Token);
            var target = new IPEndPoint(address, 0);
            var transmitted = 0;
            try
            {
                for (var seq = 1; seq <= options.Count; seq++)
                {
                    var packet = IcmpEcho.Request(v6, id, (ushort)seq, options.PayloadSize);
                    Volatile.Write(ref sentAt[seq], Stopwatch.GetTimestamp());
                    try
                    {
                        await socket.SendToAsync(packet, SocketFlags.None, target, ct);
                        transmitted++;
                    }
                    catch (SocketException e)
                    {
                        throw new SockException($"ping {host}: send to {address}: {SocketErrors.Format(e.SocketErrorCode)}", e);
                    }
                    if (seq < options.Count && await Task.WhenAny(receiver, Task.Delay(options.Interval, ct)) == receiver) break;
                }
                // Wait for the outstanding replies, at most the timeout after the last request.
                await Task.WhenAny(receiver, Task.Delay(options.Timeout, ct));
            }
            finally
            {
                await done.CancelAsync();
                await receiver.ContinueWith(static _ => { }, TaskScheduler.Default);
            }
            ct.ThrowIfCancellationRequested();
            if (receiver.Exception?.InnerException is SocketException failed)
                throw new SockException($"ping {host}: receive: {SocketErrors.Format(failed.SocketErrorCode)}", failed);
            if (receiver.Exception?.InnerException is { } other) throw new SockException($"ping {host}: receive: {other.Message}", other);
            PingReply[] got;
            lock (replies) got = [.. replies];
            return Summarize(host, address, transmitted, got, raw, clock.Elapsed);
        }
    }

    public static PingSummary Summarize(string host, IPAddress address, int transmitted, IReadOnlyList<PingReply> replies, bool raw, TimeSpan elapsed)
    {
        ArgumentNullException.ThrowIfNull(replies);
        var received = replies.Count;
        var loss = transmitted == 0 ? 0 : Math.Round(100.0 * (transmitted - received) / transmitted, 1);
        if (received == 0) return new PingSummary(host, address.ToString(), transmitted, 0, loss, 0, 0, 0, 0, replies, raw, elapsed);
        var ms = replies.Select(r => r.Ms).ToArray();
        var avg = ms.Average();
        var mdev = Math.Sqrt(Math.Max(0, ms.Select(x => x * x).Average() - avg * avg));
        return new PingSummary(host, address.ToString(), transmitted, received, loss, ms.Min(), avg, ms.Max(), mdev, replies, raw, elapsed);
    }

    /// <summary>A raw socket when allowed, else the ICMP datagram socket; neither: one clear line.</summary>
    private static (Socket Socket, bool Raw) Open(bool v6)
    {
        var family = v6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
        var protocol = v6 ? ProtocolType.IcmpV6 : ProtocolType.Icmp;
        try
        {
            return (new Socket(family, SocketType.Raw, protocol), true);
        }
        catch (SocketException raw) when (raw.SocketErrorCode is SocketError.AccessDenied or SocketError.OperationNotSupported or SocketError.ProtocolNotSupported)
        {
            try
            {
                return (new Socket(family, SocketType.Dgram, protocol), false);
            }
            catch (SocketException e)
            {
                throw new SockException($"ping: cannot open an ICMP socket: {SocketErrors.Format(e.SocketErrorCode)}: raw sockets need root (CAP_NET_RAW), "
                    + "and this user's group is outside net.ipv4.ping_group_range for unprivileged ICMP", e);
            }
        }
    }

    private static async Task ReceiveAsync(Socket socket, bool v6, bool raw, ushort id, long[] sentAt, List<PingReply> replies,
        Action<PingReply>? onReply, int count, CancellationToken ct)
    {
        var buffer = new byte[65536];
        var seen = new bool[count + 1];
        EndPoint any = new IPEndPoint(v6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        var left = count;
        while (left > 0)
        {
            var r = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, ct);
            var now = Stopwatch.GetTimestamp();
            var reply = IcmpEcho.ParseReply(buffer.AsSpan(0, r.ReceivedBytes), v6, withIpHeader: raw && !v6);
            // A datagram socket's identifier is the kernel's (its port), so only raw sockets check ours.
            if (reply is not { } echo || (raw && echo.Id != id) || echo.Sequence == 0 || echo.Sequence > count || seen[echo.Sequence]) continue;
            var sent = Volatile.Read(ref sentAt[echo.Sequence]);
            if (sent == 0) continue;
            seen[echo.Sequence] = true;
            left--;
            var result = new PingReply(echo.Sequence, echo.Bytes, echo.Ttl, Math.Round(Stopwatch.GetElapsedTime(sent, now).TotalMilliseconds, 3));
            lock (replies) replies.Add(result);
            onReply?.Invoke(result);
        }
    }

    private static async Task<IPAddress> ResolveAsync(string host, AddressFamily family, CancellationToken ct)
    {
        var bare = host.Trim('[', ']');
        if (IPAddress.TryParse(bare, out var literal))
        {
            if (family != AddressFamily.Unspecified && literal.AddressFamily != family)
                throw new SockException($"ping {host}: not an {(family == AddressFamily.InterNetwork ? "IPv4" : "IPv6")} address");
            return literal;
        }
        try
        {
            var found = await Dns.GetHostAddressesAsync(bare, family, ct);
            return found.FirstOrDefault() ?? throw new SockException($"ping {host}: no address");
        }
        catch (SocketException e)
        {
            throw new SockException($"ping {host}: {SocketErrors.Format(e.SocketErrorCode)}", e);
        }
    }
}
