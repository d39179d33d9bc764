using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Sock.Chat.Transport;

namespace Sock.Chat;

/// <summary>
/// A member reached over a socket: a reader (bytes → lines → <see cref="OnLineAsync"/> → hub) and a
/// writer draining its own bounded <see cref="OutboundQueue"/>. Protocols subclass it and only
/// turn lines into hub calls and hub events into bytes.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The token source is cancelled at close; it holds no timer or handle.")]
public abstract class ChatConnection : ChatMember, IQueueEvents
{
    // Null when the session runs over another transport (a WebSocket): the stream is then all there is.
    private readonly Socket? _socket;
    // A struct (not readonly: it changes in place); see LineFramer.
    private LineFramer _framer;
    // Null when flood control is off (the default): an idle client then carries no gate.
    private readonly FloodGate? _flood;
    // Cancelled at close; made only when something waits on it (flood delays, the plain line pause, a
    // stream without a socket): a socket client that is just idle carries none (48 bytes each).
    private CancellationTokenSource? _closed;
    private int _disconnecting;
    private TimeSpan? _grace;

    /// <summary>The sender, when given, sends queued bytes itself if the stream is the socket's own (not TLS).</summary>
    protected ChatConnection(ChatHub hub, Socket? socket, Stream stream, IPEndPoint remote, SendCoalescer? sender = null)
    {
        Hub = hub;
        _socket = socket;
        Stream = stream;
        Remote = remote;
        Host = remote.Address.IsIPv4MappedToIPv6 ? remote.Address.MapToIPv4().ToString() : remote.Address.ToString();
        Queue = stream is NetworkStream && socket is not null
            ? new OutboundQueue(hub.Options.MaxQueueBytes, sender, socket)
            : new OutboundQueue(hub.Options.MaxQueueBytes);
        Queue.Events = this;
        _framer = new LineFramer(hub.Options.MaxLineBytes);
        _flood = hub.Options.FloodLinesPerSecond > 0 ? new FloodGate(hub.Options.FloodLinesPerSecond, hub.Options.FloodBurst) : null;
    }

    public const string SendQueueExceeded = "SendQ exceeded";

    protected ChatHub Hub { get; }
    protected ChatServerOptions Options => Hub.Options;
    protected Stream Stream { get; }
    protected OutboundQueue Queue { get; }
    public IPEndPoint Remote { get; }
    public bool IsClosing => Volatile.Read(ref _disconnecting) != 0;
    // UTC ticks (8 bytes, not a 16-byte DateTimeOffset); the connection time is the member's sign-on.
    private long _lastHeard = DateTime.UtcNow.Ticks;
    public DateTimeOffset LastHeard { get => new(Volatile.Read(ref _lastHeard), TimeSpan.Zero); private set => Volatile.Write(ref _lastHeard, value.UtcTicks); }
    public DateTimeOffset Connected => SignOn;
    /// <summary>Bytes waiting to be sent to this client (read at scrape time, not on the hot path).</summary>
    public long QueuedBytes => Queue.Pending;
    /// <summary>What carries the protocol: "tcp", "tls" or "websocket" (for logs and metrics).</summary>
    public string Transport { get; internal set; } = "tcp";

    /// <summary>True when a chunk without newline becomes a line after a pause (plain clients).</summary>
    protected virtual bool FlushPartialOnPause => false;

    /// <summary>Raw bytes before framing (the plain protocol strips telnet negotiation here).</summary>
    protected virtual ReadOnlySpan<byte> Filter(ReadOnlySpan<byte> data, Span<byte> scratch) => data;

    protected abstract void OnStart();
    protected abstract ValueTask OnLineAsync(string line, LineMarks flags);
    /// <summary>
    /// An event for the account's presence this connection is a device of: <paramref name="mine"/> when
    /// the account did it, <paramref name="echo"/> when another device of it did (shown as an echo).
    /// </summary>
    internal virtual void DeliverToDevice(ChatEvent e, bool mine, bool echo) => Deliver(e);

