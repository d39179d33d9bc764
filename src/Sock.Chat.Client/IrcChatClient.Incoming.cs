using System.Globalization;
using System.Text;
using Sock.Chat.Irc;

namespace Sock.Chat.Client;

// What the client does with each line from the server.
public sealed partial class IrcChatClient
{
    private static readonly string[] WantedCaps = ["server-time", "multi-prefix"];
    private readonly List<string> _capLs = [];
    private readonly Dictionary<string, List<string>> _names = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Handles one message; returns a reason when the server announced it is closing.</summary>
    private async Task<string?> HandleAsync(IrcConnection connection, IrcMessage m, CancellationToken ct)
    {
        var time = ServerTime(m);
        switch (m.Command)
        {
            case "PING":
                await connection.SendAsync(new IrcMessage("PONG", m.Params.Count > 0 ? m.Param(0) : "sock"), ct);
                return null;
            case "PONG":
                OnPong(m);
                return null;
            case "CAP":
                await OnCapAsync(connection, m, ct);
                return null;
            case "001":
                await OnWelcomeAsync(connection, m, ct);
                return null;
            case "005":
                foreach (var token in m.Params.Skip(1).Take(Math.Max(0, m.Params.Count - 2)))
                {
                    var eq = token.IndexOf('=', StringComparison.Ordinal);
                    if (eq < 0) _isupport[token] = "";
                    else _isupport[token[..eq]] = token[(eq + 1)..];
                }
                return null;
            case "432" or "433" or "436" or "437" when !_sessionRegistered:
                await RetryNickAsync(connection, m, ct);
                return null;
            case "PRIVMSG" or "NOTICE":
                await OnMessageAsync(m, time, ct);
                return null;
            case "JOIN":
                OnJoin(m, time);
                return null;
            case "PART":
                OnPart(m, time);
                return null;
            case "KICK":
                OnKick(m, time);
                return null;
            case "QUIT":
                Emit(ChatEventKind.Presence, time, $"{m.SourceNick} has quit ({m.Param(0)})", m.SourceNick);
                return null;
            case "NICK":
                OnNick(m, time);
                return null;
            case "TOPIC":
                Emit(ChatEventKind.Presence, time, $"{m.SourceNick} set the topic of {m.Param(0)}: {m.Param(1)}", m.SourceNick, m.Param(0));
                return null;
            case "MODE":
                Emit(ChatEventKind.Presence, time, $"{m.SourceNick ?? "server"} sets mode {string.Join(' ', m.Params.Skip(1))} on {m.Param(0)}", m.SourceNick, m.Param(0));
                return null;
            case "ERROR":
                Emit(ChatEventKind.Error, time, $"server: {m.Param(0)}");
                return m.Param(0);
            case "332":
                Emit(ChatEventKind.Info, time, $"topic of {m.Param(1)}: {m.Param(2)}", null, m.Param(1));
                return null;
            case "353":
                // RPL_NAMREPLY: nick (=|*|@) #room :names — collected until 366.
                var room = m.Param(2);
                if (!_names.TryGetValue(room, out var list)) _names[room] = list = [];
                list.AddRange(m.Param(3).Split(' ', StringSplitOptions.RemoveEmptyEntries));
                return null;
            case "366":
                if (_names.Remove(m.Param(1), out var names))
                    Emit(ChatEventKind.Info, time, $"in {m.Param(1)} ({names.Count}): {string.Join(' ', names)}", null, m.Param(1));
                return null;
            case "352":
                // RPL_WHOREPLY: me #room user host server nick flags :hops realname
                Emit(ChatEventKind.Info, time, $"{m.Param(1)} {m.Param(5)} ({m.Param(2)}@{m.Param(3)}) {m.Param(6)} {RealNameOf(m.Param(7))}", null, m.Param(1));
                return null;
            case "321":
                Emit(ChatEventKind.Info, time, "rooms:");
                return null;
            case "322":
                Emit(ChatEventKind.Info, time, $"  {m.Param(1)} ({m.Param(2)} users) {m.Param(3)}".TrimEnd());
                return null;
            case "376" or "422":
                // The end of the registration burst: ISUPPORT (005) has arrived, so input typed ahead
                // (/history asks whether the server offers CHATHISTORY) can be acted on now.
                _firstReady.TrySetResult();
                if (m.Command == "422") OnOther(m, time);
                return null;
            case "315" or "323" or "375" or "318" or "369":
                return null; // ends and starts of lists: nothing to show
            case "372":
                Emit(ChatEventKind.Info, time, m.Param(1));
                return null;
            default:
                OnOther(m, time);
                return null;
        }
    }

    private static string RealNameOf(string hopsAndName)
    {
        var space = hopsAndName.IndexOf(' ', StringComparison.Ordinal);
        return space < 0 ? "" : hopsAndName[(space + 1)..];
    }

