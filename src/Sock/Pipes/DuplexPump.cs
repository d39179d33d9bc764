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
        var activity = new Activity();
        long bytesOut = 0, bytesIn = 0;

        var up = Task.Run(async () =>
        {
            bytesOut = await CopyUpAsync(connection, input, settings, activity, stop.Token);
        }, CancellationToken.None);
        var down = Task.Run(async () =>
        {
            var (n, closed) = await CopyDownAsync(connection, output, settings.BufferSize, activity, stop.Token);
            bytesIn = n;
            return closed;
        }, CancellationToken.None);
        var idle = settings.IdleTimeout is { } limit ? activity.WatchAsync(limit, stop.Token) : Task.Delay(Timeout.Infinite, stop.Token);

        try
        {
            var first = await Task.WhenAny(up, down, idle);
            if (first == up)
            {
                await up; // surfaces a send failure
                first = await Task.WhenAny(down, idle);
            }
            if (first == idle) await idle; // throws the idle-timeout error
            var outputClosed = await down;
            if (!outputClosed && settings.FinishInputAfterPeerClose && !up.IsCompleted)
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
            return new PumpResult(bytesOut, bytesIn, outputClosed);
        }
        finally
        {
            // The input read may be blocked on a terminal or pipe that never ends; the caller exits anyway.
            await stop.CancelAsync();
            _ = up.ContinueWith(static t => t.Exception, TaskScheduler.Default);
            _ = idle.ContinueWith(static t => t.Exception, TaskScheduler.Default);
        }
    }

    private static async Task<long> CopyUpAsync(PipeConnection connection, Stream input, PumpSettings settings,
        Activity activity, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(settings.BufferSize);
        var crlf = settings.Crlf ? new CrlfEncoder() : null;
        var encoded = crlf is null ? null : ArrayPool<byte>.Shared.Rent(CrlfEncoder.MaxOutput(settings.BufferSize));
        long total = 0;
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
                total += chunk.Length;
                activity.Touch();
            }
            if (total == 0 && !settings.HalfCloseOnEmptyInput) return 0;
            try
            {
                await connection.ShutdownSendAsync();
            }
            catch (Exception e) when (e is IOException or SocketException)
            {
                throw Failure("send to", connection.Peer, e);
            }
            return total;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            if (encoded is not null) ArrayPool<byte>.Shared.Return(encoded);
        }
    }

    private static async Task<(long Bytes, bool OutputClosed)> CopyDownAsync(PipeConnection connection, Stream output,
        int bufferSize, Activity activity, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(bufferSize);
        long total = 0;
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
                if (n == 0) return (total, false);
                if (!await LocalOutput.TryWriteAsync(output, buffer.AsMemory(0, n), ct)) return (total, true);
                total += n;
                activity.Touch();
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

    /// <summary>When the last byte moved, for <c>--idle-timeout</c>.</summary>
    internal sealed class Activity
    {
        private long _last = Environment.TickCount64;

        public void Touch() => Volatile.Write(ref _last, Environment.TickCount64);

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