    /// <summary>A returning device's missed private messages with <paramref name="correspondent"/> (ChatHub.CatchUp.cs), in its protocol.</summary>
    internal virtual void CatchUp(string correspondent, IReadOnlyList<ChatEvent> missed) { }

    /// <summary>The last words a disconnected client gets, in its protocol.</summary>
    protected abstract byte[] FinalMessage(string reason);
    /// <summary>Called about twice a second (timeouts, keep-alive).</summary>
    public virtual void Tick(DateTimeOffset now) { }

    /// <summary>Line ending the client uses (replies match it).</summary>
    protected bool UsesCrlf { get; private set; }

    protected void Send(string line)
    {
        var bytes = Encoding.UTF8.GetBytes(line + (UsesCrlf ? "\r\n" : "\n"));
        Queue.Enqueue(bytes);
    }

    protected void SendRaw(ReadOnlySpan<byte> bytes) => Queue.Enqueue(bytes);

    /// <summary>
    /// Runs the connection until it closes; <paramref name="initial"/> are bytes read during detection.
    /// <paramref name="ended"/> is called last, once the socket is closed (the server's bookkeeping).
    /// </summary>
    public Task RunAsync(ReadOnlyMemory<byte> initial, Task? pendingWait, CancellationToken ct, Action<ChatConnection>? ended = null)
    {
        // Memory per idle client (docs/BENCHMARKS.md): a linked source only when the caller's token
        // can fire (the server passes none), and reads of our own socket take no token at all: closing
        // shuts the socket down, which ends a pending read, so an idle read registers nothing.
        if (ct.CanBeCanceled) return RunLinkedAsync(initial, pendingWait, ended, ct);
        // No writer parked while idle: the queue starts one when bytes wait for it, and Queue.Abort
        // at close stops it (so does the caller's token, when it can fire).
        Queue.StartOnDemand(Stream);
        return RunCoreAsync(StartAsync(initial, pendingWait, default), ended, default);
    }

