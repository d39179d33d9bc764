using System.Buffers;
using System.Diagnostics;
using System.Net.Sockets;

namespace Sock.Pipes;

/// <summary>What one relayed connection moved, and how it ended (null: both sides closed cleanly).</summary>
public sealed record RelayResult(long BytesUp, long BytesDown, TimeSpan Duration, string? Error);

/// <summary>
/// Copies bytes both ways between two connections until both directions have ended. EOF from one
/// side becomes a half-close (FIN, after TLS close_notify) towards the other, so protocols that
/// signal "done sending" by shutdown work through the relay. An error in either direction aborts both.
/// </summary>
public static class Relay
{
    public const int DefaultBufferSize = 128 * 1024;

    /// <summary>Relays <paramref name="client"/> (up: client→target) and <paramref name="target"/>; disposes neither.</summary>
    public static async Task<RelayResult> RunAsync(PipeConnection client, PipeConnection target, int bufferSize, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(target);
        var clock = Stopwatch.StartNew();
        using var abort = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var up = CopyAsync(client, target, bufferSize, abort);
        var down = CopyAsync(target, client, bufferSize, abort);
        await Task.WhenAll(up, down).ContinueWith(static _ => { }, TaskScheduler.Default);
        var error = up.Result.Error ?? down.Result.Error;
        return new RelayResult(up.Result.Bytes, down.Result.Bytes, clock.Elapsed, error);
    }

    private static async Task<(long Bytes, string? Error)> CopyAsync(PipeConnection from, PipeConnection to, int bufferSize,
        CancellationTokenSource abort)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(bufferSize);
        long total = 0;
        var reading = true;
        try
        {
            while (true)
            {
                reading = true;
                var n = await from.Stream.ReadAsync(buffer.AsMemory(0, bufferSize), abort.Token);
                if (n == 0) break;
                reading = false;
                await to.Stream.WriteAsync(buffer.AsMemory(0, n), abort.Token);
                total += n;
            }
            reading = false;
            await to.ShutdownSendAsync();
            return (total, null);
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested)
        {
            return (total, null); // the other direction failed and said why, or we are shutting down
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            await abort.CancelAsync(); // one direction broken: the connection as a whole is over
            var peer = reading ? from.Peer : to.Peer;
            return (total, DuplexPump.Failure(reading ? "receive from" : "send to", peer, e).Message);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
