using System.Net.Sockets;
using Sock.Net;

namespace Sock.Pipes;

/// <summary>
/// The accept loop of a server that gives each client a task of its own (`sock forward`, `sock proxy`):
/// the access list, --max-clients, accept errors that must not end the server (a client gone before it
/// was accepted, no descriptors left), and at cancellation a wait for every client's task.
/// </summary>
public sealed class AcceptLoop
{
    private int _active;

    /// <summary>Clients being served right now.</summary>
    public int Active => Volatile.Read(ref _active);

    /// <summary>
    /// Accepts until <paramref name="ct"/> is cancelled, running <paramref name="serve"/> for each allowed client
    /// (with a description of it for log lines); <paramref name="maxClients"/> 0 means no limit.
    /// </summary>
    public async Task RunAsync(Socket listener, AddressFilter? filter, int maxClients, Action<string> report,
        Func<Socket, string, CancellationToken, Task> serve, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(listener);
        var running = new HashSet<Task>();
        try
        {
            while (true)
            {
                Socket socket;
                try
                {
                    socket = await Endpoints.AcceptAllowedAsync(listener, filter, report, ct);
                }
                catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionAborted or SocketError.TooManyOpenSockets)
                {
                    report($"accept failed: {SocketErrors.Format(e.SocketErrorCode)}");
                    if (e.SocketErrorCode == SocketError.TooManyOpenSockets) await Task.Delay(100, ct);
                    continue;
                }
                var client = listener.AddressFamily == AddressFamily.Unix ? "unix client" : Endpoints.Describe(socket.RemoteEndPoint);
                if (maxClients > 0 && Volatile.Read(ref _active) >= maxClients)
                {
                    report($"refused {client}: {maxClients} clients already connected (--max-clients)");
                    socket.Dispose();
                    continue;
                }
                Interlocked.Increment(ref _active);
                var task = Task.Run(async () =>
                {
                    try { await serve(socket, client, ct); }
                    finally { Interlocked.Decrement(ref _active); }
                }, CancellationToken.None);
                lock (running) running.Add(task);
                _ = task.ContinueWith(t => { lock (running) running.Remove(t); }, TaskScheduler.Default);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        Task[] open;
        lock (running) open = [.. running];
        await Task.WhenAll(open);
    }
}
