using System.Text;

namespace Sock.Chat.Irc;

public sealed partial class IrcSession
{
    private void Registered(IrcMessage m)
    {
        switch (m.Command)
        {
            case "PING": Pong(m); break;
            case "PONG": break;
            case "CAP": Cap(m); break;
            case "USER" or "PASS": Reply("462", "You may not reregister"); break;
            case "NICK": NickChange(m); break;
            case "JOIN": Join(m); break;
            case "PART": Part(m); break;
            case "PRIVMSG": Message(m, ChatEventKind.Message); break;
            case "NOTICE": Message(m, ChatEventKind.Notice); break;
            case "NAMES": Names(m); break;
            case "TOPIC": Topic(m); break;
            case "WHO": Who(m); break;
            case "WHOIS": Whois(m); break;
            case "LIST": List(); break;
            case "MODE": Mode(m); break;
            case "KICK": Kick(m); break;
            case "AWAY": AwayCommand(m); break;
            case "QUIT": Disconnect(m.Params.Count > 0 ? "Quit: " + m.Param(0) : "Quit"); break;
            case "OPER": Oper(m); break;
            case "KILL": Kill(m); break;
            case "WALLOPS": WallopsCommand(m); break;
            case "MOTD": Motd(); break;
            case "CHATHISTORY": ChatHistory(m); break;
            case "ISON":
                Reply("303", string.Join(' ', m.Params.SelectMany(p => p.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Select(Hub.FindMember).OfType<ChatMember>().Select(x => x.Nick)));
                break;
            case "USERHOST":
                Reply("302", string.Join(' ', m.Params.Take(5).Select(Hub.FindMember).OfType<ChatMember>().Select(x => $"{x.Nick}{(x.IsOperator ? "*" : "")}={(x.Away is null ? '+' : '-')}{x.UserName}@{x.Host}")));
                break;
            default: Reply("421", m.Command, "Unknown command"); break;
        }
    }

    private bool NeedParams(IrcMessage m, int count)
    {
        if (m.Params.Count >= count && (count == 0 || m.Param(count - 1).Length > 0)) return true;
        Reply("461", m.Command, "Not enough parameters");
        return false;
    }

    private void NickChange(IrcMessage m)
    {
        if (m.Params.Count == 0 || m.Param(0).Length == 0) { Reply("431", "No nickname given"); return; }
        switch (Hub.ClaimNick(this, m.Param(0)))
        {
            case ChatError.ErroneousNick: Reply("432", m.Param(0), "Erroneous nickname"); break;
            case ChatError.NickInUse: Reply("433", m.Param(0), "Nickname is already in use"); break;
        }
    }

    private void Join(IrcMessage m)
    {
        if (!NeedParams(m, 1)) return;
        if (m.Param(0) == "0")
        {
            foreach (var room in Rooms) Hub.Part(this, room, "Left all channels");
            return;
        }
        foreach (var name in m.Param(0).Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            switch (Hub.Join(this, name, out var r))
            {
                case ChatError.None:
                    if (r!.Topic.Length > 0) { Reply("332", r.Name, r.Topic); ReplyTo("333", false, r.Name, r.TopicSetBy, r.TopicTime.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)); }
                    NamesOf(r);
                    Replay(r.Name);
                    break;
                case ChatError.BadRoomName: Reply("403", name, "No such channel"); break;
                case ChatError.TooManyRooms: Reply("405", name, "You have joined too many channels"); break;
            }
        }
    }

    private void Replay(string room) => SendHistory(room, Hub.Recent(room, Options.HistoryReplay), batch: null);

    /// <summary>
    /// Past messages: PRIVMSG with their original time (server-time), else NOTICEs that say when;
    /// inside <paramref name="batch"/> when the client takes batches.
    /// </summary>
    private void SendHistory(string room, IEnumerable<ChatEvent> events, string? batch)
    {
        var tag = batch is null ? "" : $"batch={batch}";
        foreach (var e in events)
        {
            var text = e.Kind == ChatEventKind.Action ? $"\u0001ACTION {e.Text}\u0001" : e.Text;
            SendLine(ServerTime
                ? $"@{(tag.Length > 0 ? tag + ";" : "")}time={Timestamp(e.Time)} :{e.FromPrefix} PRIVMSG {room} :{text}"
                : $"{(tag.Length > 0 ? "@" + tag + " " : "")}:{Server} NOTICE {room} :[{e.Time.ToLocalTime():HH:mm}] <{e.From}> {e.Text}");
        }
    }

    private int _batches;

