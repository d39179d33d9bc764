using System.Collections.Concurrent;
using Sock.Chat.Storage;

namespace Sock.Chat;

/// <summary>
/// Rooms, nicks, fan-out, ordering and history — and nothing about protocols or sockets.
/// Room events are sequenced and handed to <see cref="IChatFanout"/> under the room's lock, so
/// every member receives them in the order the hub accepted them.
/// </summary>
public sealed class ChatHub
{
    private readonly ConcurrentDictionary<string, ChatRoom> _rooms = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, ChatMember> _nicks = new(StringComparer.OrdinalIgnoreCase);
    private readonly IChatFanout _fanout;
    private long _sequence;
    private int _guests;

    public ChatHub(ChatServerOptions options, IHistoryStore? history = null, IChatFanout? fanout = null)
    {
        Options = options;
        History = history ?? new MemoryHistoryStore(options.HistoryLength);
        _fanout = fanout ?? new LocalFanout();
    }

    public ChatServerOptions Options { get; }
    public IHistoryStore History { get; }
    public string ServerName => Options.ServerName;
    public int MemberCount => _nicks.Count;
    public IReadOnlyCollection<ChatMember> Members => [.. _nicks.Values];
    public IReadOnlyList<ChatRoom> Rooms => [.. _rooms.Values.OrderBy(r => r.Name, StringComparer.OrdinalIgnoreCase)];

    /// <summary>Raised for connects, nick changes, joins and quits (for logs and the operator console).</summary>
    public event Action<string>? Activity;

    public ChatMember? FindMember(string nick) => _nicks.GetValueOrDefault(nick);

    public ChatRoom? FindRoom(string name) => _rooms.GetValueOrDefault(name);

    public bool IsRegistered(ChatMember m) => _nicks.TryGetValue(m.Nick, out var x) && ReferenceEquals(x, m);

    /// <summary>Gives the member the next free guest-N nick and registers it.</summary>
    public string ClaimGuestNick(ChatMember m)
    {
        while (true)
        {
            var nick = "guest-" + Interlocked.Increment(ref _guests);
            if (ClaimNick(m, nick) == ChatError.None) return nick;
        }
    }

    /// <summary>Registers or changes the member's nick; a change is announced to everyone sharing a room.</summary>
    public ChatError ClaimNick(ChatMember m, string nick)
    {
        if (!ChatNames.IsValidNick(nick, Options.NickLength)) return ChatError.ErroneousNick;
        var old = m.Nick;
        var registered = IsRegistered(m);
        if (registered && string.Equals(old, nick, StringComparison.OrdinalIgnoreCase))
        {
            if (old == nick) return ChatError.None;
            _nicks[nick] = m; // case change of one's own nick
        }
        else
        {
            if (!_nicks.TryAdd(nick, m)) return ChatError.NickInUse;
            if (registered) _nicks.TryRemove(new KeyValuePair<string, ChatMember>(old, m));
        }
        var prefix = m.Prefix;
        m.Nick = nick;
        if (!registered)
        {
            Activity?.Invoke($"{nick} connected ({m.Protocol}, {m.Host})");
            return ChatError.None;
        }
        var e = new ChatEvent { Kind = ChatEventKind.NickChange, Sequence = Next(), From = old, FromPrefix = prefix, Text = nick, Sender = m };
        foreach (var peer in Peers(m, includeSelf: true)) peer.Deliver(e);
        Activity?.Invoke($"{old} is now known as {nick}");
        return ChatError.None;
    }

    public ChatError Join(ChatMember m, string name, out ChatRoom? room)
    {
        room = null;
        if (!ChatNames.IsValidChannel(name, Options.ChannelLength)) return ChatError.BadRoomName;
        if (m.InRoom(name)) { room = FindRoom(name); return ChatError.AlreadyInRoom; }
        if (m.RoomCount >= Options.MaxChannelsPerClient) return ChatError.TooManyRooms;
        while (true)
        {
            var r = _rooms.GetOrAdd(name, n => new ChatRoom(n));
            lock (r.Gate)
            {
                if (r.Closed) continue; // removed while we looked it up; create afresh
                r.Add(m, r.Count == 0 ? RoomStatus.Operator : RoomStatus.None);
                m.AddRoom(r.Name);
                Publish(r, new ChatEvent { Kind = ChatEventKind.Join, Sequence = Next(), From = m.Nick, FromPrefix = m.Prefix, Target = r.Name, Sender = m });
                room = r;
            }
            Activity?.Invoke($"{m.Nick} joined {r.Name}");
            return ChatError.None;
        }
    }

