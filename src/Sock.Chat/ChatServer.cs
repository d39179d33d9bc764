using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using Sock.Chat.Irc;
using Sock.Chat.Plain;
using Sock.Chat.Storage;
using Sock.Chat.Transport;

namespace Sock.Chat;

/// <summary>
/// Listens on one port (and any --listen extras) and hands each connection to the protocol its first bytes name:
/// IRC (first word CAP/NICK/USER/PASS), HTTP (a request line: to <see cref="Http"/>), TLS (0x16,
/// when enabled) around any of them, plain otherwise (including a client that sends nothing within
/// <see cref="ChatServerOptions.DetectTimeout"/>).
/// </summary>
public sealed class ChatServer : IAsyncDisposable
{
    private static readonly string[] IrcWords = ["CAP", "NICK", "USER", "PASS"];
    // Each connection with the address its per-address count was taken for (released when it ends).
    private readonly ConcurrentDictionary<ChatConnection, IPAddress?> _connections = new();
    // The main listener (--bind/--port) first, then --listen's, each with whether it takes TLS only.
    private readonly (Socket Socket, bool TlsOnly)[] _listeners;
    // Sends for every plain (non-TLS) connection, so a fan-out to thousands costs few syscalls.
    private readonly SendCoalescer _sender = new();
    private readonly AddressLimiter _limiter = new();
    private int _pending;
    // Sessions started plus sessions ended: the idle compactor's measure of a burst.
    private long _churn;
    // One delegate for every connection's end (a lambda per connection would be one more object each).
    private readonly Action<ChatConnection> _ended;

    private ChatServer(ChatHub hub, (Socket, bool)[] listeners)
    {
        Hub = hub;
        _listeners = listeners;
        _ended = c =>
        {
            if (_connections.TryRemove(c, out var counted) && counted is not null) _limiter.Release(counted);
            Interlocked.Increment(ref _churn);
        };
    }

    public ChatHub Hub { get; }
    public ChatServerOptions Options => Hub.Options;
    public IPEndPoint LocalEndPoint => (IPEndPoint)_listeners[0].Socket.LocalEndPoint!;
    /// <summary>Every listening address, the main one first, as bound (a port 0 resolved), /tls marking TLS-only ones.</summary>
    public IReadOnlyList<ChatListenAddress> ListenAddresses =>
        [.. _listeners.Select(l =>
        {
            var e = (IPEndPoint)l.Socket.LocalEndPoint!;
            return new ChatListenAddress(e.Address, e.Port, l.TlsOnly);
        })];
    public int ConnectionCount => _connections.Count;
    /// <summary>Full collections run after a burst of connections (<see cref="ChatServerOptions.CompactAfterChurn"/>).</summary>
    public int IdleCollections { get; private set; }

    /// <summary>Log lines for the operator (connections, errors); the library never writes to a console.</summary>
    public event Action<string>? Log;

    /// <summary>Where HTTP connections go (the web server); without one they get a 503 and are closed.</summary>
    public IHttpHandoff? Http { get; set; }

    /// <summary>Connections currently counted as members (plain, IRC over TCP/TLS or WebSocket).</summary>
    public IReadOnlyCollection<ChatConnection> Connections => [.. _connections.Keys];

    /// <summary>Adds a line to <see cref="Log"/> (the web side reports through the same log).</summary>
    public void Report(string line) => Log?.Invoke(line);

    /// <summary>
    /// Binds the port for a hub kept in <paramref name="backend"/> (memory when null; SQLite or a Redis
    /// cluster come from their own packages). The server owns the backend from here: disposing the
    /// server disposes it, and so does a failure to bind.
    /// </summary>
    public static ChatServer Start(ChatServerOptions options, IChatBackend? backend = null) =>
        StartAsync(options, backend).AsTask().GetAwaiter().GetResult();

