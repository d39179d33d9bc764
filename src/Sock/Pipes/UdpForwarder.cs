using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Sock.Net;

namespace Sock.Pipes;

/// <summary>
/// <c>sock forward -u</c>: UDP relay with one session per client address (socat
/// <c>UDP-LISTEN:…,fork UDP:…</c>). Each client gets its own connected socket towards the target, so
/// replies find their way back; a session with no datagram either way for <see cref="IdleTimeout"/>
/// expires and is reported with its counts.
/// </summary>
public sealed class UdpForwarder(ForwardOptions options, Action<string> report)
{
    public static readonly TimeSpan DefaultIdleTimeout = TimeSpan.FromSeconds(60);

    public TimeSpan IdleTimeout { get; init; } = DefaultIdleTimeout;

    private const int MaxDatagram = 65535;
    private readonly ConcurrentDictionary<IPEndPoint, Session> _sessions = new();

    public int Sessions => _sessions.Count;

    public async Task RunAsync(Socket listener, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(listener);
        var target = await ResolveTargetAsync(ct);
        var buffer = ArrayPool<byte>.Shared.Rent(MaxDatagram);
        EndPoint any = listener.AddressFamily == AddressFamily.InterNetworkV6 ? new IPEndPoint(IPAddress.IPv6Any, 0) : new IPEndPoint(IPAddress.Any, 0);
        var sweeper = SweepAsync(ct);
        try
        {
            while (true)
            {
                SocketReceiveFromResult r;
                try
                {
                    r = await listener.ReceiveFromAsync(buffer.AsMemory(), SocketFlags.None, any, ct);
                }
                catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused or SocketError.ConnectionReset)
                {
                    continue; // ICMP unreachable for an earlier reply to a client that has gone
                }
                var from = (IPEndPoint)r.RemoteEndPoint;
                if (!_sessions.TryGetValue(from, out var session))
                {
                    if (options.Filter?.Check(from.Address) is { } why)
                    {
                        report($"refused datagram from {Endpoints.Describe(from)}: {why}");
                        continue;
                    }
                    if (options.MaxClients > 0 && _sessions.Count >= options.MaxClients)
                    {
                        report($"refused datagram from {Endpoints.Describe(from)}: {options.MaxClients} sessions already open (--max-clients)");
                        continue;
                    }
                    session = new Session(from, new Socket(target.AddressFamily, SocketType.Dgram, ProtocolType.Udp));
                    try
                    {
                        if (options.Connect.Source is { } source) session.Socket.Bind(source);
                        session.Socket.Connect(target);
                    }
                    catch (SocketException e)
                    {
                        session.Socket.Dispose();
                        report($"{Endpoints.Describe(from)} -> {options.Target.Display}: {SocketErrors.Format(e.SocketErrorCode)}");
                        continue;
                    }
                    _sessions[from] = session;
                    session.Pump = Task.Run(() => RepliesAsync(listener, session, ct), CancellationToken.None);
                }
                session.Touch();
                try
                {
                    await session.Socket.SendAsync(buffer.AsMemory(0, r.ReceivedBytes), SocketFlags.None, ct);
                    session.Up(r.ReceivedBytes);
                }
                catch (SocketException)
                {
                    // The target's ICMP unreachable surfaces here or on the reply socket: a datagram lost, as UDP does.
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            foreach (var s in _sessions.Values) s.Socket.Dispose();
            await sweeper.ContinueWith(static _ => { }, TaskScheduler.Default);
        }
    }

    private async Task<IPEndPoint> ResolveTargetAsync(CancellationToken ct)
    {
        var host = options.Target.Host!.Trim('[', ']');
        if (IPAddress.TryParse(host, out var literal)) return new IPEndPoint(literal, options.Target.Port);
        try
        {
            var found = await Dns.GetHostAddressesAsync(host, options.Target.Family, ct);
            if (found.Length > 0) return new IPEndPoint(found[0], options.Target.Port);
        }
        catch (SocketException e)
        {
            throw new SockException($"resolve {host}: {SocketErrors.Format(e.SocketErrorCode)}", e);
        }
        throw new SockException($"resolve {host}: no address");
    }

    private static async Task RepliesAsync(Socket listener, Session session, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(MaxDatagram);
        try
        {
            while (true)
            {
                int n;
                try
                {
                    n = await session.Socket.ReceiveAsync(buffer.AsMemory(), SocketFlags.None, ct);
                }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
                {
                    continue; // nobody at the target port for that datagram; a later one may find it
                }
                session.Touch();
                await listener.SendToAsync(buffer.AsMemory(0, n), SocketFlags.None, session.Client, ct);
                session.Down(n);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Expires idle sessions, reporting each one's counts.</summary>
    private async Task SweepAsync(CancellationToken ct)
    {
        var period = TimeSpan.FromMilliseconds(Math.Clamp(IdleTimeout.TotalMilliseconds / 4, 50, 1000));
        using var timer = new PeriodicTimer(period);
        while (await timer.WaitForNextTickAsync(ct))
        {
            foreach (var (client, session) in _sessions)
            {
                if (session.Quiet < IdleTimeout || !_sessions.TryRemove(client, out _)) continue;
                session.Socket.Dispose();
                var result = new RelayResult(session.BytesUp, session.BytesDown, session.Age, "expired after " + $"{IdleTimeout.TotalSeconds:0.###}s idle");
                report(new ForwardRecord(Endpoints.Describe(client), options.Target.Display, result).ToString());
            }
        }
    }

    private sealed class Session(IPEndPoint client, Socket socket)
    {
        private readonly Stopwatch _age = Stopwatch.StartNew();
        private long _last = Environment.TickCount64, _up, _down;

        public IPEndPoint Client { get; } = client;
        public Socket Socket { get; } = socket;
        public Task? Pump { get; set; }
        public long BytesUp => Interlocked.Read(ref _up);
        public long BytesDown => Interlocked.Read(ref _down);
        public TimeSpan Age => _age.Elapsed;
        public TimeSpan Quiet => TimeSpan.FromMilliseconds(Environment.TickCount64 - Volatile.Read(ref _last));

        public void Touch() => Volatile.Write(ref _last, Environment.TickCount64);
        public void Up(int n) => Interlocked.Add(ref _up, n);
        public void Down(int n) => Interlocked.Add(ref _down, n);
    }
}