    public ChatError Part(ChatMember m, string name, string reason)
    {
        var r = FindRoom(name);
        if (r is null) return ChatError.NoSuchRoom;
        lock (r.Gate)
        {
            if (!r.Contains(m)) return ChatError.NotInRoom;
            Publish(r, new ChatEvent { Kind = ChatEventKind.Part, Sequence = Next(), From = m.Nick, FromPrefix = m.Prefix, Target = r.Name, Text = reason, Sender = m });
            RemoveLocked(r, m);
        }
        Activity?.Invoke($"{m.Nick} left {r.Name}");
        return ChatError.None;
    }

    /// <summary>
    /// Says <paramref name="text"/> to a room or a nick. Room messages go to every member (the
    /// sender included; its session decides whether to echo) and into history.
    /// </summary>
    public ChatError Say(ChatMember m, string target, string text, ChatEventKind kind, out ChatMember? recipient)
    {
        recipient = null;
        if (ChatNames.IsChannel(target))
        {
            var r = FindRoom(target);
            if (r is null) return ChatError.NoSuchRoom;
            lock (r.Gate)
            {
                var status = r.Status(m);
                var member = r.Contains(m);
                if ((r.NoExternal && !member) || (r.Moderated && status == RoomStatus.None && !m.IsOperator))
                    return ChatError.CannotSendToRoom;
                var e = new ChatEvent { Kind = kind, Sequence = Next(), From = m.Nick, FromPrefix = m.Prefix, Target = r.Name, Text = text, Sender = m };
                if (kind != ChatEventKind.Notice) History.Append(e);
                _fanout.Publish(r, e, r.Live);
            }
            m.LastActive = DateTimeOffset.UtcNow;
            return ChatError.None;
        }
        var to = FindMember(target);
        if (to is null) return ChatError.NoSuchNick;
        recipient = to;
        var pm = new ChatEvent { Kind = kind, Sequence = Next(), From = m.Nick, FromPrefix = m.Prefix, Target = to.Nick, Text = text, Sender = m };
        to.Deliver(pm);
        if (!ReferenceEquals(to, m)) m.Deliver(pm);
        m.LastActive = DateTimeOffset.UtcNow;
        return ChatError.None;
    }

    /// <summary>Removes the member from every room and the nick table, telling everyone who shared a room.</summary>
    public void Quit(ChatMember m, string reason)
    {
        if (!IsRegistered(m)) return;
        var e = new ChatEvent { Kind = ChatEventKind.Quit, Sequence = Next(), From = m.Nick, FromPrefix = m.Prefix, Text = reason, Sender = m };
        var told = new HashSet<ChatMember>(ReferenceEqualityComparer.Instance);
        foreach (var name in m.Rooms)
        {
            var r = FindRoom(name);
            if (r is null) continue;
            lock (r.Gate)
            {
                if (!RemoveLocked(r, m)) continue;
                foreach (var peer in r.Live)
                    if (told.Add(peer)) peer.Deliver(e);
            }
        }
        _nicks.TryRemove(new KeyValuePair<string, ChatMember>(m.Nick, m));
        Activity?.Invoke($"{m.Nick} quit ({reason})");
    }

    public ChatError Kick(ChatMember by, string roomName, string nick, string reason)
    {
        var r = FindRoom(roomName);
        if (r is null) return ChatError.NoSuchRoom;
        var target = FindMember(nick);
        lock (r.Gate)
        {
            if (!r.Contains(by) && !by.IsOperator) return ChatError.NotInRoom;
            if (!r.Status(by).HasFlag(RoomStatus.Operator) && !by.IsOperator) return ChatError.NotRoomOperator;
            if (target is null || !r.Contains(target)) return ChatError.UserNotInRoom;
            Publish(r, new ChatEvent { Kind = ChatEventKind.Kick, Sequence = Next(), From = by.Nick, FromPrefix = by.Prefix, Target = r.Name, Text = target.Nick, Extra = reason, Sender = by });
            RemoveLocked(r, target);
        }
        Activity?.Invoke($"{by.Nick} kicked {target.Nick} from {r.Name} ({reason})");
        return ChatError.None;
    }

    public ChatError SetTopic(ChatMember by, string roomName, string topic)
    {
        var r = FindRoom(roomName);
        if (r is null) return ChatError.NoSuchRoom;
        if (topic.Length > Options.TopicLength) topic = topic[..Options.TopicLength];
        lock (r.Gate)
        {
            if (!r.Contains(by)) return ChatError.NotInRoom;
            if (r.TopicLocked && !r.Status(by).HasFlag(RoomStatus.Operator) && !by.IsOperator) return ChatError.NotRoomOperator;
            r.Topic = topic;
            r.TopicSetBy = by.Nick;
            r.TopicTime = DateTimeOffset.UtcNow;
            Publish(r, new ChatEvent { Kind = ChatEventKind.Topic, Sequence = Next(), From = by.Nick, FromPrefix = by.Prefix, Target = r.Name, Text = topic, Sender = by });
        }
        return ChatError.None;
    }

