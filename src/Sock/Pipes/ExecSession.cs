using System.Buffers;
using System.ComponentModel;
using System.Diagnostics;
using System.Net.Sockets;

namespace Sock.Pipes;

/// <summary>How one program run on a connection ended: bytes each way and the program's exit code.</summary>
public sealed record ExecResult(long BytesIn, long BytesOut, int? ExitCode, TimeSpan Duration, string? Error);

/// <summary>
/// Runs a program with the connection as its stdin and stdout (stderr is ours). What the peer sends
/// goes to the program; EOF from the peer closes the program's stdin. What the program writes goes to
/// the peer; the program closing its stdout (normally: exiting) ends the session and closes the
/// connection. A peer that breaks the connection kills the program. Dangerous on a public port: anyone
/// who connects runs it.
/// </summary>
public static class ExecSession
{
    /// <summary>After the program's output ends, how long it may take to exit before it is killed.</summary>
    public static readonly TimeSpan ExitGrace = TimeSpan.FromSeconds(2);

    public static async Task<ExecResult> RunAsync(PipeConnection connection, ExecCommand command, int bufferSize, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(command);
        if (command.Pty) return await PtySession.RunAsync(connection, command, bufferSize, ct);
        var clock = Stopwatch.StartNew();
        var psi = new ProcessStartInfo(command.FileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = false,
            UseShellExecute = false,
        };
        foreach (var a in command.Arguments) psi.ArgumentList.Add(a);
        psi.Environment["SOCK_PEER"] = connection.Peer; // as ncat's NCAT_REMOTE_ADDR: the program may want to know who called
        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new SockException($"exec {command.FileName}: could not start");
        }
        catch (Win32Exception e)
        {
            throw new SockException($"exec {command.FileName}: {e.Message}", e);
        }
        using (process)
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var stdin = process.StandardInput.BaseStream;
            var stdout = process.StandardOutput.BaseStream;
            var toProgram = ToProgramAsync(connection, stdin, bufferSize, stop.Token);
            var fromProgram = FromProgramAsync(stdout, connection, bufferSize, stop.Token);
            string? error = null;
            long fromBytes = 0;
            if (await Task.WhenAny(fromProgram, toProgram) == toProgram && toProgram.Result.Item2 is not null)
            {
                // The peer broke the connection: nobody is left to talk to, so the program goes too.
                try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            }
            try
            {
                fromBytes = await fromProgram;
            }
            catch (SockException e)
            {
                error = e.Message;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
            }
            await stop.CancelAsync();
            var (toBytes, peerBroke) = await toProgram;
            if (peerBroke is not null) error ??= peerBroke;
            try { await stdin.DisposeAsync(); } catch (IOException) { }
            int? exit = null;
            using var grace = new CancellationTokenSource(error is null && !ct.IsCancellationRequested ? ExitGrace : TimeSpan.Zero);
            try
            {
                await process.WaitForExitAsync(grace.Token);
                exit = process.ExitCode;
            }
            catch (OperationCanceledException)
            {
                try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            }
            return new ExecResult(toBytes, fromBytes, exit, clock.Elapsed, error);
        }
    }

    /// <summary>Peer → program. Returns the bytes moved and, if the peer broke the connection, why.</summary>
    private static async Task<(long, string?)> ToProgramAsync(PipeConnection connection, Stream stdin, int bufferSize, CancellationToken ct)
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
                    return (total, DuplexPump.Failure("receive from", connection.Peer, e).Message);
                }
                if (n == 0) break;
                await stdin.WriteAsync(buffer.AsMemory(0, n), ct);
                await stdin.FlushAsync(ct);
                total += n;
            }
            await stdin.DisposeAsync(); // EOF from the peer: the program sees EOF on its stdin
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The program stopped reading (closed stdin or exited), or the session is over.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return (total, null);
    }

    /// <summary>Program → peer; at the program's EOF, half-close so the peer sees the end.</summary>
    private static async Task<long> FromProgramAsync(Stream stdout, PipeConnection connection, int bufferSize, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(bufferSize);
        long total = 0;
        try
        {
            while (true)
            {
                var n = await stdout.ReadAsync(buffer.AsMemory(0, bufferSize), ct);
                if (n == 0) break;
                try
                {
                    await connection.Stream.WriteAsync(buffer.AsMemory(0, n), ct);
                }
                catch (Exception e) when (e is IOException or SocketException)
                {
                    throw DuplexPump.Failure("send to", connection.Peer, e);
                }
                total += n;
            }
            try { await connection.ShutdownSendAsync(); }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException) { }
            return total;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