    private void OnOther(IrcMessage m, DateTimeOffset time)
    {
        if (m.Command.Length == 3 && m.Command.All(char.IsAsciiDigit))
        {
            // Numerics: the first parameter is our nick; the rest is the message. Errors are 4xx/5xx.
            var text = string.Join(' ', m.Params.Skip(1));
            var isError = m.Command[0] is '4' or '5';
            Emit(isError ? ChatEventKind.Error : ChatEventKind.Info, time, text.Length == 0 ? m.Command : text);
            return;
        }
        // A command this client does not know: show it as it came rather than hide it.
        Emit(ChatEventKind.Info, time, m.Format());
    }

    private async Task OnCapAsync(IrcConnection connection, IrcMessage m, CancellationToken ct)
    {
        var sub = m.Param(1).ToUpperInvariant();
        if (sub == "LS")
        {
            // Multi-line LS: "CAP * LS * :caps…" continues; the last has no "*".
            var more = m.Params.Count >= 4 && m.Param(2) == "*";
            _capLs.AddRange(m.Params[^1].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(c => c.Split('=')[0]));
            if (more) return;
            var wanted = WantedCaps.Where(c => _capLs.Contains(c, StringComparer.OrdinalIgnoreCase)).ToArray();
            _capLs.Clear();
            if (wanted.Length > 0) await connection.SendAsync(new IrcMessage("CAP", "REQ", string.Join(' ', wanted)), ct);
            else await connection.SendAsync(new IrcMessage("CAP", "END"), ct);
        }
        else if (sub is "ACK" or "NAK")
        {
            if (sub == "ACK")
                foreach (var cap in m.Params[^1].Split(' ', StringSplitOptions.RemoveEmptyEntries)) _caps.Add(cap.TrimStart('-'));
            if (!_sessionRegistered) await connection.SendAsync(new IrcMessage("CAP", "END"), ct);
        }
    }

    private async Task OnWelcomeAsync(IrcConnection connection, IrcMessage m, CancellationToken ct)
    {
        string[] rooms;
        lock (_gate)
        {
            if (m.Params.Count > 0 && m.Param(0).Length > 0) _nick = m.Param(0);
            _registered = true;
            rooms = [.. _rooms];
        }
        _sessionRegistered = _everRegistered = true;
        var security = connection.Fingerprint is null ? "" : $" over TLS (certificate SHA-256 {connection.Fingerprint})";
        Emit(ChatEventKind.Info, DateTimeOffset.Now, $"connected to {_options.Host}:{_options.Port}{security} as {_nick}");
        StatusChanged?.Invoke();
        foreach (var room in rooms) await connection.SendAsync(new IrcMessage("JOIN", room), ct);
        // Ready comes with the end of MOTD (376/422) or, from a server that sends neither, this PING's answer.
        await SendPingAsync(connection, ct);
    }

    private async Task RetryNickAsync(IrcConnection connection, IrcMessage m, CancellationToken ct)
    {
        // Before registration the server will not let us in without a nick: try variants.
        _nickAttempt++;
        if (_nickAttempt > 20) throw new SockException("could not find a free nick after 20 attempts");
        var basis = m.Command == "432" ? "guest" : _options.Nick;
        var next = _nickAttempt switch
        {
            1 when m.Command != "432" => basis + "_",
            _ => basis + Random.Shared.Next(10, 10000).ToString(CultureInfo.InvariantCulture),
        };
        var maxLength = _isupport.TryGetValue("NICKLEN", out var len) && int.TryParse(len, out var n) ? n : 9;
        if (next.Length > maxLength && m.Command != "432") next = next[..Math.Max(1, maxLength - 4)] + Random.Shared.Next(1000, 10000).ToString(CultureInfo.InvariantCulture);
        Emit(ChatEventKind.Info, DateTimeOffset.Now, $"nick {m.Param(1)} is not available ({m.Params[^1]}); trying {next}");
        lock (_gate) _nick = next;
        await connection.SendAsync(new IrcMessage("NICK", next), ct);
    }

    private void OnPong(IrcMessage m)
    {
        if (_sessionRegistered) _firstReady.TrySetResult(); // everything before our PING has arrived
        var token = m.Params.Count > 0 ? m.Params[^1] : "";
        if (!token.StartsWith("sock-lag-", StringComparison.Ordinal)) return;
        if (!long.TryParse(token.AsSpan("sock-lag-".Length), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)) return;
        var lag = DateTime.UtcNow - new DateTime(ticks, DateTimeKind.Utc);
        if (lag < TimeSpan.Zero) return;
        lock (_gate) _lag = lag;
        StatusChanged?.Invoke();
    }

    private bool IsMe(string? nick)
    {
        lock (_gate) return nick is not null && string.Equals(nick, _nick, StringComparison.OrdinalIgnoreCase);
    }

    private void OnJoin(IrcMessage m, DateTimeOffset time)
    {
        var room = m.Param(0);
        if (IsMe(m.SourceNick))
        {
            AddRoom(room);
            lock (_gate) _activeRoom = room;
            StatusChanged?.Invoke();
            Emit(ChatEventKind.Presence, time, $"you joined {room}", m.SourceNick, room);
        }
        else Emit(ChatEventKind.Presence, time, $"{m.SourceNick} joined {room}", m.SourceNick, room);
    }

