using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Sock.Net;

namespace Sock.Pipes;

/// <summary>
/// UDP pipes. The client sends each input chunk as one datagram (split at the 65507-byte UDP
/// limit) and prints every reply; the server prints every datagram and sends input to whoever
/// sent the last one.
/// </summary>
public static class UdpPipe
{
    private const int MaxDatagram = 65507;

    /// <summary>
    /// Client: runs until the input ends and then no reply has come for <paramref name="linger"/>
    /// (UDP has no close, so silence is the only end there is), or until the idle timeout fails it.
    /// </summary>
    public static async Task<PumpResult> ConnectAsync(PipeEndpoint endpoint, ConnectSettings settings, PumpSettings pump,
        TimeSpan linger, Stream input, Stream output, Action<string> report, CancellationToken ct)
    {
        var address = await ResolveAsync(endpoint, settings.Source, ct);
        using var socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        var remote = new IPEndPoint(address, endpoint.Port);
        var peer = Endpoints.Describe(remote);
        try
        {
            if (settings.Source is not null) socket.Bind(settings.Source);
            await socket.ConnectAsync(remote, ct);
        }
        catch (SocketException e)
        {
            throw SocketErrors.Wrap($"connect {peer}", e);
        }
        return await PumpAsync(socket, peer, pump, linger, input, output, report, ct);
    }

    /// <summary>
    /// Client over a Unix datagram socket (<c>-U PATH --dgram</c>): bound to a fresh abstract name so
    /// the server can answer (socat UNIX-SENDTO does the same by autobind), then as UDP.
    /// </summary>
    public static async Task<PumpResult> ConnectUnixAsync(string path, PumpSettings pump, TimeSpan linger, Stream input, Stream output,
        Action<string> report, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        try
        {
            socket.Bind(UnixAddress.EndPoint(UnixAddress.AutoBindName()));
            await socket.ConnectAsync(UnixAddress.EndPoint(path), ct);
        }
        catch (SocketException e)
        {
            throw SocketErrors.Wrap($"connect {path}", e);
        }
        return await PumpAsync(socket, path, pump, linger, input, output, report, ct);
    }