    /// <summary>A client's value echoed as one middle parameter: "*" when it could not be one (empty, a space, a leading ':').</summary>
    private static string Word(string value) =>
        value.Length == 0 || value.Contains(' ', StringComparison.Ordinal) || value.StartsWith(':') ? "*" : value;

    /// <summary>
    /// IRCv3 CHATHISTORY (draft): LATEST with * or timestamp=, BEFORE and AFTER with timestamp=, for a
    /// room the user is in; at most the history the server keeps. Answered as a "chathistory" batch
    /// when the client negotiated batch (an empty one when there is nothing).
    /// </summary>
    private void ChatHistory(IrcMessage m)
    {
        if (!NeedParams(m, 4)) return;
        var sub = m.Param(0).ToUpperInvariant();
        var target = m.Param(1);
        if (sub is not ("LATEST" or "BEFORE" or "AFTER"))
        {
            SendLine($":{Server} FAIL CHATHISTORY INVALID_PARAMS {Word(m.Param(0))} :Supported: LATEST, BEFORE, AFTER");
            return;
        }
        var room = Hub.FindRoom(target);
        if (room is null || !InRoom(room.Name))
        {
            SendLine($":{Server} FAIL CHATHISTORY INVALID_TARGET {sub} {Word(target)} :Messages could not be retrieved");
            return;
        }
        var bound = m.Param(2);
        DateTimeOffset? at = null;
        if (bound != "*" || sub != "LATEST")
        {
            if (!bound.StartsWith("timestamp=", StringComparison.Ordinal)
                || !DateTimeOffset.TryParse(bound["timestamp=".Length..], System.Globalization.CultureInfo.InvariantCulture,
                    System.Globalization.DateTimeStyles.AssumeUniversal, out var parsed))
            {
                SendLine($":{Server} FAIL CHATHISTORY INVALID_PARAMS {sub} {Word(bound)} :Expected * (LATEST) or timestamp=YYYY-MM-DDThh:mm:ss.sssZ");
                return;
            }
            at = parsed;
        }
        if (!int.TryParse(m.Param(3), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var limit) || limit < 1)
        {
            SendLine($":{Server} FAIL CHATHISTORY INVALID_PARAMS {sub} {Word(m.Param(3))} :The limit must be a positive number");
            return;
        }
        limit = Math.Min(limit, Options.HistoryLength);
        IEnumerable<ChatEvent> all = Hub.Recent(room.Name, Options.HistoryLength);
        // Timestamps are compared at the millisecond precision they are sent with.
        static long Ms(DateTimeOffset t) => t.ToUnixTimeMilliseconds();
        var chosen = sub switch
        {
            "LATEST" when at is null => all.TakeLast(limit),
            "LATEST" => all.Where(e => Ms(e.Time) > Ms(at!.Value)).TakeLast(limit),
            "AFTER" => all.Where(e => Ms(e.Time) > Ms(at!.Value)).Take(limit),
            _ => all.Where(e => Ms(e.Time) < Ms(at!.Value)).TakeLast(limit), // BEFORE
        };
        string? batch = null;
        if (_caps.Contains("batch"))
        {
            batch = "h" + (++_batches).ToString(System.Globalization.CultureInfo.InvariantCulture);
            SendLine($":{Server} BATCH +{batch} chathistory {room.Name}");
        }
        SendHistory(room.Name, chosen.ToList(), batch);
        if (batch is not null) SendLine($":{Server} BATCH -{batch}");
    }

    private void Part(IrcMessage m)
    {
        if (!NeedParams(m, 1)) return;
        foreach (var name in m.Param(0).Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            switch (Hub.Part(this, name, m.Param(1)))
            {
                case ChatError.NoSuchRoom: Reply("403", name, "No such channel"); break;
                case ChatError.NotInRoom: Reply("442", name, "You're not on that channel"); break;
            }
        }
    }

