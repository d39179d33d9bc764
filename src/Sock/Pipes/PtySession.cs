using System.Buffers;
using System.Diagnostics;
using System.Net.Sockets;

namespace Sock.Pipes;

/// <summary>
/// <c>--exec CMD --pty</c>: the program on a terminal of its own, the connection as the keyboard and
/// screen. The peer's bytes are keys (Ctrl-C reaches the program as the terminal's interrupt, Ctrl-Z
/// suspends it); the terminal's output goes to the peer. A terminal has no half-close: the peer's EOF
/// is a Ctrl-D after whatever it typed ahead, a broken connection hangs the terminal up (SIGHUP, as
/// closing an xterm does), and the program's exit ends the session.
/// </summary>
public static class PtySession
{
    /// <summary>The terminal's size: a connection does not carry the client's window size.</summary>
    public const int Rows = 24, Columns = 80;

    private static readonly byte[] EndOfFile = [4]; // the terminal's VEOF, Ctrl-D

    public static async Task<ExecResult> RunAsync(PipeConnection connection, ExecCommand command, int bufferSize, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(command);
        var clock = Stopwatch.StartNew();
        var environment = Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? "");
        environment["SOCK_PEER"] = connection.Peer;
        // Full-screen programs need a terminal type; a dumb or missing one would give them none.
        if (!environment.TryGetValue("TERM", out var term) || term.Length == 0 || term == "dumb") environment["TERM"] = "xterm-256color";
        using var pty = PtyProcess.Start(command, environment, Rows, Columns);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        long bytesIn = 0, bytesOut = 0;
        string? error = null;
        var toProgram = Task.Run(async () =>
        {
            var buffer = ArrayPool<byte>.Shared.Rent(bufferSize);
            try
            {
                while (true)
                {
                    var n = await connection.Stream.ReadAsync(buffer.AsMemory(0, bufferSize), stop.Token);
                    if (n == 0) break;
                    await pty.Input.WriteAsync(buffer.AsMemory(0, n), stop.Token);
                    bytesIn += n;
                }
            }
            catch (Exception e) when (e is IOException or SocketException)
            {
                error ??= DuplexPump.Failure("receive from", connection.Peer, e).Message;
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }, CancellationToken.None);
        var fromProgram = Task.Run(async () =>
        {
            var buffer = ArrayPool<byte>.Shared.Rent(bufferSize);
            try
            {
                while (true)
                {
                    int n;
                    try
                    {
                        n = await pty.Output.ReadAsync(buffer.AsMemory(0, bufferSize), stop.Token);
                    }
                    catch (IOException)
                    {
                        break; // EIO: every holder of the terminal has closed it (the program is gone)
                    }
                    if (n == 0) break;
                    await connection.Stream.WriteAsync(buffer.AsMemory(0, n), stop.Token);
                    bytesOut += n;
                }
            }
            catch (Exception e) when (e is IOException or SocketException)
            {
                error ??= DuplexPump.Failure("send to", connection.Peer, e).Message;
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }, CancellationToken.None);
        var exited = WaitExitAsync(pty, stop.Token);
        var first = await Task.WhenAny(toProgram, fromProgram, exited);
        if (first == toProgram)
        {
            if (error is not null)
            {
                pty.HangUp(); // the connection broke: hang up, as a closed terminal does
            }
            else
            {
                // The peer has sent all it will: end-of-file as a keyboard gives it (Ctrl-D), after
                // what it typed ahead; the program may still be working on that, so it is let finish.
                try { await pty.Input.WriteAsync(EndOfFile, ct); }
                catch (IOException) { }
            }
            await Task.WhenAny(exited, fromProgram);
        }
        var code = await pty.WaitForExitAsync(ExecSession.ExitGrace);
        // Let the last output drain (a background job may still hold the terminal: it is not waited for).
        await Task.WhenAny(fromProgram, Task.Delay(TimeSpan.FromMilliseconds(200), CancellationToken.None));
        await stop.CancelAsync();
        try { await connection.ShutdownSendAsync(); }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException) { }
        return new ExecResult(bytesIn, bytesOut, code, clock.Elapsed, error);
    }

    private static async Task WaitExitAsync(PtyProcess pty, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested && pty.TryGetExitCode() is null)
        {
            try { await Task.Delay(50, ct); }
            catch (OperationCanceledException) { return; }
        }
    }
}
