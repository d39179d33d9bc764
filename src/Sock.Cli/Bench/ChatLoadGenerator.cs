using System.Buffers.Text;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Sock.Chat.Bench;

public enum BenchProtocol { Plain, Irc }

/// <summary>What to run: N clients in one room, M of them sending K messages of S bytes.</summary>
public sealed record ChatLoadOptions
{
    public string Host { get; init; } = "127.0.0.1";
    public int Port { get; init; } = ChatServerOptions.DefaultPort;
    public BenchProtocol Protocol { get; init; } = BenchProtocol.Plain;
    public int Clients { get; init; } = 10;
    public int Senders { get; init; } = 10;
    public int Messages { get; init; } = 100;
    public int Size { get; init; } = 100;
    /// <summary>Messages per second per sender; 0 = as fast as the server takes them.</summary>
    public double Rate { get; init; }
    public string Room { get; init; } = "#bench";
    /// <summary>Give up waiting when nothing new arrives for this long.</summary>
    public TimeSpan Quiet { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>Idle runs (no senders): how long to keep the connections open.</summary>
    public TimeSpan Hold { get; init; } = TimeSpan.Zero;
    /// <summary>Plain runs: pause after connecting so the server finishes greeting everyone.</summary>
    public TimeSpan Settle { get; init; } = TimeSpan.FromSeconds(1.5);
    public int ConnectConcurrency { get; init; } = 200;
    /// <summary>
    /// How long each client may take to connect and register, and then (IRC runs with senders) again
    /// to JOIN and see its 366. A join storm of 10,000 into one room is 50 million JOIN lines, and the
    /// late joiners wait behind them longer than the default.
    /// </summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>IRC: log every client in as account b{index} (REGISTER on first use, then SASL PLAIN); null = guests.</summary>
    public string? LoginPassword { get; init; }
    /// <summary>IRC over WebSocket (text.ircv3.net, ws://HOST:PORT/) instead of TCP: what a web client costs the server.</summary>
    public bool WebSocket { get; init; }
    /// <summary>More servers of the same chat (cluster nodes): client i goes to the (i mod n)-th of Host:Port and these.</summary>
    public IReadOnlyList<(string Host, int Port)> Others { get; init; } = [];
}

/// <summary>The outcome: every count a load test needs to be believed.</summary>
public sealed record ChatLoadResult
{
    public int Clients { get; init; }
    public int Connected { get; init; }
    public long Expected { get; init; }
    public long Delivered { get; init; }
    public long Lost { get; init; }
    /// <summary>Lines that carried a benchmark marker but were split, merged or mis-attributed.</summary>
    public long Corrupt { get; init; }
    /// <summary>
    /// Whole marked lines from an earlier run: a server that replays a room's history on JOIN (sock
    /// does, 20 lines) sends the last run's messages to every joiner. Neither delivered nor corrupt.
    /// </summary>
    public long Replayed { get; init; }
    public long OutOfOrder { get; init; }
    public double Seconds { get; init; }
    public double DeliveriesPerSecond { get; init; }
    public double P50Ms { get; init; }
    public double P99Ms { get; init; }
    public double MaxMs { get; init; }
    /// <summary>Why the first client that could not connect or register failed (null when all did).</summary>
    public string? ConnectError { get; init; }
    /// <summary>The join storm: first connect to the last client registered and joined (its 366).</summary>
    public double JoinSeconds { get; init; }
    /// <summary>From the last 366 until the room was quiet (the JOIN lines still queued when it came); IRC runs with senders.</summary>
    public double QuietSeconds { get; init; }
    /// <summary>The load generator's own CPU (user + system) during the join storm (to the quiet room) and during the sending phase.</summary>
    public double BenchJoinCpuSeconds { get; init; }
    public double BenchSendCpuSeconds { get; init; }
}

/// <summary>
/// A chat load generator (like redis-benchmark for chat servers): speaks plain lines or IRC, so it
/// measures sock, InspIRCd and `ncat --chat` alike. Each message carries its sender, sequence and
/// send time, so every receiver can count, order-check and time it.
/// </summary>
public sealed class ChatLoadGenerator(ChatLoadOptions options)
{
    private static readonly byte[] Marker = "BENCH "u8.ToArray();
    // Rare outcomes only: deliveries, their times and latencies are counted per client (BenchClient).
    private long _corrupt, _replayed, _outOfOrder;
    // Names this run in every marker, so history replayed from an earlier run against the same
    // server (same room, same nicks) is told apart from this run's messages.
    private readonly int _run = Random.Shared.Next(1, int.MaxValue);
    private string? _firstError;

