using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Sock.Net.Ping;

namespace Sock.Net.Trace;

/// <summary>
/// <c>trace</c>: the route to a host, hop by hop, as traceroute (ICMP, UDP) and tcptraceroute
/// (TCP SYN) find it: probes with rising TTLs, the routers' ICMP time-exceeded answers read from a
/// raw socket. Probes go out a few milliseconds apart without waiting for answers (traceroute's
/// simultaneous probes), and sending stops at the first TTL the destination answers.
/// </summary>
/// <example>
/// <code>
/// var trace = await Tracer.RunAsync("10.0.3.2", new TraceOptions { Protocol = TraceProtocol.Tcp, Port = 80 }, null, ct);
/// foreach (var hop in trace.Hops) Console.WriteLine($"{hop.Hop} {hop.Probes[0].Address}");
/// </code>
/// </example>
public static class Tracer
{
    public static async Task<TraceResult> RunAsync(string host, TraceOptions options, Action<string, IPAddress>? onStart, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);
        var address = await ResolveAsync(host, ct);
        onStart?.Invoke(host, address);
        var round = await ProbeRoundAsync(host, address, options, options.Queries, ct);
        var names = options.ResolveNames ? await NamesAsync(round.SelectMany(h => h.Probes).Select(p => p.Address), ct) : [];
        var hops = round.Select(h => new TraceHop(h.Hop, h.Probes.Select(p => p with { Name = p.Address is null ? null : names.GetValueOrDefault(p.Address) }).ToList())).ToList();
        var reached = hops.Count > 0 && hops[^1].Probes.Any(p => p.Address == address.ToString());
        return new TraceResult(host, address.ToString(), Name(options.Protocol), options.Port, options.MaxHops, reached, hops);
    }

    /// <summary>mtr --report: <paramref name="cycles"/> rounds of one probe per hop, <paramref name="interval"/> apart, summed up per hop.</summary>
    public static async Task<TraceReport> ReportAsync(string host, TraceOptions options, int cycles, TimeSpan interval, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);
        if (cycles is < 1 or > 10000) throw new ArgumentException($"trace: --cycles {cycles} must be 1-10000");
        var address = await ResolveAsync(host, ct);
        var rounds = new List<List<TraceHop>>();
        for (var c = 0; c < cycles; c++)
        {
            if (c > 0) await Task.Delay(interval, ct);
            rounds.Add(await ProbeRoundAsync(host, address, options, 1, ct));
        }
        var target = address.ToString();
        var reachedAt = rounds.Select(r => r.Count > 0 && r[^1].Probes.Any(p => p.Address == target) ? r.Count : 0).Where(n => n > 0).DefaultIfEmpty(0).Min();
        var depth = reachedAt > 0 ? reachedAt
            : rounds.SelectMany(r => r.Where(h => h.Probes.Any(p => p.Address is not null)).Select(h => h.Hop)).DefaultIfEmpty(1).Max();
        var rows = new List<(int Hop, string? Address, List<double> Ms, int Sent, double Last)>();
        for (var hop = 1; hop <= depth; hop++)
        {
            var probes = rounds.Select(r => r.Find(h => h.Hop == hop) is { Probes.Count: > 0 } found ? found.Probes[0] : null).ToList();
            var answered = probes.Where(p => p?.Ms is not null).Select(p => p!).ToList();
            var most = answered.GroupBy(p => p.Address).OrderByDescending(g => g.Count()).FirstOrDefault()?.Key;
            rows.Add((hop, most, answered.Select(p => p.Ms!.Value).ToList(), cycles, answered.Count > 0 ? answered[^1].Ms!.Value : 0));
        }
        var names = options.ResolveNames ? await NamesAsync(rows.Select(r => r.Address), ct) : [];
        var hops = rows.Select(r =>
        {
            var n = r.Ms.Count;
            var avg = n > 0 ? r.Ms.Average() : 0;
            var stdev = n > 1 ? Math.Sqrt(r.Ms.Sum(x => (x - avg) * (x - avg)) / (n - 1)) : 0;
            return new TraceReportHop(r.Hop, r.Address, r.Address is null ? null : names.GetValueOrDefault(r.Address),
                Math.Round(100.0 * (r.Sent - n) / r.Sent, 1), r.Sent, n, R(r.Last), R(avg), R(n > 0 ? r.Ms.Min() : 0), R(n > 0 ? r.Ms.Max() : 0), R(stdev));
        }).ToList();
        return new TraceReport(host, target, Name(options.Protocol), options.Port, cycles, reachedAt > 0, hops);
    }

    private static double R(double ms) => Math.Round(ms, 3);

    private static string Name(TraceProtocol p) => p.ToString().ToLowerInvariant();

    private static void Validate(TraceOptions o)
    {
        if (o.MaxHops is < 1 or > 255) throw new ArgumentException($"trace: --max-hops {o.MaxHops} must be 1-255");
        if (o.Queries is < 1 or > 10) throw new ArgumentException($"trace: --queries {o.Queries} must be 1-10");
        if (o.Protocol == TraceProtocol.Tcp && o.Port is < 1 or > 65535) throw new ArgumentException($"trace: --tcp port {o.Port} must be 1-65535");
        if (o.Wait <= TimeSpan.Zero || o.Wait > TimeSpan.FromMinutes(1)) throw new ArgumentException("trace: --wait must be more than 0 and at most 60 seconds");
    }

    private sealed class Slot(int ttl, int index)
    {
        public int Ttl { get; } = ttl;
        public int Index { get; } = index;
        public long SentAt;
        public TraceProbe? Answer;
    }

    /// <summary>One round: up to <paramref name="queries"/> probes per TTL until the destination answers, then the wait for the stragglers.</summary>
    private static async Task<List<TraceHop>> ProbeRoundAsync(string host, IPAddress destination, TraceOptions o, int queries, CancellationToken ct)
    {
        var prefix = $"trace {host}";
        using var icmp = OpenRawIcmp(prefix);
        icmp.Bind(new IPEndPoint(IPAddress.Any, 0));
        using var udp = o.Protocol == TraceProtocol.Udp ? new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) : null;
        udp?.Bind(new IPEndPoint(IPAddress.Any, 0));
        var udpSourcePort = udp is null ? -1 : ((IPEndPoint)udp.LocalEndPoint!).Port;
        var icmpId = (ushort)Random.Shared.Next(1, 65535);
        var slots = new Dictionary<int, Slot>();
        var gate = new Lock();
        var reachedTtl = int.MaxValue;
        Exception? fatal = null;
        var tcpSockets = new List<Socket>();
        var tcpTasks = new List<Task>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);

        void Answer(int key, IPAddress from, string? note, bool fromDestination, long at)
        {
            lock (gate)
            {
                if (!slots.TryGetValue(key, out var slot) || slot.Answer is not null || slot.SentAt == 0) return;
                slot.Answer = new TraceProbe(from.ToString(), null, Math.Round(Stopwatch.GetElapsedTime(slot.SentAt, at).TotalMilliseconds, 3), note);
                if (fromDestination && slot.Ttl < reachedTtl) reachedTtl = slot.Ttl;
            }
        }

        var receiver = Task.Run(async () =>
        {
            var buffer = new byte[4096];
            EndPoint any = new IPEndPoint(IPAddress.Any, 0);
            try
            {
                while (true)
                {
                    var r = await icmp.ReceiveFromAsync(buffer, SocketFlags.None, any, stop.Token);
                    var at = Stopwatch.GetTimestamp();
                    if (TracePackets.Parse(buffer.AsSpan(0, r.ReceivedBytes), destination, icmpId, udpSourcePort) is not { } a || a.Protocol != o.Protocol) continue;
                    // An unreachable from a router (!N, !H, !X) ends the trace there, as traceroute stops.
                    var note = TracePackets.Note(a.Type, a.Code, a.FromDestination);
                    Answer(a.Key, a.From, note, a.FromDestination || note is not null, at);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
            }
        }, CancellationToken.None);

        var counter = 0;
        try
        {
            // Warm the send path once (JIT, first-use set-up) on loopback, so the first probe's time is the network's.
            if (o.Protocol != TraceProtocol.Tcp)
            {
                var warm = udp ?? icmp;
                warm.Ttl = 1;
                await SendAsync(warm, udp is null ? IcmpEcho.Request(false, (ushort)(icmpId ^ 0xFFFF), 0, 8) : new byte[8], new IPEndPoint(IPAddress.Loopback, 9), prefix, ct);
            }
            for (var ttl = 1; ttl <= o.MaxHops; ttl++)
            {
                lock (gate) if (reachedTtl < ttl) break;
                for (var q = 0; q < queries; q++)
                {
                    counter++;
                    switch (o.Protocol)
                    {
                        case TraceProtocol.Icmp:
                        {
                            var key = counter;
                            var slot = Add(key, ttl, q);
                            icmp.Ttl = (short)ttl;
                            slot.SentAt = Stopwatch.GetTimestamp();
                            await SendAsync(icmp, IcmpEcho.Request(false, icmpId, (ushort)key, 32), new IPEndPoint(destination, 0), prefix, ct);
                            break;
                        }
                        case TraceProtocol.Udp:
                        {
                            var key = (o.Port > 0 ? o.Port : TraceOptions.FirstUdpPort) + counter - 1;
                            if (key > 65535) key = TraceOptions.FirstUdpPort + counter % 1000;
                            var slot = Add(key, ttl, q);
                            udp!.Ttl = (short)ttl;
                            slot.SentAt = Stopwatch.GetTimestamp();
                            await SendAsync(udp, new byte[32], new IPEndPoint(destination, key), prefix, ct);
                            break;
                        }
                        default:
                        {
                            var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { Ttl = (short)ttl };
                            tcpSockets.Add(tcp);
                            tcp.Bind(new IPEndPoint(IPAddress.Any, 0));
                            var key = ((IPEndPoint)tcp.LocalEndPoint!).Port;
                            var slot = Add(key, ttl, q);
                            slot.SentAt = Stopwatch.GetTimestamp();
                            tcpTasks.Add(ConnectProbeAsync(tcp, key, slot.Ttl));
                            break;
                        }
                    }
                    if (fatal is not null) throw fatal;
                    await Task.Delay(o.Gap, ct);
                }
            }
            // The stragglers: every probe up to the destination gets its full wait.
            while (true)
            {
                if (fatal is not null) throw fatal;
                long deadline;
                lock (gate)
                {
                    var open = slots.Values.Where(s => s.Ttl <= reachedTtl && s.Answer is null).ToList();
                    if (open.Count == 0) break;
                    deadline = open.Max(s => s.SentAt) + (long)(o.Wait.TotalSeconds * Stopwatch.Frequency);
                }
                if (Stopwatch.GetTimestamp() >= deadline) break;
                await Task.Delay(20, ct);
            }
        }
        finally
        {
            await stop.CancelAsync();
            foreach (var s in tcpSockets) s.Dispose();
            await Task.WhenAll(tcpTasks.Append(receiver)).ContinueWith(static _ => { }, TaskScheduler.Default);
        }

        List<TraceHop> hops;
        lock (gate)
        {
            var last = reachedTtl != int.MaxValue ? reachedTtl : slots.Values.Select(s => s.Ttl).DefaultIfEmpty(0).Max();
            hops = slots.Values.Where(s => s.Ttl <= last).GroupBy(s => s.Ttl).OrderBy(g => g.Key)
                .Select(g => new TraceHop(g.Key, g.OrderBy(s => s.Index).Select(s => s.Answer ?? new TraceProbe(null, null, null, null)).ToList())).ToList();
        }
        return hops;

        Slot Add(int key, int ttl, int index)
        {
            var slot = new Slot(ttl, index);
            lock (gate) slots[key] = slot;
            return slot;
        }

        // A SYN answered by SYN-ACK (open) or RST (closed) is the destination; routers answer with ICMP instead.
        async Task ConnectProbeAsync(Socket tcp, int key, int ttl)
        {
            try
            {
                await tcp.ConnectAsync(new IPEndPoint(destination, o.Port), stop.Token);
                Answer(key, destination, null, true, Stopwatch.GetTimestamp());
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
            {
                Answer(key, destination, null, true, Stopwatch.GetTimestamp());
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.NetworkUnreachable && ttl == 1)
            {
                fatal ??= new SockException($"{prefix}: connect: {SocketErrors.Format(e.SocketErrorCode)}", e);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // Timed out or cut off when the round ended: an unanswered probe, shown as "*".
            }
        }
    }

    private static async Task SendAsync(Socket socket, byte[] packet, IPEndPoint to, string prefix, CancellationToken ct)
    {
        try
        {
            await socket.SendToAsync(packet, SocketFlags.None, to, ct);
        }
        catch (SocketException e)
        {
            throw new SockException($"{prefix}: send: {SocketErrors.Format(e.SocketErrorCode)}", e);
        }
    }

    /// <summary>Routers answer with ICMP, which only a raw socket receives: root or CAP_NET_RAW, said in one line otherwise.</summary>
    private static Socket OpenRawIcmp(string prefix)
    {
        try
        {
            return new Socket(AddressFamily.InterNetwork, SocketType.Raw, ProtocolType.Icmp);
        }
        catch (SocketException e)
        {
            throw new SockException($"{prefix}: cannot open a raw ICMP socket ({SocketErrors.Format(e.SocketErrorCode)}): "
                + "reading routers' time-exceeded answers needs root or CAP_NET_RAW (e.g. sudo setcap cap_net_raw+ep $(which sock))", e);
        }
    }

    private static async Task<IPAddress> ResolveAsync(string host, CancellationToken ct)
    {
        var bare = host.Trim('[', ']');
        if (IPAddress.TryParse(bare, out var literal))
        {
            if (literal.AddressFamily != AddressFamily.InterNetwork) throw new SockException($"trace {host}: only IPv4 routes are traced so far");
            return literal;
        }
        try
        {
            var found = await Dns.GetHostAddressesAsync(bare, AddressFamily.InterNetwork, ct);
            return found.FirstOrDefault() ?? throw new SockException($"trace {host}: no IPv4 address");
        }
        catch (SocketException e)
        {
            throw new SockException($"trace {host}: {SocketErrors.Format(e.SocketErrorCode)}", e);
        }
    }

    /// <summary>Reverse names for the addresses seen, looked up together, each given two seconds.</summary>
    private static async Task<Dictionary<string, string>> NamesAsync(IEnumerable<string?> addresses, CancellationToken ct)
    {
        var distinct = addresses.Where(a => a is not null).Select(a => a!).Distinct().ToList();
        var lookups = distinct.Select(async a =>
        {
            try
            {
                using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
                limit.CancelAfter(TimeSpan.FromSeconds(2));
                var entry = await Dns.GetHostEntryAsync(IPAddress.Parse(a)).WaitAsync(limit.Token);
                return (a, entry.HostName);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or ArgumentException)
            {
                return (a, (string?)null);
            }
        });
        var found = await Task.WhenAll(lookups);
        return found.Where(f => !string.IsNullOrEmpty(f.Item2) && f.Item2 != f.a).ToDictionary(f => f.a, f => f.Item2!);
    }
}
