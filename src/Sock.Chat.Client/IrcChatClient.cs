using System.Net;
using Sock.Chat.Client.Dcc;
using Sock.Chat.Irc;

namespace Sock.Chat.Client;

/// <summary>
/// A chat session with an IRC server: registration (with nick-in-use fallback and optional CAP),
/// PING/PONG and lag, the user's commands, DCC file offers, and reconnection with exponential
/// backoff that rejoins every room. Everything the user should see goes to <c>report</c>; the
/// class knows nothing of terminals.
/// </summary>
public sealed partial class IrcChatClient : IAsyncDisposable
{
    private readonly ChatClientOptions _options;
    private readonly Action<ChatEvent> _report;
    private readonly List<string> _rooms = [];
    private readonly object _gate = new();
    private readonly TaskCompletionSource _firstReady = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    private IrcConnection? _connection;
    private string _nick;
    private string? _activeRoom;
    private bool _registered;
    private bool _quitting;
    private TimeSpan? _lag;
    private int _nickAttempt;
    private readonly Dictionary<string, string> _isupport = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _caps = new(StringComparer.OrdinalIgnoreCase);

    public IrcChatClient(ChatClientOptions options, Action<ChatEvent> report)
    {
        _options = options;
        _report = report;
        _nick = options.Nick;
        foreach (var room in options.Rooms) AddRoom(NormalizeRoom(room));
        _activeRoom = _rooms.FirstOrDefault();
        Dcc = new DccManager(new DccContext(this, options.DownloadDirectory));
    }

    /// <summary>Raised whenever something on the status line changes.</summary>
    public event Action? StatusChanged;

    internal DccManager Dcc { get; }

    public ChatStatus Status
    {
        get
        {
            lock (_gate)
                return new ChatStatus($"{_options.Host}:{_options.Port}", _nick, _activeRoom, _registered, _options.Tls, _lag);
        }
    }

    /// <summary>
    /// Completes once the first registration succeeded and its burst (ISUPPORT, MOTD) has arrived; input
    /// typed earlier waits for it. Faults when the first connection fails.
    /// </summary>
    public Task Ready => _firstReady.Task;