    /// <summary>Progress lines for a person watching (connections made, sending started…).</summary>
    public event Action<string>? Progress;

    public async Task<ChatLoadResult> RunAsync(CancellationToken ct)
    {
        var o = options;
        if (o.Senders > o.Clients) throw new ArgumentException("--senders cannot exceed --clients");
        var markerLength = Encoding.ASCII.GetByteCount($"BENCH {int.MaxValue} {o.Senders} {o.Messages} {long.MaxValue} ");
        if (o.Senders > 0 && o.Size < markerLength) throw new ArgumentException($"--size must be at least {markerLength} bytes (the marker)");
        var expected = (long)o.Senders * o.Messages * (o.Clients - 1);
        var clients = new BenchClient?[o.Clients];
        var readers = new Task?[o.Clients];
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var gate = new SemaphoreSlim(o.ConnectConcurrency);
        var stormStart = Stopwatch.GetTimestamp();
        var cpuStart = Environment.CpuUsage.TotalTime;
        var connecting = Enumerable.Range(0, o.Clients).Select(async i =>
        {
            await gate.WaitAsync(ct);
            try
            {
                clients[i] = await ConnectAsync(i, stop.Token);
                // Read from the moment registration ends, as a real client does: a client that only
                // starts reading once all N have joined leaves the server buffering the whole join
                // storm (N²/2 JOIN lines), which measures buffering, not fan-out.
                readers[i] = clients[i]!.ReadLoopAsync(this, stop.Token);
            }
            catch (Exception e) when (e is SocketException or IOException or TimeoutException)
            {
                Interlocked.CompareExchange(ref _firstError, e is SocketException se ? Net.SocketErrors.Format(se.SocketErrorCode) : e.Message, null);
            }
            finally { gate.Release(); }
        }).ToList();
        await Task.WhenAll(connecting);
        var joinSeconds = Stopwatch.GetElapsedTime(stormStart).TotalSeconds;
        var connected = clients.Count(c => c is not null);
        if (connected == 0) throw new SockException($"bench chat: cannot connect to {o.Host}:{o.Port}: {_firstError}");
        Progress?.Invoke($"connected {connected}/{o.Clients} in {joinSeconds:0.0}s" + (_firstError is null ? "" : $" (first failure: {_firstError})"));
        double quietSeconds = 0;
        if (o.Protocol == BenchProtocol.Plain) await Task.Delay(o.Settle, ct);
        else if (o.Senders > 0) quietSeconds = await WaitForQuietAsync(clients, ct);
        var cpuQuiet = Environment.CpuUsage.TotalTime;

        double seconds = 0;
        var cpuSent = cpuQuiet;
        if (o.Senders > 0 && connected == o.Clients)
        {
            var start = Stopwatch.GetTimestamp();
            var senders = Enumerable.Range(0, o.Senders).Select(i => clients[i]!.SendAllAsync(_run, i, o, stop.Token)).ToList();
            await Task.WhenAll(senders);
            Progress?.Invoke("all messages sent; waiting for deliveries");
            var seen = -1L;
            var seenAt = Stopwatch.GetTimestamp();
            while (Delivered(clients) is var now && now < expected)
            {
                if (now != seen) (seen, seenAt) = (now, Stopwatch.GetTimestamp());
                else if (Stopwatch.GetElapsedTime(Math.Max(seenAt, LastDelivery(clients, start))) > o.Quiet) break;
                await Task.Delay(20, ct);
            }
            seconds = Stopwatch.GetElapsedTime(start, LastDelivery(clients, start)).TotalSeconds;
            cpuSent = Environment.CpuUsage.TotalTime;
        }
        else if (o.Hold > TimeSpan.Zero)
        {
            Progress?.Invoke($"holding {connected} idle connections for {o.Hold.TotalSeconds:0}s");
            await Task.Delay(o.Hold, ct);
        }
        await stop.CancelAsync();
        foreach (var c in clients) c?.Dispose();
        try { await Task.WhenAll(readers.OfType<Task>()); } catch (OperationCanceledException) { }

        var delivered = Delivered(clients);
        var lat = new long[clients.Sum(c => c?.LatencyCount ?? 0)].AsSpan();
        var n = 0;
        foreach (var c in clients)
        {
            if (c is null) continue;
            c.Latencies.AsSpan(0, c.LatencyCount).CopyTo(lat[n..]);
            n += c.LatencyCount;
        }
        lat.Sort();
        double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
        return new ChatLoadResult
        {
            Clients = o.Clients,
            Connected = connected,
            ConnectError = _firstError,
            JoinSeconds = joinSeconds,
            QuietSeconds = quietSeconds,
            BenchJoinCpuSeconds = (cpuQuiet - cpuStart).TotalSeconds,
            BenchSendCpuSeconds = (cpuSent - cpuQuiet).TotalSeconds,
            Expected = expected,
            Delivered = delivered,
            Lost = Math.Max(0, expected - delivered),
            Corrupt = Interlocked.Read(ref _corrupt),
            Replayed = Interlocked.Read(ref _replayed),
            OutOfOrder = Interlocked.Read(ref _outOfOrder),
            Seconds = seconds,
            DeliveriesPerSecond = seconds > 0 ? delivered / seconds : 0,
            P50Ms = n > 0 ? Ms(lat[n / 2]) : 0,
            P99Ms = n > 0 ? Ms(lat[Math.Min(n - 1, (int)(n * 0.99))]) : 0,
            MaxMs = n > 0 ? Ms(lat[n - 1]) : 0,
        };
    }

