using System.Buffers;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Sock.Chat.Bench;

/// <summary>One simulated user: registers, sends its share, reads and checks everything it receives.</summary>
internal sealed class BenchClient(Socket socket, ChatLoadOptions options, int index) : IDisposable
{
    private byte[] _pending = [];

    public async Task RegisterAsync(CancellationToken ct)
    {
        if (options.Protocol == BenchProtocol.Plain)
        {
            // Idle runs put each plain client in its own room so joins don't fan out N² notices.
            if (options.Senders == 0) await SendAsync($"/join #idle-{index}\n", ct);
            return;
        }
        await SendAsync($"NICK b{index}\r\nUSER b{index} 0 * :bench {index}\r\n", ct);
        await WaitForAsync(" 001 ", ct);
        if (options.Senders == 0) return;
        await SendAsync($"JOIN {options.Room}\r\n", ct);
        await WaitForAsync(" 366 ", ct);
    }

    private async Task SendAsync(string text, CancellationToken ct) => await socket.SendAsync(Encoding.UTF8.GetBytes(text), ct);

    /// <summary>Reads registration replies until one contains <paramref name="text"/>, answering PINGs.</summary>
    private async Task WaitForAsync(string text, CancellationToken ct)
    {
        var buffer = new byte[16 * 1024];
        var sb = new StringBuilder();
        while (true)
        {
            var n = await socket.ReceiveAsync(buffer, ct);
            if (n == 0) throw new IOException("server closed the connection during registration");
            sb.Append(Encoding.UTF8.GetString(buffer, 0, n));
            var all = sb.ToString();
            int nl;
            while ((nl = all.IndexOf('\n', StringComparison.Ordinal)) >= 0)
            {
                var line = all[..nl].TrimEnd('\r');
                all = all[(nl + 1)..];
                if (line.StartsWith("PING ", StringComparison.Ordinal)) await SendAsync("PONG " + line[5..] + "\r\n", ct);
                if (line.StartsWith("ERROR", StringComparison.Ordinal)) throw new IOException(line);
                if (line.Contains(text, StringComparison.Ordinal))
                {
                    _pending = Encoding.UTF8.GetBytes(all);
                    return;
                }
            }
            sb.Clear().Append(all);
        }
    }

    public async Task SendAllAsync(int sender, ChatLoadOptions o, CancellationToken ct)
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
            var marker = $"BENCH {sender} {k} {Stopwatch.GetTimestamp()} ";
            var line = prefix + marker + new string('x', o.Size - marker.Length) + newline;
            await socket.SendAsync(Encoding.ASCII.GetBytes(line), ct);
        }
    }

    public async Task ReadLoopAsync(ChatLoadGenerator sink, CancellationToken ct)
    {
        var lastSeq = Enumerable.Repeat(-1, Math.Max(1, options.Senders)).ToArray();
        var size = options.Senders == 0 ? 1024 : 64 * 1024;
        var buffer = ArrayPool<byte>.Shared.Rent(size);
        var carry = new byte[Math.Max(size, _pending.Length) * 2];
        var carried = 0;
        _pending.CopyTo(carry, 0);
        carried = _pending.Length;
        try
        {
            while (true)
            {
                if (carried > 0) carried = Consume(carry.AsSpan(0, carried), carry, sink, lastSeq);
                var n = await socket.ReceiveAsync(buffer.AsMemory(0, size), ct);
                if (n == 0) return;
                if (carried + n > carry.Length) Array.Resize(ref carry, (carried + n) * 2);
                buffer.AsSpan(0, n).CopyTo(carry.AsSpan(carried));
                carried = Consume(carry.AsSpan(0, carried + n), carry, sink, lastSeq);
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException) { }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Handles whole lines; moves the unfinished tail to the start of <paramref name="carry"/>.</summary>
    private int Consume(Span<byte> data, byte[] carry, ChatLoadGenerator sink, int[] lastSeq)
    {
        int nl;
        while ((nl = data.IndexOf((byte)'\n')) >= 0)
        {
            var line = data[..nl];
            if (!line.IsEmpty && line[^1] == '\r') line = line[..^1];
            var at = ChatLoadGenerator.FindMarker(line);
            if (at >= 0) sink.OnMarkedLine(line, at, lastSeq);
            else if (line.StartsWith("PING "u8)) _ = socket.SendAsync(Encoding.ASCII.GetBytes("PONG " + Encoding.ASCII.GetString(line[5..]) + "\r\n"));
            data = data[(nl + 1)..];
        }
        data.CopyTo(carry);
        return data.Length;
    }

    public void Dispose() => socket.Dispose();
}