    /// <summary><see cref="Start"/>, awaiting the backend's <see cref="IChatBackend.AttachAsync"/> (a cluster node subscribes there).</summary>
    public static async ValueTask<ChatServer> StartAsync(ChatServerOptions options, IChatBackend? backend = null)
    {
        if (backend is null && (options.DatabasePath is not null || options.ClusterUrl is not null))
            throw new ArgumentException("ChatServerOptions names a database or a cluster: pass the backend that opens it (Sock.Chat.Sqlite's SqliteChatBackend, Sock.Chat.Redis's ClusterNode)", nameof(backend));
        backend ??= new MemoryChatBackend(options.HistoryLength);
        (Socket, bool)[] listeners;
        try { listeners = BindAll(options); }
        catch
        {
            await backend.DisposeAsync();
            throw;
        }
        var server = new ChatServer(new ChatHub(options, backend.History, backend.Fanout, backend.Accounts, backend.Nicks), listeners) { Backend = backend };
        server.Hub.Activity += m => server.Log?.Invoke(m);
        backend.Log += m => server.Log?.Invoke(m);
        try { await backend.AttachAsync(server.Hub); }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
        return server;
    }

    /// <summary>Where the hub's history, accounts and fan-out live (memory, SQLite, a Redis cluster).</summary>
    public IChatBackend Backend { get; private init; } = null!;

    /// <summary>False while the backend cannot serve (a cluster node that cannot reach Redis; /healthz says so).</summary>
    public bool Healthy => Backend.Healthy;

    /// <summary>Binds the main address and every --listen one; on a failure, what was bound is closed again.</summary>
    private static (Socket, bool)[] BindAll(ChatServerOptions options)
    {
        if (options.Tls is null && options.Listeners.FirstOrDefault(l => l.TlsOnly) is { } tlsOnly)
            throw new SockException($"chat serve: --listen {tlsOnly} takes TLS only, but TLS is off (add --tls, and --cert/--key for a real certificate)");
        var bound = new List<(Socket, bool)>();
        try
        {
            bound.Add((Bind(options.BindAddress, options.Port), false));
            foreach (var l in options.Listeners) bound.Add((Bind(l.Address ?? options.BindAddress, l.Port), l.TlsOnly));
            return [.. bound];
        }
        catch
        {
            foreach (var (s, _) in bound) s.Dispose();
            throw;
        }
    }