    private void Message(IrcMessage m, ChatEventKind kind)
    {
        var notice = kind == ChatEventKind.Notice;
        if (m.Params.Count == 0 || m.Param(0).Length == 0) { if (!notice) Reply("411", $"No recipient given ({m.Command})"); return; }
        if (m.Params.Count < 2 || m.Param(1).Length == 0) { if (!notice) Reply("412", "No text to send"); return; }
        var text = m.Param(1);
        if (!notice && text.StartsWith("\u0001ACTION ", StringComparison.Ordinal))
        {
            kind = ChatEventKind.Action;
            text = text[8..].TrimEnd('\u0001');
        }
        foreach (var target in m.Param(0).Split(',', StringSplitOptions.RemoveEmptyEntries).Take(4))
        {
            var error = Hub.Say(this, target, text, kind, out var to);
            if (notice) continue; // NOTICE never gets automatic replies
            switch (error)
            {
                case ChatError.NoSuchNick: Reply("401", target, "No such nick/channel"); break;
                case ChatError.NoSuchRoom: Reply("403", target, "No such channel"); break;
                case ChatError.CannotSendToRoom: Reply("404", target, "Cannot send to channel"); break;
                case ChatError.None when to?.Away is { } away: Reply("301", to.Nick, away); break;
            }
        }
    }

    private string Prefixes(ChatRoom r, ChatMember member)
    {
        var s = r.StatusOf(member);
        if (_caps.Contains("multi-prefix"))
            return (s.HasFlag(RoomStatus.Operator) ? "@" : "") + (s.HasFlag(RoomStatus.Voice) ? "+" : "");
        return s.HasFlag(RoomStatus.Operator) ? "@" : s.HasFlag(RoomStatus.Voice) ? "+" : "";
    }

    private void Names(IrcMessage m)
    {
        if (m.Params.Count == 0) { Reply("366", "*", "End of /NAMES list."); return; }
        foreach (var name in m.Param(0).Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            if (Hub.FindRoom(name) is { } r) NamesOf(r);
            else Reply("366", name, "End of /NAMES list.");
        }
    }

    private void NamesOf(ChatRoom r)
    {
        // One locked pass for the statuses, then lines of up to ~400 characters built in place:
        // a joiner of a 10,000-member room gets this whole list.
        var multi = _caps.Contains("multi-prefix");
        var line = new StringBuilder(512);
        foreach (var (member, s) in r.MembersWithStatus())
        {
            var nick = member.Nick;
            if (line.Length + nick.Length + 2 > 400) { Reply("353", "=", r.Name, line.ToString()); line.Clear(); }
            if (line.Length > 0) line.Append(' ');
            if (s.HasFlag(RoomStatus.Operator)) line.Append('@');
            if (s.HasFlag(RoomStatus.Voice) && (multi || !s.HasFlag(RoomStatus.Operator))) line.Append('+');
            line.Append(nick);
        }
        if (line.Length > 0) Reply("353", "=", r.Name, line.ToString());
        Reply("366", r.Name, "End of /NAMES list.");
    }

