using System.Net.Sockets;
using Sock.Net;
using Sock.Tls;

namespace Sock.Pipes;

/// <summary>
/// <c>listen --exec … --keep-open</c>: one program per client, each with its connection as stdin and
/// stdout, run side by side; each program's exit closes its client. Connects and ends are reported.
/// </summary>
public sealed class ExecServer(Socket listener, ExecCommand command, Action<string> report)
{
    public TlsServerSettings? Tls { get; init; }
    public AddressFilter? Filter { get; init; }
    public int MaxClients { get; init; }
    public int BufferSize { get; init; } = Relay.DefaultBufferSize;

    private int _active;

    public async Task RunAsync(CancellationToken ct)
    {
        var running = new List<Task>();
        try
        {
            while (true)
            {
                var socket = await Endpoints.AcceptAllowedAsync(listener, Filter, report, ct);
                var peer = listener.AddressFamily == AddressFamily.Unix ? "unix client" : Endpoints.Describe(socket.RemoteEndPoint);
                if (MaxClients > 0 && Volatile.Read(ref _active) >= MaxClients)
                {
                    report($"refused {peer}: {MaxClients} clients already connected (--max-clients)");
                    socket.Dispose();
                    continue;
                }
                Interlocked.Increment(ref _active);
                running.RemoveAll(t => t.IsCompleted);
                running.Add(Task.Run(() => ServeAsync(socket, peer, ct), CancellationToken.None));
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        await Task.WhenAll(running);
    }

    private async Task ServeAsync(Socket socket, string peer, CancellationToken ct)
    {
        try
        {
            PipeConnection connection;
            try
            {
                connection = Tls is null
                    ? new PipeConnection(socket, Endpoints.StreamOf(socket), peer)
                    : new PipeConnection(socket, await Tls.AuthenticateAsync(Endpoints.StreamOf(socket), ct), peer);
            }
            catch (SockException e)
            {
                socket.Dispose();
                report($"{peer}: {e.Message}");
                return;
            }
            await using (connection)
            {
                report($"connection from {peer}");
                var result = await ExecSession.RunAsync(connection, command, BufferSize, ct);
                if (!ct.IsCancellationRequested) report($"{peer} closed: {Describe(result)}");
            }
        }
        catch (SockException e)
        {
            report($"{peer}: {e.Message}");
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        finally
        {
            Interlocked.Decrement(ref _active);
        }
    }

    /// <summary>"program exited with 0, 12 bytes in, 40 bytes out, 0.013 s".</summary>
    public static string Describe(ExecResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var how = result.ExitCode is { } code ? $"program exited with {code}" : "program killed";
        var tail = result.Error is null ? "" : $", {result.Error}";
        return $"{how}, {result.BytesIn} bytes in, {result.BytesOut} bytes out, {result.Duration.TotalSeconds:0.000} s{tail}";
    }
}