    private void OnPart(IrcMessage m, DateTimeOffset time)
    {
        var room = m.Param(0);
        var why = m.Params.Count > 1 && m.Param(1).Length > 0 ? $" ({m.Param(1)})" : "";
        if (IsMe(m.SourceNick))
        {
            LeaveRoom(room);
            Emit(ChatEventKind.Presence, time, $"you left {room}{why}", m.SourceNick, room);
        }
        else Emit(ChatEventKind.Presence, time, $"{m.SourceNick} left {room}{why}", m.SourceNick, room);
    }

    private void OnKick(IrcMessage m, DateTimeOffset time)
    {
        var room = m.Param(0);
        var who = m.Param(1);
        if (IsMe(who)) LeaveRoom(room);
        Emit(ChatEventKind.Presence, time, $"{m.SourceNick} kicked {who} from {room} ({m.Param(2)})", m.SourceNick, room);
    }

    private void LeaveRoom(string room)
    {
        lock (_gate)
        {
            _rooms.RemoveAll(r => string.Equals(r, room, StringComparison.OrdinalIgnoreCase));
            if (string.Equals(_activeRoom, room, StringComparison.OrdinalIgnoreCase)) _activeRoom = _rooms.LastOrDefault();
        }
        StatusChanged?.Invoke();
    }

    private void OnNick(IrcMessage m, DateTimeOffset time)
    {
        var newNick = m.Param(0);
        if (IsMe(m.SourceNick))
        {
            lock (_gate) _nick = newNick;
            StatusChanged?.Invoke();
            Emit(ChatEventKind.Presence, time, $"you are now known as {newNick}", newNick);
        }
        else Emit(ChatEventKind.Presence, time, $"{m.SourceNick} is now known as {newNick}", newNick);
    }

    private async Task OnMessageAsync(IrcMessage m, DateTimeOffset time, CancellationToken ct)
    {
        var target = m.Param(0);
        var text = m.Param(1);
        var from = m.SourceNick ?? m.Source ?? "server";
        var isNotice = m.Command == "NOTICE";
        // A message to us privately is shown under the sender's name; one to a room under the room.
        var where = IsMe(target) ? from : target;
        if (text.Length >= 2 && text[0] == '\u0001')
        {
            var body = text.Trim('\u0001');
            var space = body.IndexOf(' ', StringComparison.Ordinal);
            var verb = (space < 0 ? body : body[..space]).ToUpperInvariant();
            var rest = space < 0 ? "" : body[(space + 1)..];
            switch (verb)
            {
                case "ACTION":
                    Emit(ChatEventKind.Action, time, rest, from, where);
                    return;
                case "DCC":
                    if (isNotice) Dcc.OnNotice(from, rest);
                    else await Dcc.OnRequestAsync(from, rest, ct);
                    return;
                case "VERSION" when !isNotice:
                    await SendAsync(new IrcMessage("NOTICE", from, "\u0001VERSION sock chat\u0001"), ct);
                    return;
                case "PING" when !isNotice:
                    await SendAsync(new IrcMessage("NOTICE", from, $"\u0001PING {rest}\u0001"), ct);
                    return;
                default:
                    Emit(ChatEventKind.Info, time, $"CTCP {verb} {(isNotice ? "reply " : "")}from {from} {rest}".TrimEnd(), from);
                    return;
            }
        }
        Emit(isNotice ? ChatEventKind.Notice : ChatEventKind.Message, time, StripControls(text), from, where);
    }

    /// <summary>Removes bytes that would move a terminal's cursor (colour codes of IRC stay as text-free).</summary>
    internal static string StripControls(string text)
    {
        if (!text.Any(c => char.IsControl(c))) return text;
        var sb = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\x03')
            {
                // mIRC colour: \x03[fg[,bg]]
                var digits = 0;
                while (i + 1 < text.Length && char.IsAsciiDigit(text[i + 1]) && digits < 2) { i++; digits++; }
                if (i + 2 < text.Length && text[i + 1] == ',' && char.IsAsciiDigit(text[i + 2]))
                {
                    i++; digits = 0;
                    while (i + 1 < text.Length && char.IsAsciiDigit(text[i + 1]) && digits < 2) { i++; digits++; }
                }
                continue;
            }
            if (c == '\t') sb.Append(' ');
            else if (!char.IsControl(c)) sb.Append(c);
        }
        return sb.ToString();
    }

    private void Emit(ChatEventKind kind, DateTimeOffset time, string text, string? nick = null, string? target = null) =>
        _report(new ChatEvent(kind, time, StripControls(text), nick, target));

    private static DateTimeOffset ServerTime(IrcMessage m) =>
        m.Tags is not null && m.Tags.TryGetValue("time", out var t)
        && DateTimeOffset.TryParse(t, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
            ? parsed.ToLocalTime()
            : DateTimeOffset.Now;
}