    private static Socket Bind(IPAddress? bindAddress, int port)
    {
        var address = bindAddress ?? (Socket.OSSupportsIPv6 ? IPAddress.IPv6Any : IPAddress.Any);
        var s = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (address.Equals(IPAddress.IPv6Any)) s.DualMode = true;
            s.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            s.Bind(new IPEndPoint(address, port));
            s.Listen(4096);
            return s;
        }
        catch (SocketException e)
        {
            s.Dispose();
            throw new SockException($"chat serve: cannot listen on {FormatEndPoint(address, port)}: {Net.SocketErrors.Format(e.SocketErrorCode)}");
        }
    }

    private static string FormatEndPoint(IPAddress a, int port) =>
        a.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{a}]:{port}" : $"{a}:{port}";

    /// <summary>Who may connect (--allow/--deny); a refused client is closed before it is served.</summary>
    public Net.AddressFilter AccessFilter { get; set; } = Net.AddressFilter.None;

    /// <summary>How long accept waits before trying again when the process is out of file descriptors.</summary>
    public static readonly TimeSpan DescriptorRetry = TimeSpan.FromMilliseconds(250);

    /// <summary>Accepts on every listener until cancelled, then disconnects everyone.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        var ticker = TickLoopAsync(ct);
        // One accept loop per listener; a loop that fails (not by cancellation) stops the others too.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        try
        {
            await Task.WhenAll(_listeners.Select(async l =>
            {
                try { await AcceptLoopAsync(l.Socket, l.TlsOnly, stop.Token); }
                catch when (!stop.IsCancellationRequested) { stop.Cancel(); throw; }
            }));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
        finally
        {
            await ShutdownAsync();
            await ticker;
        }
    }

    private async Task AcceptLoopAsync(Socket listener, bool tlsOnly, CancellationToken ct)
    {
        var outOfDescriptors = 0;
        var outOfDescriptorsSince = 0L;
        try
        {
            long newest = -1;
            // The descriptor limit holds connections back (the headroom pause or EMFILE, below): say why once per episode.
            void HeldBack()
            {
                if (outOfDescriptors++ > 0) return;
                outOfDescriptorsSince = Environment.TickCount64;
                Log?.Invoke(DescriptorLimitMessage());
            }
            while (!ct.IsCancellationRequested)
            {
                // The newest client took one of the last descriptors (the kernel hands out the lowest
                // free one, so its number is about how many are open): it is served, and accepting
                // pauses, the rest waiting in the backlog, until clients leave, so the process itself
                // never runs out (FileLimits.Headroom).
                if (newest >= 0 && Net.FileLimits.InHeadroom(newest))
                {
                    HeldBack();
                    while (Net.FileLimits.LowestFree() is var free && (free < 0 || Net.FileLimits.InHeadroom(free)))
                        await Task.Delay(DescriptorRetry, ct);
                }
                Socket client;
                try
                {
                    client = await listener.AcceptAsync(ct);
                    if (outOfDescriptors > 0)
                    {
                        Log?.Invoke($"accepting again (the descriptor limit held back connections for {(Environment.TickCount64 - outOfDescriptorsSince) / 1000.0:0.#} s)");
                        outOfDescriptors = 0;
                    }
                }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.TooManyOpenSockets)
                {
                    // EMFILE/ENFILE: the connection waits in the backlog; everyone connected is still
                    // served. Retry after a pause instead of spinning.
                    HeldBack();
                    await Task.Delay(DescriptorRetry, ct);
                    continue;
                }
                catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionAborted or SocketError.ConnectionReset)
                {
                    Log?.Invoke($"accept failed: {Net.SocketErrors.Format(e.SocketErrorCode)}");
                    continue;
                }
                newest = OperatingSystem.IsWindows() ? -1 : (long)client.Handle;
                if (AccessFilter.Check(client) is { } refused)
                {
                    Log?.Invoke($"refused {Pipes.Endpoints.Describe(client.RemoteEndPoint)}: {refused}");
                    client.Dispose();
                    continue;
                }
                IPAddress? counted = null;
                if (client.RemoteEndPoint is IPEndPoint peer && _limiter.TryAdmit(peer.Address, Options, Environment.TickCount64, out counted) is { } refusal)
                {
                    if (refusal.Log)
                        Log?.Invoke($"refused {Pipes.Endpoints.Describe(peer)}: {refusal.Reason}"
                            + (refusal.Unlogged > 0 ? $" ({refusal.Unlogged} more from {AddressLimiter.Describe(refusal.Key)} refused since the last such line)" : ""));
                    _ = Task.Run(() => RefuseAsync(client, refusal.Reason), CancellationToken.None);
                    continue;
                }
                _ = Task.Run(() => ServeAsync(client, counted, tlsOnly, ct), CancellationToken.None);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
    }

    /// <summary>How long, at shutdown, clients' queues get to drain before their sockets close.</summary>
    public static readonly TimeSpan ShutdownDrain = TimeSpan.FromSeconds(5);

    /// <summary>A notice to everyone, then each connection closes once its queue is out (at most <see cref="ShutdownDrain"/>).</summary>
    private async Task ShutdownAsync()
    {
        var open = _connections.Keys.ToList();
        if (open.Count == 0) return;
        Log?.Invoke($"shutting down: telling {open.Count} connections, draining their queues (at most {ShutdownDrain.TotalSeconds:0} s)");
        Hub.Broadcast("Server shutting down");
        foreach (var c in open) c.Shutdown("Server shutting down", ShutdownDrain);
        var deadline = DateTime.UtcNow + ShutdownDrain + TimeSpan.FromSeconds(1);
        while (!_connections.IsEmpty && DateTime.UtcNow < deadline) await Task.Delay(50, CancellationToken.None);
    }

    /// <summary>
    /// SIGHUP: new options for everything that can change while running (operators, MOTD, TLS
    /// certificate, limits, passwords…); connected clients stay. Returns what could not change
    /// without a restart (the listening address and port, the database).
    /// </summary>
    public IReadOnlyList<string> Reload(ChatServerOptions next)
    {
        var current = Options;
        var needRestart = new List<string>();
        if (next.Port != current.Port || !Equals(next.BindAddress, current.BindAddress) || !next.Listeners.SequenceEqual(current.Listeners)) needRestart.Add("listening address/port");
        if (next.DatabasePath != current.DatabasePath) needRestart.Add("database");
        if (next.HistoryLength != current.HistoryLength) needRestart.Add("history length");
        next = next with { Port = current.Port, BindAddress = current.BindAddress, Listeners = current.Listeners, StsPort = current.StsPort, DatabasePath = current.DatabasePath, HistoryLength = current.HistoryLength };
        Hub.ReplaceOptions(next);
        Log?.Invoke($"reloaded: {next.Operators.Count} operator(s), MOTD {next.Motd.Length} characters, TLS {(next.Tls is null ? "off" : next.Tls.Fingerprint)}"
            + (needRestart.Count == 0 ? "" : $"; unchanged until a restart: {string.Join(", ", needRestart)}"));
        return needRestart;
    }

    private async Task TickLoopAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(500));
        var ticks = 0;
        var compactor = new IdleCompactor(Options.CompactAfterChurn);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                var now = DateTimeOffset.UtcNow;
                // The dictionary itself, not .Keys: that copies every key into a new list each tick
                // (80 KB a tick at 10,000 clients, garbage an idle server kept making).
                foreach (var pair in _connections) pair.Key.Tick(now);
                if (++ticks % 120 == 0) _limiter.Sweep(Options, Environment.TickCount64);
                if (compactor.Observe(Interlocked.Read(ref _churn)))
                {
                    var before = GC.GetGCMemoryInfo().TotalCommittedBytes;
                    IdleCompactor.Collect();
                    IdleCollections = compactor.Collections;
                    Log?.Invoke($"idle after a burst of connections: compacted the heap, {before / 1048576.0:0.0} → {GC.GetGCMemoryInfo().TotalCommittedBytes / 1048576.0:0.0} MB committed");
                }
            }
        }
        catch (OperationCanceledException) { }
    }

    private string DescriptorLimitMessage()
    {
        // .NET reports EMFILE (this process's RLIMIT_NOFILE) and ENFILE (the system's table) alike.
        var limit = Net.FileLimits.Get() is { } l ? $" ({l.Soft} open files)" : "";
        return $"accept paused: out of file descriptors: the file descriptor limit{limit} is reached ({Net.FileLimits.Headroom} kept for the server itself); new connections wait in the backlog until clients leave, "
            + $"the {ConnectionCount + Volatile.Read(ref _pending)} connected clients are still served; raise the hard limit (ulimit -Hn, systemd LimitNOFILE=) to accept more";
    }

    /// <summary>Refused before it is served: one line IRC clients read as ERROR and people as text, then close.</summary>
    private static async Task RefuseAsync(Socket socket, string reason)
    {
        using (socket)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await socket.SendAsync(Encoding.UTF8.GetBytes($"ERROR :Closing link: {reason}\r\n"), SocketFlags.None, timeout.Token);
                socket.Shutdown(SocketShutdown.Send);
                // Read what the client already sent (NICK/USER) until it closes: closing with unread
                // bytes would send a reset, and the client could lose the line before reading it.
                var buffer = new byte[4096];
                for (var total = 0; total < 64 * 1024;)
                {
                    var n = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
                    if (n == 0) break;
                    total += n;
                }
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException) { }
        }
    }

    /// <summary>
    /// Detects the protocol and starts the session. <paramref name="counted"/> (the address whose
    /// per-address count this connection holds) is released when the session ends, or here when
    /// none starts; an HTTP connection releases it when Kestrel is done with it.
    /// </summary>
    private async Task ServeAsync(Socket socket, IPAddress? counted, bool tlsOnly, CancellationToken ct)
    {
        var remote = (IPEndPoint)socket.RemoteEndPoint!;
        socket.NoDelay = true;
        Stream stream = new NetworkStream(socket, ownsSocket: false);
        var waiting = Interlocked.Increment(ref _pending);
        var pendingCounted = true; // in _pending until handed to a session or to HTTP
        var handedOver = false;
        try
        {
            if (_connections.Count + waiting > Options.MaxClients)
            {
                Log?.Invoke($"{remote}: refused, server full ({Options.MaxClients} clients)");
                await stream.WriteAsync(Encoding.UTF8.GetBytes($"ERROR :Server full ({Options.MaxClients} clients); try again later\r\n"), ct);
                return;
            }
            var (kind, initial, pending) = await DetectAsync(stream, socket, ct);
            if (kind == Detected.Closed) return;
            if (tlsOnly && kind != Detected.Tls)
            {
                // A port like 6697 is TLS by contract: a client speaking in the clear there is misconfigured, and is told so.
                var port = ((IPEndPoint)socket.LocalEndPoint!).Port;
                Log?.Invoke($"{remote}: refused on port {port}: it takes TLS only, and the client did not start TLS");
                await stream.WriteAsync(Encoding.UTF8.GetBytes($"ERROR :Closing link: port {port} takes TLS only; connect with TLS, or use port {LocalEndPoint.Port}\r\n"), ct);
                return;
            }
            if (kind == Detected.Tls)
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(Options.RegistrationTimeout);
                stream = await Options.Tls!.AuthenticateAsync(new PrefixedStream(initial, stream), timeout.Token);
                if (pending is not null) await pending;
                (kind, initial, pending) = await DetectAsync(stream, null, ct);
                if (kind is Detected.Closed or Detected.Tls) return;
            }
            if (kind == Detected.Http)
            {
                Interlocked.Decrement(ref _pending);
                pendingCounted = false;
                await HandOffHttpAsync(socket, new PrefixedStream(initial, stream, pending), remote, stream is SslStream, ct);
                return; // the count is released below, once Kestrel is done with the connection
            }
            ChatConnection connection = kind == Detected.Irc
                ? new IrcSession(Hub, socket, stream, remote, _sender)
                : new PlainSession(Hub, socket, stream, remote, _sender);
            if (stream is SslStream) connection.Transport = "tls";
            Interlocked.Decrement(ref _pending);
            handedOver = true;
            // Not awaited: this method's state (and the task that started it) is let go once the
            // session runs, so an idle client holds only the session's own read and write loops.
            _ = RunConnection(connection, initial, pending, counted);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or System.Security.Authentication.AuthenticationException or ObjectDisposedException or SockException)
        {
            Log?.Invoke($"{remote}: {e.Message}");
        }
        finally
        {
            if (!handedOver)
            {
                if (pendingCounted) Interlocked.Decrement(ref _pending);
                if (counted is not null) _limiter.Release(counted);
                try { socket.Shutdown(SocketShutdown.Both); } catch (SocketException) { }
                await stream.DisposeAsync();
                socket.Dispose();
            }
        }
    }

    /// <summary>Counts the connection and runs it; it removes itself from the count when its socket is closed.</summary>
    private Task RunConnection(ChatConnection connection, ReadOnlyMemory<byte> initial, Task? pending, IPAddress? counted)
    {
        _connections[connection] = counted;
        Interlocked.Increment(ref _churn);
        Hub.Metrics.Accepted(connection.Transport == "websocket" ? "websocket" : connection.Protocol);
        var remote = connection.Remote;
        Log?.Invoke($"{FormatEndPoint(remote.Address.IsIPv4MappedToIPv6 ? remote.Address.MapToIPv4() : remote.Address, remote.Port)} connected ({connection.Protocol}{connection.Transport switch { "tls" => ", TLS", "websocket" => ", WebSocket", _ => "" }})");
        // Not the server's token: at shutdown ShutdownAsync closes each connection in order
        // (notice, drain, close); cancelling here would cut their queues mid-write.
        return connection.RunAsync(initial, pending, CancellationToken.None, _ended);
    }

    /// <summary>
    /// Runs an IRC session over a stream of lines that is not a socket of ours (the web server's
    /// WebSocket adapter). The session counts against <see cref="ChatServerOptions.MaxClients"/>
    /// and gets the same timeouts as any IRC client.
    /// </summary>
    public async Task RunIrcAsync(Stream lines, IPEndPoint remote, string transport, CancellationToken ct)
    {
        if (_connections.Count + Volatile.Read(ref _pending) >= Options.MaxClients)
        {
            Log?.Invoke($"{remote}: refused, server full ({Options.MaxClients} clients)");
            await lines.WriteAsync(Encoding.UTF8.GetBytes($"ERROR :Server full ({Options.MaxClients} clients); try again later\r\n"), ct);
            await lines.DisposeAsync();
            return;
        }
        // The session never reads the socket: the stream is all it has (the constructor's parameter is the lead's to make nullable).
        var connection = new IrcSession(Hub, null!, lines, remote) { Transport = transport };
        await RunConnection(connection, ReadOnlyMemory<byte>.Empty, null, null);
    }

    private async Task HandOffHttpAsync(Socket socket, Stream stream, IPEndPoint remote, bool tls, CancellationToken ct)
    {
        Hub.Metrics.Accepted("http");
        if (Http is { } http)
        {
            await http.ServeAsync(new HandedOffConnection(stream, (IPEndPoint)socket.LocalEndPoint!, remote, tls, socket.Dispose), ct);
            return;
        }
        // No web server in this host: say so in HTTP, so the browser shows it and nothing reaches a room.
        var body = "This chat server has no web side.\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n{body}"), ct);
    }

    internal enum Detected { Plain, Irc, Tls, Http, Closed }

    /// <summary>
    /// Reads just enough of the first line to tell the protocols apart. Waits use zero-byte reads;
    /// when the window closes with one outstanding, it is handed to the session as its first wait.
    /// </summary>
    /// <remarks>
    /// The window closes on a client that has sent nothing, not on a server that has not looked yet:
    /// a busy thread pool (a join storm of thousands) ran the timer before the read's completion,
    /// so IRC clients whose NICK had arrived in time were taken for plain ones and never registered
    /// (84 of 5,000). Bytes already waiting in the socket (<paramref name="socket"/>, when it is the
    /// stream's own) or a completed read keep the detection going.
    /// </remarks>
    private async Task<(Detected, ReadOnlyMemory<byte>, Task?)> DetectAsync(Stream stream, Socket? socket, CancellationToken ct)
    {
        var seen = Array.Empty<byte>();
        var deadline = DateTime.UtcNow + Options.DetectTimeout;
        var buffer = new byte[512];
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            var wait = stream.ReadAsync(Memory<byte>.Empty, ct).AsTask();
            if (!wait.IsCompleted && (left <= TimeSpan.Zero || await Task.WhenAny(wait, Task.Delay(left, ct)) != wait) && !Arrived(wait, socket))
                return (seen.Length > 0 && HttpRequestLine.CouldBeRequestLine(seen) ? Detected.Http : Detected.Plain, seen, wait);
            await wait;
            var n = await stream.ReadAsync(buffer, ct);
            if (n == 0) return (Detected.Closed, seen, null);
            seen = Concat(seen, buffer.AsMemory(0, n));
            var verdict = Classify(seen, tls: Options.Tls is not null);
            if (verdict is not null) return (verdict.Value, seen, null);
        }
    }

    private static bool Arrived(Task wait, Socket? socket)
    {
        if (wait.IsCompleted) return true;
        try { return socket is not null && socket.Available > 0; }
        catch (Exception e) when (e is SocketException or ObjectDisposedException) { return false; }
    }

    private static byte[] Concat(ReadOnlySpan<byte> a, ReadOnlyMemory<byte> b)
    {
        var r = new byte[a.Length + b.Length];
        a.CopyTo(r);
        b.Span.CopyTo(r.AsSpan(a.Length));
        return r;
    }

    /// <summary>
    /// IRC only when the first line is a well-formed registration command, so a plain user whose
    /// first words happen to be "pass me the salt" stays plain. Null = need more bytes. Pure (bytes
    /// in, verdict out) so the fuzz harness (fuzz/) drives the very code the listener runs.
    /// </summary>
    internal static Detected? Classify(ReadOnlySpan<byte> seen, bool tls)
    {
        if (seen[0] == 0x16 && tls) return Detected.Tls;
        switch (HttpRequestLine.Classify(seen))
        {
            case HttpRequestLine.Verdict.Yes: return Detected.Http;
            case HttpRequestLine.Verdict.NeedMore: return null;
        }
        var nl = seen.IndexOf((byte)'\n');
        var end = seen.IndexOfAny(" \r\n"u8);
        var word = Encoding.ASCII.GetString(end < 0 ? seen[..Math.Min(seen.Length, 5)] : seen[..end]).ToUpperInvariant();
        if (end < 0)
            return IrcWords.Any(w => w.StartsWith(word, StringComparison.Ordinal) && word.Length < w.Length) ? null : Detected.Plain;
        if (!IrcWords.Contains(word)) return Detected.Plain;
        if (nl < 0) return seen.Length > 1024 ? Detected.Plain : null; // wait for the whole first line
        var m = IrcMessage.Parse(Encoding.UTF8.GetString(seen[..nl]));
        var ok = m is not null && m.Command switch
        {
            "CAP" => m.Params.Count >= 1 && m.Param(0).All(char.IsAsciiLetter), // any subcommand: a wrong one gets 410
            "NICK" or "PASS" => m.Params.Count == 1,
            "USER" => m.Params.Count == 4,
            _ => false,
        };
        return ok ? Detected.Irc : Detected.Plain;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (listener, _) in _listeners) listener.Dispose();
        _sender.Dispose();
        await Backend.DisposeAsync();
    }
}