    private void Topic(IrcMessage m)
    {
        if (!NeedParams(m, 1)) return;
        var r = Hub.FindRoom(m.Param(0));
        if (r is null) { Reply("403", m.Param(0), "No such channel"); return; }
        if (m.Params.Count < 2)
        {
            if (r.Topic.Length == 0) Reply("331", r.Name, "No topic is set");
            else { Reply("332", r.Name, r.Topic); ReplyTo("333", false, r.Name, r.TopicSetBy, r.TopicTime.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)); }
            return;
        }
        switch (Hub.SetTopic(this, r.Name, m.Param(1)))
        {
            case ChatError.NotInRoom: Reply("442", r.Name, "You're not on that channel"); break;
            case ChatError.NotRoomOperator: Reply("482", r.Name, "You're not channel operator"); break;
            case ChatError.NoSuchRoom: Reply("403", r.Name, "No such channel"); break;
        }
    }

    private void WhoLine(string channel, ChatMember x, ChatRoom? r) =>
        Reply("352", channel, x.UserName, x.Host, Server, x.Nick,
            (x.Away is null ? "H" : "G") + (x.IsOperator ? "*" : "") + (r is null ? "" : Prefixes(r, x)), "0 " + (x.RealName.Length > 0 ? x.RealName : x.Nick));

    private void Who(IrcMessage m)
    {
        var mask = m.Params.Count > 0 ? m.Param(0) : "*";
        if (ChatNames.IsChannel(mask))
        {
            if (Hub.FindRoom(mask) is { } r)
                foreach (var x in r.Members) WhoLine(r.Name, x, r);
        }
        else if (Hub.FindMember(mask) is { } x)
        {
            WhoLine("*", x, null);
        }
        Reply("315", mask, "End of WHO list");
    }

    private void Whois(IrcMessage m)
    {
        if (m.Params.Count == 0) { Reply("431", "No nickname given"); return; }
        var nick = m.Params[^1];
        var x = Hub.FindMember(nick);
        if (x is null)
        {
            Reply("401", nick, "No such nick/channel");
            Reply("318", nick, "End of /WHOIS list");
            return;
        }
        Reply("311", x.Nick, x.UserName, x.Host, "*", x.RealName.Length > 0 ? x.RealName : x.Nick);
        var rooms = x.Rooms.Select(Hub.FindRoom).OfType<ChatRoom>().Select(r => Prefixes(r, x) + r.Name).ToList();
        if (rooms.Count > 0) Reply("319", x.Nick, string.Join(' ', rooms));
        Reply("312", x.Nick, Server, $"sock chat ({x.Protocol} client)");
        if (x.IsOperator) Reply("313", x.Nick, "is an IRC operator");
        if (x.Away is { } away) Reply("301", x.Nick, away);
        ReplyTo("317", true, x.Nick, ((long)(DateTimeOffset.UtcNow - x.LastActive).TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
            x.SignOn.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), "seconds idle, signon time");
        Reply("318", x.Nick, "End of /WHOIS list");
    }

    private void List()
    {
        Reply("321", "Channel", "Users  Name");
        foreach (var r in Hub.Rooms) Reply("322", r.Name, r.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), r.Topic);
        Reply("323", "End of /LIST");
    }

    private void Mode(IrcMessage m)
    {
        if (!NeedParams(m, 1)) return;
        var target = m.Param(0);
        if (!ChatNames.IsChannel(target)) { UserMode(m); return; }
        var r = Hub.FindRoom(target);
        if (r is null) { Reply("403", target, "No such channel"); return; }
        if (m.Params.Count < 2)
        {
            ReplyTo("324", false, r.Name, r.ModeString);
            ReplyTo("329", false, r.Name, r.Created.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
            return;
        }
        var changes = new List<(bool, char, string?)>();
        var on = true;
        var arg = 2;
        foreach (var c in m.Param(1))
        {
            switch (c)
            {
                case '+': on = true; break;
                case '-': on = false; break;
                case 'b' when m.Params.Count <= arg: Reply("368", r.Name, "End of channel ban list"); break;
                case 'm' or 'n' or 't': changes.Add((on, c, null)); break;
                case 'o' or 'v':
                    if (m.Params.Count <= arg) { Reply("461", "MODE", "Not enough parameters"); return; }
                    changes.Add((on, c, m.Param(arg++)));
                    break;
                default: Reply("472", c.ToString(), "is unknown mode char to me"); break;
            }
        }
        if (changes.Count == 0) return;
        switch (Hub.ChangeModes(this, r.Name, changes))
        {
            case ChatError.NotRoomOperator: Reply("482", r.Name, "You're not channel operator"); break;
            case ChatError.UserNotInRoom: Reply("441", changes.First(x => x.Item3 is not null).Item3!, r.Name, "They aren't on that channel"); break;
        }
    }

    private void UserMode(IrcMessage m)
    {
        if (Hub.FindMember(m.Param(0)) is null) { Reply("401", m.Param(0), "No such nick/channel"); return; }
        if (!string.Equals(m.Param(0), Nick, StringComparison.OrdinalIgnoreCase)) { Reply("502", "Cant change mode for other users"); return; }
        if (m.Params.Count < 2) { Reply("221", UserModes()); return; }
        var on = true;
        var applied = new StringBuilder();
        foreach (var c in m.Param(1))
        {
            switch (c)
            {
                case '+': on = true; break;
                case '-': on = false; break;
                case 'i': applied.Append(on ? "+i" : "-i"); break;
                case 'w': WantsWallops = on; applied.Append(on ? "+w" : "-w"); break;
                case 'o':
                    if (!on && IsOperator) { IsOperator = false; applied.Append("-o"); }
                    break;
                default: Reply("501", "Unknown MODE flag"); break;
            }
        }
        if (applied.Length > 0) SendLine($":{Prefix} MODE {Nick} :{applied}");
    }

    private string UserModes() => "+" + (WantsWallops ? "w" : "") + (IsOperator ? "o" : "");

    private void Kick(IrcMessage m)
    {
        if (!NeedParams(m, 2)) return;
        var reason = m.Params.Count > 2 ? m.Param(2) : Nick;
        switch (Hub.Kick(this, m.Param(0), m.Param(1), reason))
        {
            case ChatError.NoSuchRoom: Reply("403", m.Param(0), "No such channel"); break;
            case ChatError.NotInRoom: Reply("442", m.Param(0), "You're not on that channel"); break;
            case ChatError.NotRoomOperator: Reply("482", m.Param(0), "You're not channel operator"); break;
            case ChatError.UserNotInRoom: Reply("441", m.Param(1), m.Param(0), "They aren't on that channel"); break;
        }
    }

    private void AwayCommand(IrcMessage m)
    {
        if (m.Params.Count == 0 || m.Param(0).Length == 0)
        {
            Away = null;
            Reply("305", "You are no longer marked as being away");
        }
        else
        {
            Away = m.Param(0).Length > Options.TopicLength ? m.Param(0)[..Options.TopicLength] : m.Param(0);
            Reply("306", "You have been marked as being away");
        }
    }

    private void Oper(IrcMessage m)
    {
        if (!NeedParams(m, 2)) return;
        if (!Options.Operators.TryGetValue(m.Param(0), out var password) || password != m.Param(1))
        {
            Reply("464", "Password incorrect");
            return;
        }
        IsOperator = true;
        WantsWallops = true;
        Reply("381", "You are now an IRC operator");
        SendLine($":{Prefix} MODE {Nick} :+ow");
    }

    private void Kill(IrcMessage m)
    {
        if (!IsOperator) { Reply("481", "Permission Denied- You're not an IRC operator"); return; }
        if (!NeedParams(m, 1)) return;
        if (Hub.Kill(this, m.Param(0), m.Params.Count > 1 ? m.Param(1) : "no reason") == ChatError.NoSuchNick)
            Reply("401", m.Param(0), "No such nick/channel");
    }

    private void WallopsCommand(IrcMessage m)
    {
        if (!IsOperator) { Reply("481", "Permission Denied- You're not an IRC operator"); return; }
        if (!NeedParams(m, 1)) return;
        Hub.Wallops(this, m.Param(0));
    }

    public override void Deliver(ChatEvent e)
    {
        var mine = ReferenceEquals(e.Sender, this);
        var timed = ServerTime;
        if (e.Kind is ChatEventKind.Message or ChatEventKind.Action or ChatEventKind.Notice && e.Sender is not null)
        {
            if (mine && !_caps.Contains("echo-message")) return;
            var slot = timed ? CacheTimed : CachePlain;
            var bytes = e.EncodingCache[slot] ??= Encoding.UTF8.GetBytes(
                (timed ? $"@time={Timestamp(e.Time)} " : "") + $":{e.FromPrefix} {(e.Kind == ChatEventKind.Notice ? "NOTICE" : "PRIVMSG")} {e.Target} :"
                + (e.Kind == ChatEventKind.Action ? $"\u0001ACTION {e.Text}\u0001" : e.Text) + "\r\n");
            SendRaw(bytes);
            return;
        }
        if (e.Kind == ChatEventKind.Notice)
        {
            // A server notice names its recipient, so it is encoded per member.
            var notice = $":{e.FromPrefix} NOTICE {Nick} :{e.Text}";
            SendLine(timed ? $"@time={Timestamp(e.Time)} {notice}" : notice);
            return;
        }
        // Everything else reads the same for every member: encode once per form (a JOIN in a room of
        // N members would otherwise format and encode N strings).
        var cached = e.EncodingCache[timed ? CacheTimed : CachePlain];
        if (cached is null)
        {
            var line = EncodeRoomEvent(e);
            if (line is null) return;
            cached = e.EncodingCache[timed ? CacheTimed : CachePlain] =
                Encoding.UTF8.GetBytes((timed ? $"@time={Timestamp(e.Time)} " : "") + line + "\r\n");
        }
        SendRaw(cached);
    }

    private static string? EncodeRoomEvent(ChatEvent e) =>
        e.Kind switch
        {
            ChatEventKind.Join => $":{e.FromPrefix} JOIN {e.Target}",
            ChatEventKind.Part => $":{e.FromPrefix} PART {e.Target}" + (e.Text.Length > 0 ? $" :{e.Text}" : ""),
            ChatEventKind.Quit => $":{e.FromPrefix} QUIT :{e.Text}",
            ChatEventKind.NickChange => $":{e.FromPrefix} NICK :{e.Text}",
            ChatEventKind.Topic => $":{e.FromPrefix} TOPIC {e.Target} :{e.Text}",
            ChatEventKind.Kick => $":{e.FromPrefix} KICK {e.Target} {e.Text} :{e.Extra}",
            ChatEventKind.Mode => $":{e.FromPrefix} MODE {e.Target} {e.Text}" + (string.IsNullOrEmpty(e.Extra) ? "" : " " + e.Extra),
            ChatEventKind.Wallops => $":{e.FromPrefix} WALLOPS :{e.Text}",
            _ => null,
        };
}