    private async Task RunLinkedAsync(ReadOnlyMemory<byte> initial, Task? pendingWait, Action<ChatConnection>? ended, CancellationToken ct)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, ClosedToken);
        Queue.StartOnDemand(Stream);
        using var aborts = ct.UnsafeRegister(static q => ((OutboundQueue)q!).Abort(), Queue);
        await RunCoreAsync(StartAsync(initial, pendingWait, linked.Token), ended, linked.Token);
    }

    // What reads take: the linked token when there is one; none for our own socket (closing it ends a
    // pending read); the close token for a stream without a socket.
    private CancellationToken ReadToken(CancellationToken linked) =>
        linked.CanBeCanceled ? linked : _socket is null ? ClosedToken : CancellationToken.None;

    private CancellationToken PauseToken(CancellationToken linked) => linked.CanBeCanceled ? linked : ClosedToken;

    /// <summary>
    /// The read loop, as an idle client waits in it. Its state machine is what every idle connection
    /// carries, so it holds only the idle wait's needs (docs/BENCHMARKS.md): the start (detection's
    /// bytes, OnStart) and each wake-up's reading and line handling are methods of their own whose
    /// state exists only while they run, and which complete with a cached task when they do not wait.
    /// </summary>
    private async Task RunCoreAsync(Task<bool> started, Action<ChatConnection>? ended, CancellationToken linked)
    {
        try
        {
            if (await started)
            {
                do
                {
                    // Idle: a zero-byte read waits for data without holding a buffer; awaited as the
                    // ValueTask it is, so no Task object is held while the client is idle.
                    _ = await Stream.ReadAsync(Memory<byte>.Empty, ReadToken(linked));
                }
                while (await ReadOnceAsync(linked));
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            Disconnect(e is OperationCanceledException ? "Server shutting down" : "Connection reset");
        }
        finally
        {
            _framer.Reset();
            await CloseAfterWriterAsync();
            ended?.Invoke(this);
        }
    }

    /// <summary>Detection's bytes, OnStart, detection's pending wait; true when the loop goes on to the idle wait.</summary>
    private async Task<bool> StartAsync(ReadOnlyMemory<byte> initial, Task? pendingWait, CancellationToken linked)
    {
        if (!initial.IsEmpty) UsesCrlf = initial.Span.IndexOf("\r\n"u8) >= 0;
        OnStart();
        if (!initial.IsEmpty) await ProcessAsync(initial);
        if (IsClosing) return await EndOfInputAsync();
        if (pendingWait is null && !(_framer.HasPartial && FlushPartialOnPause)) return true;
        await WaitForDataAsync(pendingWait, linked);
        return await ReadOnceAsync(linked);
    }

    /// <summary>
    /// After a wait for data: reads what came and handles its lines; a partial line of a client whose
    /// pause ends a line (plain) is waited out here. True when the loop goes back to the idle wait.
    /// </summary>
    private async Task<bool> ReadOnceAsync(CancellationToken linked)
    {
        while (true)
        {
            var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
            try
            {
                var n = await Stream.ReadAsync(buffer, ReadToken(linked));
                if (n == 0) return await EndOfInputAsync();
                LastHeard = DateTimeOffset.UtcNow;
                await ProcessAsync(buffer.AsMemory(0, n));
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
            if (IsClosing) return await EndOfInputAsync();
            if (!(_framer.HasPartial && FlushPartialOnPause)) return true;
            await WaitForDataAsync(null, linked);
        }
    }

    /// <summary>Waits for data (or detection's pending wait); a partial line the sender paused on becomes a line meanwhile.</summary>
    private async Task WaitForDataAsync(Task? pendingWait, CancellationToken linked)
    {
        var waiting = pendingWait ?? Stream.ReadAsync(Memory<byte>.Empty, ReadToken(linked)).AsTask();
        if (_framer.HasPartial && FlushPartialOnPause && await Task.WhenAny(waiting, Task.Delay(Options.LinePause, PauseToken(linked))) != waiting)
            await HandleLinesAsync(FlushPartial());
        await waiting;
    }

    /// <summary>The input ended (or the connection is closing): a pending partial line is a line, then goodbye.</summary>
    private async Task<bool> EndOfInputAsync()
    {
        if (_framer.HasPartial) await HandleLinesAsync(FlushPartial());
        Disconnect("Connection closed");
        return false;
    }

    private ValueTask ProcessAsync(ReadOnlyMemory<byte> data) => HandleLinesAsync(Frame(data.Span));

    private List<(string Line, LineMarks Flags)> Frame(ReadOnlySpan<byte> data)
    {
        var scratch = ArrayPool<byte>.Shared.Rent(data.Length);
        try
        {
            var lines = new List<(string, LineMarks)>();
            _framer.Push(Filter(data, scratch), (span, crlf, cut) =>
            {
                if (crlf) UsesCrlf = true;
                lines.Add((Decode(span), Flags(span, cut)));
            });
            return lines;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    private List<(string Line, LineMarks Flags)> FlushPartial()
    {
        var lines = new List<(string, LineMarks)>();
        _framer.FlushPartial((span, _, cut) => lines.Add((Decode(span), Flags(span, cut))));
        return lines;
    }

    private static LineMarks Flags(ReadOnlySpan<byte> line, bool cut) =>
        (cut ? LineMarks.Cut : LineMarks.None) | (System.Text.Unicode.Utf8.IsValid(line) ? LineMarks.None : LineMarks.InvalidUtf8);

    /// <summary>
    /// UTF-8 with U+FFFD for invalid bytes; NULs and CRs removed. A CR left inside a line (the
    /// framer strips only the one before LF) would otherwise be relayed in a message's text, and
    /// a client that ends lines at CR would read what follows as a line from the server
    /// ("hi\r:server KILL you"): found by the irc-message fuzz harness (fuzz/).
    /// </summary>
    internal static string Decode(ReadOnlySpan<byte> line)
    {
        var s = Encoding.UTF8.GetString(line);
        if (s.AsSpan().IndexOfAny('\0', '\r') < 0) return s;
        return s.Replace("\0", "", StringComparison.Ordinal).Replace("\r", "", StringComparison.Ordinal);
    }

    private async ValueTask HandleLinesAsync(List<(string Line, LineMarks Flags)> lines)
    {
        foreach (var (line, flags) in lines)
        {
            if (IsClosing) return;
            var delay = _flood?.Take() ?? TimeSpan.Zero;
            if (delay > TimeSpan.Zero) await Task.Delay(delay, ClosedToken);
            // The device acting on this thread, for an account's presence (Devices/AccountPresence.cs);
            // cleared before any wait, so no other connection's work runs under it.
            Devices.AccountPresence.Acting = this;
            var handled = OnLineAsync(line, flags);
            Devices.AccountPresence.Acting = null;
            await handled;
        }
    }

    // Overflow trips inside a fan-out (under a room lock): leave the hub from another thread.
    void IQueueEvents.Overflowed() =>
        ThreadPool.UnsafeQueueUserWorkItem(static c => c.Disconnect(SendQueueExceeded, overflow: true), this, preferLocal: false);

    void IQueueEvents.WriteFailed() => Disconnect("Write error");

    public override void Disconnect(string reason) => Disconnect(reason, overflow: false);

    /// <summary>Server shutdown: the client's queue gets up to <paramref name="drain"/> to go out before the socket closes.</summary>
    public void Shutdown(string reason, TimeSpan drain)
    {
        _grace = drain;
        Disconnect(reason, overflow: false);
    }

    /// <summary>Says goodbye in the protocol, leaves the hub, and lets the writer drain (briefly) before closing.</summary>
    protected void Disconnect(string reason, bool overflow)
    {
        if (Interlocked.Exchange(ref _disconnecting, 1) != 0) return;
        Hub.Metrics.Disconnected(reason);
        var final = FinalMessage(reason);
        if (overflow) Queue.ReplaceWithFinal(final);
        else
        {
            Queue.Enqueue(final, ignoreLimit: true);
            Queue.Complete();
        }
        Hub.Quit(this, reason);
        OnDisconnected(reason);
        _ = CloseAfterWriterAsync();
    }

    /// <summary>For the server's bookkeeping.</summary>
    internal Action<ChatConnection, string>? Closed { get; set; }

    protected virtual void OnDisconnected(string reason) => Closed?.Invoke(this, reason);

    private int _socketClosed;

    /// <summary>Fires once the connection is closed; the source is made on first use (cancelled at once when made after the close).</summary>
    private CancellationToken ClosedToken
    {
        get
        {
            if (Volatile.Read(ref _closed) is { } existing) return existing.Token;
            var made = new CancellationTokenSource();
            var cts = Interlocked.CompareExchange(ref _closed, made, null) ?? made;
            if (!ReferenceEquals(cts, made)) made.Dispose();
            // The close reads _closed after setting _socketClosed: one of the two sides cancels it.
            else if (Volatile.Read(ref _socketClosed) != 0) cts.Cancel();
            return cts.Token;
        }
    }

    private async Task CloseAfterWriterAsync()
    {
        try
        {
            await Queue.WhenWriterDone().WaitAsync(_grace ?? Options.CloseGrace);
        }
        catch (TimeoutException) { }
        if (Interlocked.Exchange(ref _socketClosed, 1) != 0) return;
        try { _socket?.Shutdown(SocketShutdown.Both); } catch (SocketException) { } catch (ObjectDisposedException) { }
        Queue.Abort();
        if (Volatile.Read(ref _closed) is { } closed) await closed.CancelAsync();
        await Stream.DisposeAsync();
        _socket?.Dispose();
    }
}

/// <summary>What the framer and decoder noticed about a line.</summary>
[Flags]
public enum LineMarks
{
    None = 0,
    /// <summary>Longer than the line limit: what arrived was cut there.</summary>
    Cut = 1,
    /// <summary>Not valid UTF-8: invalid bytes were replaced with U+FFFD.</summary>
    InvalidUtf8 = 2,
}
