using System.Buffers;
using System.Net.Sockets;

namespace Sock.Pipes;

/// <summary>
/// The full-duplex pipe between local input/output streams (stdin/stdout) and one connection:
/// two independent copy loops, one pooled buffer each, nothing allocated per chunk.
/// EOF on the input shuts down our write side (half-close) and we keep reading; the peer
/// closing ends the pipe. Output closed under us (a reader like `head` went away) ends it quietly.
/// </summary>
public static class DuplexPump
{
    public static async Task<PumpResult> RunAsync(PipeConnection connection, Stream input, Stream output,
        PumpSettings settings, CancellationToken ct)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var traffic = new Traffic();

        // --recv-only never reads the input; --send-only ends with it.
        var up = settings.RecvOnly
            ? Task.Delay(Timeout.Infinite, stop.Token)
            : Task.Run(() => CopyUpAsync(connection, input, settings, traffic, stop.Token), CancellationToken.None);
        var down = Task.Run(() => CopyDownAsync(connection, output, settings, traffic, stop.Token), CancellationToken.None);
        var idle = settings.IdleTimeout is { } limit ? traffic.WatchAsync(limit, stop.Token) : Task.Delay(Timeout.Infinite, stop.Token);

        try
        {
            var first = await Task.WhenAny(up, down, idle);
            if (first == up)
            {
                await up; // surfaces a send failure
                if (settings.SendOnly) return new PumpResult(traffic.BytesOut, traffic.BytesIn, false);
                first = await Task.WhenAny(down, idle);
            }
            if (first == idle) await idle; // throws the idle-timeout error
            var outputClosed = await down;
            // (Not with --recv-only: its input side is a wait that never ends, so the peer's close is the end.)
            if (!outputClosed && settings.FinishInputAfterPeerClose && !settings.RecvOnly && !up.IsCompleted)
            {
                try
                {
                    first = await Task.WhenAny(up, idle);
                    if (first == idle) await idle;
                    await up;
                }
                catch (SockException e) when (e.InnerException is IOException or SocketException)
                {
                    // The peer closed both ways and refused the rest: its choice, not a failure.
                }
            }
            // Counted as the bytes go, not when a loop returns: the input loop may still be between its last
            // write and its return when the peer's close ends the pipe.
            return new PumpResult(traffic.BytesOut, traffic.BytesIn, outputClosed);
        }
        finally
        {
            // The input read may be blocked on a terminal or pipe that never ends; the caller exits anyway.
            await stop.CancelAsync();
            _ = up.ContinueWith(static t => t.Exception, TaskScheduler.Default);
            _ = down.ContinueWith(static t => t.Exception, TaskScheduler.Default);
            _ = idle.ContinueWith(static t => t.Exception, TaskScheduler.Default);
        }
    }

    private static async Task CopyUpAsync(PipeConnection connection, Stream input, PumpSettings settings,
        Traffic traffic, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(settings.BufferSize);
        var crlf = settings.Crlf ? new CrlfEncoder() : null;
        var encoded = crlf is null ? null : ArrayPool<byte>.Shared.Rent(CrlfEncoder.MaxOutput(settings.BufferSize));
        var any = false;
        try
        {
            while (true)
            {
                var n = await input.ReadAsync(buffer.AsMemory(0, settings.BufferSize), ct);
                if (n == 0) break;
                var chunk = buffer.AsMemory(0, n);
                if (crlf is not null) chunk = encoded.AsMemory(0, crlf.Encode(chunk.Span, encoded));
                try
                {
                    await connection.Stream.WriteAsync(chunk, ct);
                }
                catch (Exception e) when (e is IOException or SocketException)
                {
                    throw Failure("send to", connection.Peer, e);
                }
                traffic.Sent(chunk.Length);
                settings.Log?.Sent(chunk.Span);
                any = true;
                if (settings.Delay is { } pause) await Task.Delay(pause, ct);
            }
            if (!any && !settings.HalfCloseOnEmptyInput) return;
            try
            {
                await connection.ShutdownSendAsync();
            }
            catch (Exception e) when (e is IOException or SocketException)
            {
                throw Failure("send to", connection.Peer, e);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            if (encoded is not null) ArrayPool<byte>.Shared.Return(encoded);
        }
    }

    /// <returns>Whether our output was closed under us (rather than the peer closing).</returns>
    private static async Task<bool> CopyDownAsync(PipeConnection connection, Stream output,
        PumpSettings settings, Traffic traffic, CancellationToken ct)
    {
        var bufferSize = settings.BufferSize;
        var buffer = ArrayPool<byte>.Shared.Rent(bufferSize);
        try
        {
            while (true)
            {
                int n;
                try
                {
                    n = await connection.Stream.ReadAsync(buffer.AsMemory(0, bufferSize), ct);
                }
                catch (Exception e) when (e is IOException or SocketException)
                {
                    throw Failure("receive from", connection.Peer, e);
                }
                if (n == 0) return false;
                settings.Log?.Received(buffer.AsSpan(0, n));
                if (!settings.SendOnly && !await LocalOutput.TryWriteAsync(output, buffer.AsMemory(0, n), ct)) return true;
                traffic.Received(n);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>"receive from 127.0.0.1:80: connection reset by peer (ECONNRESET)".</summary>
    internal static SockException Failure(string operation, string peer, Exception e)
    {
        var socketError = e as SocketException ?? e.InnerException as SocketException;
        var why = socketError is not null ? Sock.Net.SocketErrors.Format(socketError.SocketErrorCode) : e.Message;
        return new SockException($"{operation} {peer}: {why}", e);
    }

    /// <summary>Bytes moved each way, and when the last one moved (for <c>--idle-timeout</c>).</summary>
    internal sealed class Traffic
    {
        private long _last = Environment.TickCount64;
        private long _out, _in;

        public long BytesOut => Interlocked.Read(ref _out);
        public long BytesIn => Interlocked.Read(ref _in);

        public void Sent(int n)
        {
            Interlocked.Add(ref _out, n);
            Touch();
        }

        public void Received(int n)
        {
            Interlocked.Add(ref _in, n);
            Touch();
        }

        private void Touch() => Volatile.Write(ref _last, Environment.TickCount64);

        public async Task WatchAsync(TimeSpan limit, CancellationToken ct)
        {
            var ms = (long)limit.TotalMilliseconds;
            while (true)
            {
                var quiet = Environment.TickCount64 - Volatile.Read(ref _last);
                if (quiet >= ms) throw new SockException($"idle timeout: no data for {limit.TotalSeconds:0.###}s");
                await Task.Delay(TimeSpan.FromMilliseconds(ms - quiet), ct);
            }
        }
    }
}

/// <summary>Writes to our own output (stdout); a closed reader is not an error, just the end.</summary>
internal static class LocalOutput
{
    public static async ValueTask<bool> TryWriteAsync(Stream output, ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        try
        {
            await output.WriteAsync(data, ct);
            return true;
        }
        catch (IOException)
        {
            // EPIPE: the process reading our output (e.g. `head -c 10`) has exited.
            return false;
        }
    }
}