    /// <summary>
    /// Connects and runs until /quit or <paramref name="ct"/>. The first connection's failure is
    /// thrown (nothing to reconnect to); later drops are retried with backoff.
    /// </summary>
    public async Task RunAsync(CancellationToken ct)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, _stop.Token);
        var token = linked.Token;
        var attempt = 0;
        while (!_quitting && !token.IsCancellationRequested)
        {
            string reason;
            _sessionRegistered = false;
            var opened = false;
            try
            {
                var connection = await IrcConnection.OpenAsync(_options, _report, token);
                opened = true;
                await using (connection)
                {
                    lock (_gate) _connection = connection;
                    reason = await SessionAsync(connection, token);
                    lock (_gate) { _connection = null; _registered = false; _lag = null; }
                    StatusChanged?.Invoke();
                    if (!_sessionRegistered && !_everRegistered && !_quitting)
                        throw new SockException($"{_options.Host}:{_options.Port} closed the connection before registration completed: {reason}");
                }
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                break;
            }
            catch (ChatRefusedException)
            {
                _firstReady.TrySetCanceled(CancellationToken.None);
                throw;
            }
            catch (Exception e) when (e is SockException or IOException or System.Net.Sockets.SocketException)
            {
                lock (_gate) { _connection = null; _registered = false; _lag = null; }
                if (!_everRegistered)
                {
                    // A write that fails because the server already hung up is the same story as the read that sees it.
                    var failure = opened && e is IOException or System.Net.Sockets.SocketException
                        ? new SockException($"{_options.Host}:{_options.Port} closed the connection before registration completed: {e.Message}", e)
                        : e;
                    _firstReady.TrySetException(failure);
                    if (!ReferenceEquals(failure, e)) throw failure;
                    throw;
                }
                reason = e.Message;
            }
            if (_quitting || token.IsCancellationRequested) break;
            _firstReady.TrySetResult(); // registered once, dropped before the burst ended: input need not wait for a reconnect
            if (_sessionRegistered) attempt = 0;
            var delay = TimeSpan.FromTicks(Math.Min(_options.ReconnectMaxDelay.Ticks, _options.ReconnectDelay.Ticks << Math.Min(attempt, 20)));
            attempt++;
            _report(ChatEvent.Error($"disconnected from {_options.Host}:{_options.Port} ({reason}); reconnecting in {delay.TotalSeconds:0.#}s (attempt {attempt})"));
            try { await Task.Delay(delay, token); } catch (OperationCanceledException) { break; }
        }
        Dcc.CancelAll();
    }

    private bool _sessionRegistered;
    // Once the first connection has registered, failures mean reconnecting, not giving up.
    private bool _everRegistered;

    /// <summary>Registers and handles lines until the server closes; returns why it ended.</summary>
    private async Task<string> SessionAsync(IrcConnection connection, CancellationToken ct)
    {
        _sessionRegistered = false;
        _nickAttempt = 0;
        _caps.Clear();
        _isupport.Clear();
        var lastHeard = DateTime.UtcNow;
        using var sessionEnd = CancellationTokenSource.CreateLinkedTokenSource(ct);
        // CAP LS first: servers without CAP answer 421 and register us anyway.
        await connection.SendAsync(new IrcMessage("CAP", "LS", "302"), ct);
        await connection.SendAsync(new IrcMessage("NICK", _nick), ct);
        await connection.SendAsync(new IrcMessage("USER", SafeUser(_nick), "0", "*", _options.RealName), ct);
        var pinger = PingLoopAsync(connection, () => lastHeard, sessionEnd.Token);
        string reason = "server closed the connection";
        try
        {
            while (true)
            {
                string? line;
                try
                {
                    line = await connection.ReadLineAsync(ct);
                }
                catch (IOException e)
                {
                    reason = e.InnerException?.Message ?? e.Message;
                    break;
                }
                if (line is null) break;
                lastHeard = DateTime.UtcNow;
                if (connection.LastLineWasCut)
                    _report(ChatEvent.Error($"the server sent a line over {IrcLineReader.MaxLineBytes} bytes; showing only its start"));
                var message = IrcMessage.Parse(line);
                if (message is null) continue;
                try
                {
                    var closing = await HandleAsync(connection, message, ct);
                    if (closing is not null) reason = closing;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // A line we could not make sense of must never end the session.
                    _report(ChatEvent.Error($"ignored a line from the server that could not be handled ({e.Message}): {Truncate(line, 200)}"));
                }
            }
        }
        finally
        {
            await sessionEnd.CancelAsync();
            try { await pinger; } catch (OperationCanceledException) { }
        }
        return reason;
    }

    private async Task PingLoopAsync(IrcConnection connection, Func<DateTime> lastHeard, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            await Task.Delay(_registered ? _options.PingInterval : TimeSpan.FromMilliseconds(500), ct);
            if (!_sessionRegistered) continue;
            if (DateTime.UtcNow - lastHeard() > _options.PingInterval * 3)
            {
                _report(ChatEvent.Error($"no answer from the server for {(_options.PingInterval * 3).TotalSeconds:0}s"));
                connection.Abort();
                return;
            }
            await SendPingAsync(connection, ct);
        }
    }

    private static Task SendPingAsync(IrcConnection connection, CancellationToken ct) =>
        connection.SendAsync(new IrcMessage("PING", "sock-lag-" + DateTime.UtcNow.Ticks.ToString(System.Globalization.CultureInfo.InvariantCulture)), ct);

    /// <summary>Sends a line if connected; otherwise tells the user it was not sent.</summary>
    internal async Task<bool> SendAsync(IrcMessage message, CancellationToken ct)
    {
        IrcConnection? connection;
        lock (_gate) connection = _connection;
        if (connection is null || !_registered && message.Command is not ("QUIT" or "NICK"))
        {
            _report(ChatEvent.Error($"not connected: {message.Command} not sent"));
            return false;
        }
        try
        {
            await connection.SendAsync(message, ct);
            return true;
        }
        catch (IOException e)
        {
            _report(ChatEvent.Error($"not sent ({e.Message})"));
            return false;
        }
        catch (ObjectDisposedException)
        {
            _report(ChatEvent.Error($"not connected: {message.Command} not sent"));
            return false;
        }
    }

    internal IPAddress? LocalAddress
    {
        get { lock (_gate) return _connection?.LocalAddress; }
    }

    internal string Nick { get { lock (_gate) return _nick; } }

    internal void Report(ChatEvent e) => _report(e);

    private void AddRoom(string room)
    {
        lock (_gate)
            if (!_rooms.Contains(room, StringComparer.OrdinalIgnoreCase)) _rooms.Add(room);
    }

    private static string NormalizeRoom(string room) =>
        room.Length > 0 && room[0] is '#' or '&' or '+' or '!' ? room : "#" + room;

    private static string SafeUser(string nick)
    {
        var chars = nick.Where(char.IsAsciiLetterOrDigit).Take(10).ToArray();
        return chars.Length == 0 ? "sock" : new string(chars);
    }

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..max] + "…";

    /// <summary>Sends QUIT, waits briefly for the server to close, and stops reconnecting.</summary>
    public async Task QuitAsync(string? message = null)
    {
        if (Dcc.Running > 0)
        {
            _report(ChatEvent.Transfer($"waiting for {Dcc.Running} file transfer(s) to finish before quitting"));
            try { await Dcc.WaitForRunningAsync(TimeSpan.FromMinutes(30), _stop.Token); } catch (OperationCanceledException) { }
        }
        _quitting = true;
        IrcConnection? connection;
        lock (_gate) connection = _connection;
        if (connection is not null)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try
            {
                await connection.SendAsync(new IrcMessage("QUIT", message ?? "bye"), timeout.Token);
                // The server answers QUIT with ERROR and closes; give it a moment so the QUIT is delivered.
                while (true)
                {
                    lock (_gate) if (_connection is null) break;
                    await Task.Delay(20, timeout.Token);
                }
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException) { }
        }
        await _stop.CancelAsync();
    }

    /// <summary>
    /// The user's input has ended: quits once the first connection's outcome is known, so a server
    /// that is not there still ends <see cref="RunAsync"/> with its error (exit 1), not a quiet quit.
    /// </summary>
    public async Task EndOfInputAsync(CancellationToken ct)
    {
        if (_quitting) return;
        try
        {
            await Ready.WaitAsync(ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return; // the first connection failed: RunAsync reports it
        }
        await QuitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        _quitting = true;
        await _stop.CancelAsync();
        Dcc.CancelAll();
        Dcc.Dispose();
        _stop.Dispose();
    }
}