    private static long Delivered(BenchClient?[] clients)
    {
        long sum = 0;
        foreach (var c in clients) if (c is not null) sum += Volatile.Read(ref c.Delivered);
        return sum;
    }

    private static long LastDelivery(BenchClient?[] clients, long start)
    {
        var last = start;
        foreach (var c in clients) if (c is not null) last = Math.Max(last, Volatile.Read(ref c.LastDelivery));
        return last;
    }

    /// <summary>
    /// Waits until no client has received anything for a moment before the first message: N IRC
    /// clients joining one room make N²/2 JOIN lines (50 million at 10,000), still on their way
    /// when the last client has joined. Sending into that backlog measured the join storm's tail
    /// as fan-out time (and its queueing as the messages' latency).
    /// </summary>
    private async Task<double> WaitForQuietAsync(BenchClient?[] clients, CancellationToken ct)
    {
        var quiet = TimeSpan.FromMilliseconds(300);
        var waited = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(waited) < TimeSpan.FromMinutes(2))
        {
            var last = waited;
            foreach (var c in clients) if (c is not null) last = Math.Max(last, Volatile.Read(ref c.LastReceive));
            if (Stopwatch.GetElapsedTime(last) >= quiet) break;
            await Task.Delay(50, ct);
        }
        var seconds = Stopwatch.GetElapsedTime(waited).TotalSeconds;
        Progress?.Invoke($"room quiet after {seconds:0.0}s");
        return seconds;
    }

