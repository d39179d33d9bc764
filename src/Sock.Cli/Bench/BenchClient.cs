using System.Buffers;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Sock.Chat.Bench;

/// <summary>One simulated user: registers, sends its share, reads and checks everything it receives.</summary>
/// <remarks>
/// Over TCP it uses its socket directly (the measured path since the first benchmarks); a web user
/// reads and writes a stream of lines instead (<see cref="Transport.WebSocketLineStream"/>), whose
/// sends are one at a time: a WebSocket takes no second send while one is in flight.
/// </remarks>
internal sealed class BenchClient : IDisposable
{
    private readonly Socket? _socket;
    private readonly Stream? _lines;
    private readonly SemaphoreSlim? _sendGate;
    private readonly ChatLoadOptions options;
    private readonly int index;
    private byte[] _pending = [];

    public BenchClient(Socket socket, ChatLoadOptions options, int index) : this(socket, null, options, index) { }

    public BenchClient(Stream lines, ChatLoadOptions options, int index) : this(null, lines, options, index) { }

    private BenchClient(Socket? socket, Stream? lines, ChatLoadOptions options, int index)
    {
        _socket = socket;
        _lines = lines;
        _sendGate = lines is null ? null : new SemaphoreSlim(1, 1);
        this.options = options;
        this.index = index;
        Latencies = new long[Math.Max(0, options.Senders * options.Messages)];
    }