    /// <summary>Changes room flags (m, n, t) and member status (o, v); announces the change as one MODE.</summary>
    public ChatError ChangeModes(ChatMember by, string roomName, IReadOnlyList<(bool On, char Mode, string? Nick)> changes)
    {
        var r = FindRoom(roomName);
        if (r is null) return ChatError.NoSuchRoom;
        lock (r.Gate)
        {
            if (!r.Status(by).HasFlag(RoomStatus.Operator) && !by.IsOperator) return ChatError.NotRoomOperator;
            var applied = new System.Text.StringBuilder();
            var args = new List<string>();
            bool? lastSign = null;
            foreach (var (on, mode, nick) in changes)
            {
                switch (mode)
                {
                    case 'm': r.Moderated = on; break;
                    case 'n': r.NoExternal = on; break;
                    case 't': r.TopicLocked = on; break;
                    case 'o' or 'v':
                        var target = nick is null ? null : FindMember(nick);
                        if (target is null || !r.Contains(target)) return ChatError.UserNotInRoom;
                        var flag = mode == 'o' ? RoomStatus.Operator : RoomStatus.Voice;
                        var s = r.Status(target);
                        r.SetStatus(target, on ? s | flag : s & ~flag);
                        args.Add(target.Nick);
                        break;
                    default: continue;
                }
                if (lastSign != on) applied.Append(on ? '+' : '-');
                lastSign = on;
                applied.Append(mode);
            }
            if (applied.Length == 0) return ChatError.None;
            Publish(r, new ChatEvent { Kind = ChatEventKind.Mode, Sequence = Next(), From = by.Nick, FromPrefix = by.Prefix, Target = r.Name, Text = applied.ToString(), Extra = string.Join(' ', args), Sender = by });
        }
        return ChatError.None;
    }

    /// <summary>An IRC operator (or the console) disconnects a user.</summary>
    public ChatError Kill(ChatMember by, string nick, string reason)
    {
        if (!by.IsOperator) return ChatError.NoPrivileges;
        var target = FindMember(nick);
        if (target is null) return ChatError.NoSuchNick;
        Activity?.Invoke($"{by.Nick} killed {target.Nick} ({reason})");
        target.Disconnect($"Killed by {by.Nick}: {reason}");
        return ChatError.None;
    }

    /// <summary>WALLOPS: to every operator and every member with +w.</summary>
    public ChatError Wallops(ChatMember by, string text)
    {
        if (!by.IsOperator) return ChatError.NoPrivileges;
        var e = new ChatEvent { Kind = ChatEventKind.Wallops, Sequence = Next(), From = by.Nick, FromPrefix = by.Prefix, Text = text, Sender = by };
        foreach (var m in _nicks.Values)
            if (m.IsOperator || m.WantsWallops) m.Deliver(e);
        return ChatError.None;
    }

    /// <summary>A server notice to every connected member (the operator console's /broadcast).</summary>
    public void Broadcast(string text)
    {
        foreach (var m in _nicks.Values)
            m.Deliver(new ChatEvent { Kind = ChatEventKind.Notice, Sequence = Next(), From = ServerName, FromPrefix = ServerName, Target = m.Nick, Text = text });
    }

    /// <summary>The last <paramref name="count"/> messages of a room, oldest first.</summary>
    public IReadOnlyList<ChatEvent> Recent(string room, int count) => History.Recent(room, Math.Min(count, Options.HistoryLength));

    private void Publish(ChatRoom r, ChatEvent e) => _fanout.Publish(r, e, r.Live);

    private bool RemoveLocked(ChatRoom r, ChatMember m)
    {
        if (!r.Remove(m)) return false;
        m.RemoveRoom(r.Name);
        if (r.Count == 0)
        {
            r.Closed = true;
            _rooms.TryRemove(new KeyValuePair<string, ChatRoom>(r.Name, r));
        }
        return true;
    }

    private HashSet<ChatMember> Peers(ChatMember m, bool includeSelf)
    {
        var peers = new HashSet<ChatMember>(ReferenceEqualityComparer.Instance);
        if (includeSelf) peers.Add(m);
        foreach (var name in m.Rooms)
            if (FindRoom(name) is { } r)
                foreach (var p in r.Members) peers.Add(p);
        return peers;
    }

    private long Next() => Interlocked.Increment(ref _sequence);
}