    private async Task<BenchClient> ConnectAsync(int index, CancellationToken ct)
    {
        var (host, port) = index % (options.Others.Count + 1) is var k && k == 0 ? (options.Host, options.Port) : options.Others[k - 1];
        IDisposable transport = options.WebSocket ? NewWebSocket() : new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var phase = "registration";
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(options.ConnectTimeout);
            var client = await OpenAsync(transport, host, port, index, timeout.Token);
            await client.RegisterAsync(timeout.Token);
            // The JOIN has its own allowance: in a join storm a registered client's 366 comes after
            // everything the server is fanning out meanwhile, which says nothing of its registration.
            phase = "JOIN";
            timeout.CancelAfter(options.ConnectTimeout);
            await client.JoinAsync(timeout.Token);
            return client;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            transport.Dispose();
            throw new TimeoutException($"{phase} timed out after {options.ConnectTimeout.TotalSeconds:0}s (--connect-timeout)");
        }
        catch
        {
            transport.Dispose();
            throw;
        }
    }

    /// <summary>A web user's socket: the IRCv3 WebSocket transport's text subprotocol.</summary>
    private static System.Net.WebSockets.ClientWebSocket NewWebSocket()
    {
        var ws = new System.Net.WebSockets.ClientWebSocket();
        ws.Options.AddSubProtocol(Transport.WebSocketLineStream.TextProtocol);
        return ws;
    }

    /// <summary>
    /// Connects the transport: a TCP socket the client reads and writes directly, or a WebSocket
    /// (ws://HOST:PORT/) read and written through the library's own line adapter, one line per message.
    /// </summary>
    private async Task<BenchClient> OpenAsync(IDisposable transport, string host, int port, int index, CancellationToken ct)
    {
        if (transport is System.Net.WebSockets.ClientWebSocket ws)
        {
            await ws.ConnectAsync(new UriBuilder("ws", host, port, "/").Uri, ct);
            return new BenchClient(new Transport.WebSocketLineStream(ws, System.Net.WebSockets.WebSocketMessageType.Text, 64 * 1024), options, index);
        }
        var socket = (Socket)transport;
        await socket.ConnectAsync(host, port, ct);
        return new BenchClient(socket, options, index);
    }

    /// <summary>One received line carrying a marker: checks it whole, in order, and times it.</summary>
    internal void OnMarkedLine(BenchClient client, ReadOnlySpan<byte> line, int markerAt, int[] lastSeq)
    {
        var rest = line[(markerAt + Marker.Length)..];
        if (!TakeNumber(ref rest, out var run))
        {
            Interlocked.Increment(ref _corrupt);
            return;
        }
        if (run != _run)
        {
            Interlocked.Increment(ref _replayed);
            return;
        }
        if (!TakeNumber(ref rest, out var sender) || !TakeNumber(ref rest, out var seq) || !TakeNumber(ref rest, out var ticks)
            || sender < 0 || sender >= options.Senders)
        {
            Interlocked.Increment(ref _corrupt);
            return;
        }
        // The payload after the marker must be exactly the padding the sender wrote: no more, no less.
        var payloadLength = line.Length - markerAt;
        if (payloadLength != options.Size || rest.IndexOfAnyExcept((byte)'x') >= 0 || !Attributed(line, markerAt, (int)sender))
        {
            Interlocked.Increment(ref _corrupt);
            return;
        }
        if (seq != lastSeq[sender] + 1) Interlocked.Increment(ref _outOfOrder);
        lastSeq[sender] = (int)seq;
        var now = Stopwatch.GetTimestamp();
        if (client.LatencyCount < client.Latencies.Length) client.Latencies[client.LatencyCount++] = now - ticks;
        Volatile.Write(ref client.Delivered, client.Delivered + 1);
        Volatile.Write(ref client.LastDelivery, now);
    }

    /// <summary>IRC lines name their sender (":b3!…"); plain lines can't be checked beyond their shape.</summary>
    private bool Attributed(ReadOnlySpan<byte> line, int markerAt, int sender)
    {
        if (options.Protocol != BenchProtocol.Irc) return true;
        Span<byte> expected = stackalloc byte[16];
        expected[0] = (byte)':';
        expected[1] = (byte)'b';
        Utf8Formatter.TryFormat(sender, expected[2..], out var w);
        expected[2 + w] = (byte)'!';
        return line[..markerAt].StartsWith(expected[..(3 + w)]);
    }

    private static bool TakeNumber(ref ReadOnlySpan<byte> s, out long value)
    {
        var sp = s.IndexOf((byte)' ');
        if (sp <= 0 || !Utf8Parser.TryParse(s[..sp], out value, out var used) || used != sp) { value = 0; return false; }
        s = s[(sp + 1)..];
        return true;
    }

    internal static int FindMarker(ReadOnlySpan<byte> line) => line.IndexOf(Marker);
}