    private ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken ct) =>
        _socket is not null ? _socket.ReceiveAsync(buffer, SocketFlags.None, ct) : _lines!.ReadAsync(buffer, ct);

    private async Task SendRawAsync(ReadOnlyMemory<byte> bytes, CancellationToken ct)
    {
        if (_socket is not null)
        {
            await _socket.SendAsync(bytes, SocketFlags.None, ct);
            return;
        }
        await _sendGate!.WaitAsync(ct);
        try { await _lines!.WriteAsync(bytes, ct); }
        finally { _sendGate.Release(); }
    }

    // This client's counts, written only by its own read loop and summed by the generator: with
    // shared counters every delivery was three interlocked writes to one cache line that all
    // readers fought over (10,000 clients at millions of deliveries/s on two cores).
    internal long Delivered;
    internal long LastDelivery;
    /// <summary>When this client last received any bytes (the generator waits for a quiet room).</summary>
    internal long LastReceive;
    internal readonly long[] Latencies;
    internal int LatencyCount;

    public async Task RegisterAsync(CancellationToken ct)
    {
        if (options.Protocol == BenchProtocol.Plain)
        {
            // Idle runs put each plain client in its own room so joins don't fan out N² notices.
            if (options.Senders == 0) await SendAsync($"/join #idle-{index}\n", ct);
            return;
        }
        if (options.LoginPassword is { } password) await LogInAsync(password, ct);
        else
        {
            await SendAsync($"NICK b{index}\r\nUSER b{index} 0 * :bench {index}\r\n", ct);
            await WaitForAsync(" 001 ", ct);
        }
    }

    /// <summary>IRC runs with senders: joins the room and waits for the end of its NAMES (366).</summary>
    public async Task JoinAsync(CancellationToken ct)
    {
        if (options.Protocol != BenchProtocol.Irc || options.Senders == 0) return;
        await SendAsync($"JOIN {options.Room}\r\n", ct);
        await WaitForAsync(" 366 ", ct);
    }

    /// <summary>
    /// Account b{index}: REGISTER (draft/account-registration, which logs in) on first use, else SASL
    /// PLAIN. Registering first keeps a new account from counting as a failed login, whose
    /// per-address backoff would refuse the next run's logins.
    /// </summary>
    private async Task LogInAsync(string password, CancellationToken ct)
    {
        await SendAsync($"CAP REQ :sasl draft/account-registration\r\nNICK b{index}\r\nUSER b{index} 0 * :bench {index}\r\nREGISTER b{index} * :{password}\r\n", ct);
        var registered = await WaitForAsync(ct, "REGISTER SUCCESS", "FAIL REGISTER");
        if (!registered.Contains("REGISTER SUCCESS", StringComparison.Ordinal))
        {
            await SendAsync("AUTHENTICATE PLAIN\r\n", ct);
            await WaitForAsync("AUTHENTICATE +", ct);
            await SendAsync($"AUTHENTICATE {Convert.ToBase64String(Encoding.UTF8.GetBytes($"b{index}\0b{index}\0{password}"))}\r\n", ct);
            var outcome = await WaitForAsync(ct, " 903 ", " 904 ");
            if (!outcome.Contains(" 903 ", StringComparison.Ordinal)) throw new IOException($"b{index} could not log in: {outcome}");
        }
        await SendAsync("CAP END\r\n", ct);
        await WaitForAsync(" 001 ", ct);
    }

    private Task SendAsync(string text, CancellationToken ct) => SendRawAsync(Encoding.UTF8.GetBytes(text), ct);

    /// <summary>Reads registration replies until one contains <paramref name="text"/>, answering PINGs.</summary>
    private Task<string> WaitForAsync(string text, CancellationToken ct) => WaitForAsync(ct, text);

    /// <summary>Reads registration replies until one contains any of <paramref name="texts"/>; returns that line.</summary>
    private async Task<string> WaitForAsync(CancellationToken ct, params string[] texts)
    {
        var buffer = new byte[16 * 1024];
        // Lines that came with the previous wait's match are read first (a login's replies arrive together).
        var sb = new StringBuilder(Encoding.UTF8.GetString(_pending));
        _pending = [];
        var first = sb.Length > 0;
        while (true)
        {
            if (!first)
            {
                var n = await ReceiveAsync(buffer, ct);
                if (n == 0) throw new IOException("server closed the connection during registration");
                sb.Append(Encoding.UTF8.GetString(buffer, 0, n));
            }
            first = false;
            // Lines are taken by position: cutting the rest off a string per line copied the whole
            // read per line (a joiner's NAMES of 10,000 arrives in a few reads of hundreds of lines).
            var all = sb.ToString();
            int at = 0, nl;
            while ((nl = all.IndexOf('\n', at)) >= 0)
            {
                var line = all[at..nl].TrimEnd('\r');
                at = nl + 1;
                if (line.StartsWith("PING ", StringComparison.Ordinal)) await SendAsync("PONG " + line[5..] + "\r\n", ct);
                if (line.StartsWith("ERROR", StringComparison.Ordinal)) throw new IOException(line);
                if (texts.Any(t => line.Contains(t, StringComparison.Ordinal)))
                {
                    _pending = Encoding.UTF8.GetBytes(all[at..]);
                    return line;
                }
            }
            sb.Clear().Append(all, at, all.Length - at);
        }
    }

    public async Task SendAllAsync(int run, int sender, ChatLoadOptions o, CancellationToken ct)
    {
        var prefix = o.Protocol == BenchProtocol.Irc ? $"PRIVMSG {o.Room} :" : "";
        var newline = o.Protocol == BenchProtocol.Irc ? "\r\n" : "\n";
        var start = Stopwatch.GetTimestamp();
        for (var k = 0; k < o.Messages; k++)
        {
            if (o.Rate > 0)
            {
                var due = TimeSpan.FromSeconds(k / o.Rate) - Stopwatch.GetElapsedTime(start);
                if (due > TimeSpan.Zero) await Task.Delay(due, ct);
            }
            var marker = $"BENCH {run} {sender} {k} {Stopwatch.GetTimestamp()} ";
            var line = prefix + marker + new string('x', o.Size - marker.Length) + newline;
            await SendRawAsync(Encoding.ASCII.GetBytes(line), ct);
        }
    }

    public async Task ReadLoopAsync(ChatLoadGenerator sink, CancellationToken ct)
    {
        var lastSeq = Enumerable.Repeat(-1, Math.Max(1, options.Senders)).ToArray();
        var size = options.Senders == 0 ? 1024 : 64 * 1024;
        // Only an unfinished line is kept between reads; the read buffer is pooled and held only
        // while data is being handled, so 10,000 waiting clients hold no buffers (they held 192 KiB each).
        var carry = _pending;
        var carried = Consume(carry, sink, lastSeq, ref carry);
        try
        {
            if (options.Senders > 0)
            {
                // A sending run: its own buffer and one read per wake-up. The zero-byte read below
                // (no buffer held while idle) costs a second read and completion per wake-up, and
                // each line wakes 99 (or 9,999) receivers at once.
                var own = new byte[(options.Clients > 1000 ? 8 : 64) * 1024];
                while (true)
                {
                    if (carried * 2 > own.Length) Array.Resize(ref own, carried * 2);
                    carry.AsSpan(0, carried).CopyTo(own);
                    var n = await ReceiveAsync(own.AsMemory(carried), ct);
                    if (n == 0) return;
                    Volatile.Write(ref LastReceive, Stopwatch.GetTimestamp());
                    carried = Consume(own.AsSpan(0, carried + n), sink, lastSeq, ref carry);
                }
            }
            while (true)
            {
                await ReceiveAsync(Memory<byte>.Empty, ct);
                var buffer = ArrayPool<byte>.Shared.Rent(carried + size);
                try
                {
                    carry.AsSpan(0, carried).CopyTo(buffer);
                    var n = await ReceiveAsync(buffer.AsMemory(carried, size), ct);
                    if (n == 0) return;
                    Volatile.Write(ref LastReceive, Stopwatch.GetTimestamp());
                    carried = Consume(buffer.AsSpan(0, carried + n), sink, lastSeq, ref carry);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException or ObjectDisposedException) { }
    }

    /// <summary>Handles whole lines; keeps the unfinished tail in <paramref name="carry"/> and returns its length.</summary>
    private int Consume(Span<byte> data, ChatLoadGenerator sink, int[] lastSeq, ref byte[] carry)
    {
        int nl;
        while ((nl = data.IndexOf((byte)'\n')) >= 0)
        {
            var line = data[..nl];
            if (!line.IsEmpty && line[^1] == '\r') line = line[..^1];
            var at = ChatLoadGenerator.FindMarker(line);
            if (at >= 0) sink.OnMarkedLine(this, line, at, lastSeq);
            else if (line.StartsWith("PING "u8)) _ = SendRawAsync(Encoding.ASCII.GetBytes("PONG " + Encoding.ASCII.GetString(line[5..]) + "\r\n"), CancellationToken.None);
            data = data[(nl + 1)..];
        }
        if (data.Length > carry.Length) carry = new byte[Math.Max(data.Length, 256)];
        data.CopyTo(carry);
        return data.Length;
    }

    public void Dispose()
    {
        _socket?.Dispose();
        _lines?.Dispose();
        _sendGate?.Dispose();
    }
}