    private static async Task<PumpResult> PumpAsync(Socket socket, string peer, PumpSettings pump, TimeSpan linger,
        Stream input, Stream output, Action<string> report, CancellationToken ct)
    {
        report($"sending datagrams to {peer}");
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var traffic = new DuplexPump.Traffic();
        var inputDone = new TaskCompletionSource();

        var up = Task.Run(async () =>
        {
            try
            {
                await SendInputAsync(input, pump, async part =>
                {
                    try
                    {
                        await socket.SendAsync(part, SocketFlags.None, stop.Token);
                    }
                    catch (SocketException e)
                    {
                        throw SocketErrors.Wrap($"send to {peer}", e);
                    }
                    traffic.Sent(part.Length);
                }, stop.Token);
            }
            finally
            {
                inputDone.TrySetResult();
            }
        }, CancellationToken.None);

        var down = Task.Run(async () =>
        {
            var buffer = ArrayPool<byte>.Shared.Rent(MaxDatagram + 1);
            try
            {
                while (true)
                {
                    int n;
                    try
                    {
                        n = await socket.ReceiveAsync(buffer.AsMemory(), SocketFlags.None, stop.Token);
                    }
                    catch (SocketException e)
                    {
                        throw SocketErrors.Wrap($"receive from {peer}", e);
                    }
                    if (!await LocalOutput.TryWriteAsync(output, buffer.AsMemory(0, n), stop.Token)) return true;
                    traffic.Received(n);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }, CancellationToken.None);

        // After the input ends, wait for replies until the line has been quiet for `linger`.
        var afterInput = inputDone.Task.ContinueWith(_ => traffic.WatchAsync(linger, stop.Token), stop.Token,
            TaskContinuationOptions.None, TaskScheduler.Default).Unwrap();
        var idle = pump.IdleTimeout is { } limit ? traffic.WatchAsync(limit, stop.Token) : Task.Delay(Timeout.Infinite, stop.Token);
        try
        {
            var first = await Task.WhenAny(up, down, idle, afterInput);
            if (first == up)
            {
                await up;
                first = await Task.WhenAny(down, idle, afterInput);
            }
            if (first == down) return new PumpResult(traffic.BytesOut, traffic.BytesIn, await down);
            if (first == idle) await idle;
            // afterInput "fails" with an idle error once the line is quiet: that is the normal end here.
            return new PumpResult(traffic.BytesOut, traffic.BytesIn, false);
        }
        finally
        {
            await stop.CancelAsync();
            foreach (var t in new[] { up, down, idle, afterInput })
                _ = t.ContinueWith(static t => t.Exception, TaskScheduler.Default);
        }
    }

    /// <summary>Server: prints every datagram; input goes to the most recent sender. Runs until cancelled.</summary>
    public static async Task ListenAsync(Socket socket, PumpSettings pump, Stream input, Stream output,
        Action<string> report, CancellationToken ct, AddressFilter? filter = null)
    {
        EndPoint? lastRefused = null;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        EndPoint? last = null;
        var firstSender = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var up = Task.Run(async () =>
        {
            await firstSender.Task.WaitAsync(stop.Token); // nobody to send to until someone speaks
            await SendInputAsync(input, pump, async part =>
            {
                var to = Volatile.Read(ref last)!;
                try
                {
                    await socket.SendToAsync(part, SocketFlags.None, to, stop.Token);
                }
                catch (SocketException e)
                {
                    report($"send to {Endpoints.Describe(to)}: {SocketErrors.Format(e.SocketErrorCode)}");
                }
            }, stop.Token);
        }, CancellationToken.None);

        var buffer = ArrayPool<byte>.Shared.Rent(MaxDatagram + 1);
        EndPoint any = socket.AddressFamily switch
        {
            AddressFamily.InterNetworkV6 => new IPEndPoint(IPAddress.IPv6Any, 0),
            AddressFamily.Unix => UnixAddress.EndPoint("@"),
            _ => new IPEndPoint(IPAddress.Any, 0),
        };
        try
        {
            while (true)
            {
                SocketReceiveFromResult r;
                try
                {
                    r = await socket.ReceiveFromAsync(buffer.AsMemory(), SocketFlags.None, any, stop.Token);
                }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
                {
                    continue; // ICMP port unreachable for an earlier reply: that sender has gone, others may come
                }
                if (filter is not null && r.RemoteEndPoint is IPEndPoint from && filter.Check(from.Address) is { } why)
                {
                    // Dropped unread by anyone; reported once per run of datagrams from one sender.
                    if (!from.Equals(lastRefused)) report($"refused datagrams from {Endpoints.Describe(from)}: {why}");
                    lastRefused = from;
                    continue;
                }
                if (!r.RemoteEndPoint.Equals(last))
                {
                    report($"datagrams from {Endpoints.Describe(r.RemoteEndPoint)}");
                    Volatile.Write(ref last, r.RemoteEndPoint);
                    firstSender.TrySetResult();
                }
                if (!await LocalOutput.TryWriteAsync(output, buffer.AsMemory(0, r.ReceivedBytes), stop.Token)) return;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            await stop.CancelAsync();
            _ = up.ContinueWith(static t => t.Exception, TaskScheduler.Default);
        }
    }

    /// <summary>
    /// Reads <paramref name="input"/> until EOF and hands each chunk (CRLF-encoded when asked) to
    /// <paramref name="sendDatagram"/>, split at the UDP payload limit.
    /// </summary>
    private static async Task SendInputAsync(Stream input, PumpSettings pump, Func<ReadOnlyMemory<byte>, ValueTask> sendDatagram,
        CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(pump.BufferSize);
        var crlf = pump.Crlf ? new CrlfEncoder() : null;
        var encoded = crlf is null ? null : ArrayPool<byte>.Shared.Rent(CrlfEncoder.MaxOutput(pump.BufferSize));
        try
        {
            int n;
            while ((n = await input.ReadAsync(buffer.AsMemory(0, pump.BufferSize), ct)) > 0)
            {
                var chunk = buffer.AsMemory(0, n);
                if (crlf is not null) chunk = encoded.AsMemory(0, crlf.Encode(chunk.Span, encoded));
                for (var off = 0; off < chunk.Length; off += MaxDatagram)
                    await sendDatagram(chunk[off..Math.Min(chunk.Length, off + MaxDatagram)]);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            if (encoded is not null) ArrayPool<byte>.Shared.Return(encoded);
        }
    }

    private static async Task<IPAddress> ResolveAsync(PipeEndpoint endpoint, IPEndPoint? source, CancellationToken ct)
    {
        var host = endpoint.Host!.Trim('[', ']');
        var family = source?.AddressFamily ?? endpoint.Family;
        if (IPAddress.TryParse(host, out var literal)) return literal;
        try
        {
            var found = await Dns.GetHostAddressesAsync(host, family, ct);
            return found.Length > 0 ? found[0] : throw new SockException($"resolve {host}: no address");
        }
        catch (SocketException e)
        {
            throw new SockException($"resolve {host}: {SocketErrors.Format(e.SocketErrorCode)}", e);
        }
    }
}
