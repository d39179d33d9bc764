using System.Buffers;
using System.Net.Sockets;
using Sock.Tls;

namespace Sock.Pipes;

/// <summary>
/// <c>listen --keep-open</c>: many clients at once. What any client sends goes to the output
/// (one chunk at a time, never interleaved mid-chunk); what is read from the input goes to every
/// client. Connects and disconnects are reported with the peer's address. A client that stops
/// reading is dropped after <see cref="StallTimeout"/> so the others keep receiving.
/// </summary>
public sealed class BroadcastServer : IDisposable
{
    private readonly Socket _listener;
    private readonly TlsServerSettings? _tls;
    private readonly int _maxClients;
    private readonly Action<string> _report;
    private readonly PumpSettings _settings;
    private readonly Lock _gate = new();
    private readonly HashSet<PipeConnection> _clients = [];
    private readonly HashSet<PipeConnection> _dropped = [];
    private readonly SemaphoreSlim _outputLock = new(1, 1);
    private bool _inputClosed;

    /// <summary>
    /// How long one client may take to accept a chunk of the input before it is dropped. Input goes
    /// to every client at once and the next chunk waits for all of them, so without a limit one
    /// client that stopped reading (its socket buffers full) would stall everyone.
    /// </summary>
    public TimeSpan StallTimeout { get; init; } = DefaultStallTimeout;

    public static readonly TimeSpan DefaultStallTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Who may connect; refused clients are closed at once and reported.</summary>
    public Sock.Net.AddressFilter? Filter { get; init; }

    public BroadcastServer(Socket listener, TlsServerSettings? tls, int maxClients, PumpSettings settings, Action<string> report)
    {
        _listener = listener;
        _tls = tls;
        _maxClients = maxClients;
        _settings = settings;
        _report = report;
    }

    public void Dispose() => _outputLock.Dispose();

    /// <summary>Serves until cancelled or until the output is closed; returns false in that last case.</summary>
    public async Task RunAsync(Stream input, Stream output, CancellationToken ct)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var broadcast = BroadcastInputAsync(input, stop.Token);
        var accept = AcceptLoopAsync(output, stop);
        try
        {
            await accept;
        }
        finally
        {
            await stop.CancelAsync();
            _ = broadcast.ContinueWith(static t => t.Exception, TaskScheduler.Default);
            PipeConnection[] all;
            lock (_gate) all = [.. _clients];
            foreach (var c in all) await c.DisposeAsync();
        }
    }

    private async Task AcceptLoopAsync(Stream output, CancellationTokenSource stop)
    {
        while (!stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await Endpoints.AcceptAllowedAsync(_listener, Filter, _report, stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            _ = ServeAsync(socket, output, stop);
        }
    }

    private async Task ServeAsync(Socket socket, Stream output, CancellationTokenSource stop)
    {
        var peer = _listener.AddressFamily == AddressFamily.Unix ? "unix client" : Endpoints.Describe(socket.RemoteEndPoint);
        int count;
        lock (_gate) count = _clients.Count;
        if (_maxClients > 0 && count >= _maxClients)
        {
            _report($"refused {peer}: {_maxClients} clients already connected (--max-clients)");
            socket.Dispose();
            return;
        }
        PipeConnection connection;
        try
        {
            connection = _tls is null
                ? new PipeConnection(socket, Endpoints.StreamOf(socket), peer)
                : new PipeConnection(socket, await _tls.AuthenticateAsync(Endpoints.StreamOf(socket), stop.Token), peer);
        }
        catch (Exception e) when (e is SockException or OperationCanceledException)
        {
            if (e is SockException) _report($"{peer}: {e.Message}");
            socket.Dispose();
            return;
        }
        bool shutNow;
        lock (_gate)
        {
            _clients.Add(connection);
            shutNow = _inputClosed;
        }
        _report($"connection from {peer}{(TlsServerSettings.DescribeClient(connection.Stream) is { } who ? $" (TLS client {who})" : "")}");
        var why = "disconnected";
        var buffer = ArrayPool<byte>.Shared.Rent(_settings.BufferSize);
        try
        {
            if (shutNow) await connection.ShutdownSendAsync();
            while (true)
            {
                var n = await connection.Stream.ReadAsync(buffer.AsMemory(0, _settings.BufferSize), stop.Token);
                if (n == 0) break;
                _settings.Log?.Received(buffer.AsSpan(0, n));
                await _outputLock.WaitAsync(stop.Token);
                bool written;
                try
                {
                    written = await LocalOutput.TryWriteAsync(output, buffer.AsMemory(0, n), stop.Token);
                }
                finally
                {
                    _outputLock.Release();
                }
                if (!written)
                {
                    await stop.CancelAsync(); // nobody reads our output any more: stop serving
                    break;
                }
            }
        }
        catch (OperationCanceledException)
        {
            why = "closed";
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            lock (_gate) why = _dropped.Contains(connection) ? "" : "lost: " + DuplexPump.Failure("receive from", peer, e).Message;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            lock (_gate)
            {
                _clients.Remove(connection);
                if (_dropped.Remove(connection)) why = ""; // already reported as dropped
            }
            await connection.DisposeAsync();
            if (why.Length > 0 && (!stop.IsCancellationRequested || why != "closed")) _report($"{peer} {why}");
        }
    }

    /// <summary>One chunk to one client; a client that takes longer than <see cref="StallTimeout"/> is dropped.</summary>
    private async Task SendAsync(PipeConnection client, ReadOnlyMemory<byte> chunk, CancellationToken ct)
    {
        using var stalled = CancellationTokenSource.CreateLinkedTokenSource(ct);
        stalled.CancelAfter(StallTimeout);
        try
        {
            await client.Stream.WriteAsync(chunk, stalled.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            lock (_gate) _dropped.Add(client);
            _report($"{client.Peer} dropped: took no data for {StallTimeout.TotalSeconds:0.###}s while others waited (--stall-timeout)");
            // Its reader fails on the closed connection and removes it.
            await client.DisposeAsync();
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // Its reader notices the broken connection and reports it; the others still get the data.
        }
    }

    private async Task BroadcastInputAsync(Stream input, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(_settings.BufferSize);
        var crlf = _settings.Crlf ? new CrlfEncoder() : null;
        var encoded = crlf is null ? null : ArrayPool<byte>.Shared.Rent(CrlfEncoder.MaxOutput(_settings.BufferSize));
        long total = 0;
        try
        {
            while (true)
            {
                var n = await input.ReadAsync(buffer.AsMemory(0, _settings.BufferSize), ct);
                if (n == 0) break;
                total += n;
                var chunk = buffer.AsMemory(0, n);
                if (crlf is not null) chunk = encoded.AsMemory(0, crlf.Encode(chunk.Span, encoded));
                _settings.Log?.Sent(chunk.Span);
                PipeConnection[] targets;
                lock (_gate) targets = [.. _clients];
                var writes = new Task[targets.Length];
                for (var i = 0; i < targets.Length; i++) writes[i] = SendAsync(targets[i], chunk, ct);
                await Task.WhenAll(writes);
            }
            if (total == 0 && !_settings.HalfCloseOnEmptyInput) return;
            PipeConnection[] open;
            lock (_gate)
            {
                _inputClosed = true;
                open = [.. _clients];
            }
            foreach (var client in open)
            {
                try { await client.ShutdownSendAsync(); }
                catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException) { }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            if (encoded is not null) ArrayPool<byte>.Shared.Return(encoded);
        }
    }
}
