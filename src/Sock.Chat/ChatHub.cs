using System.Collections.Concurrent;
using System.Globalization;
using Sock.Chat.Storage;

namespace Sock.Chat;

/// <summary>
/// Rooms, nicks, fan-out, ordering and history — and nothing about protocols or sockets.
/// Room events are sequenced and handed to <see cref="IChatFanout"/> under the room's lock, so
/// every member receives them in the order the hub accepted them.
/// (Partial: ChatHub.Rooms.cs joins and leaves, ChatHub.Messages.cs says and history,
/// ChatHub.Modes.cs modes/topic/kick/invite, ChatHub.Presence.cs away/setname/monitor/whowas.)
/// </summary>
public sealed partial class ChatHub
{
    private readonly ConcurrentDictionary<string, ChatRoom> _rooms = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, ChatMember> _nicks = new(StringComparer.OrdinalIgnoreCase);
    private readonly IChatFanout _fanout;
    private readonly INickRegistry _registry;
    // msgids are this run's start (base 36) and the event's sequence: unique across restarts without a lookup.
    private readonly string _msgIdPrefix = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString("x", CultureInfo.InvariantCulture) + "-";
    private long _sequence;
    private int _guests;

    public ChatHub(ChatServerOptions options, IHistoryStore? history = null, IChatFanout? fanout = null, Accounts.IAccountStore? accounts = null,
        INickRegistry? nicks = null)
    {
        Options = options;
        _registry = nicks ?? LocalNickRegistry.Instance;
        // A cluster's msgids carry the node id: two nodes started in the same millisecond still differ.
        if (options.NodeId is { } node)
        {
            _msgIdPrefix = node + "-" + _msgIdPrefix;
            // Each node counts guests from its own place, so nodes seldom probe each other's guest nicks.
            _guests = Random.Shared.Next(1, 1000) * 1000;
        }
        History = history ?? new MemoryHistoryStore(options.HistoryLength);
        _fanout = fanout ?? new LocalFanout();
        WhoWas = new WhoWasLog(options.WhoWasLength);
        Monitors = new MonitorRegistry(options.MonitorLimit);
        Accounts = new Accounts.AccountService(accounts ?? new Accounts.MemoryAccountStore(), options.AccountOptions);
        Accounts.Log += m => Activity?.Invoke(m);
        Services = new Services.ChatServices(this);
        RestoredAlwaysOn = RestoreAlwaysOn(); // ChatHub.AlwaysOn.cs: always-on members the account store kept
    }

    /// <summary>Accounts (NickServ, SASL, REGISTER all go through this).</summary>
    public Accounts.AccountService Accounts { get; }
    /// <summary>The NickServ and ChanServ pseudo-users.</summary>
    public Services.ChatServices Services { get; }

    /// <summary>The options in force; <see cref="ReplaceOptions"/> swaps them on reload (new values apply to what reads them next).</summary>
    public ChatServerOptions Options { get; private set; }

    internal void ReplaceOptions(ChatServerOptions options) => Options = options;
    public IHistoryStore History { get; }
    public WhoWasLog WhoWas { get; }
    public MonitorRegistry Monitors { get; }
    /// <summary>Counters for operators (/metrics): a few interlocked adds per message, none per delivery.</summary>
    public ChatMetrics Metrics { get; } = new();
    public string ServerName => Options.ServerName;
    public DateTimeOffset Started { get; } = DateTimeOffset.UtcNow;
    /// <summary>Connected users (the services' pseudo-users not counted).</summary>
    public int MemberCount => _nicks.Count - (Services is null ? 0 : Sock.Chat.Services.ChatServices.Count);
    public int RoomCount => _rooms.Count;
    /// <summary>The most members connected at once since start (LUSERS 266).</summary>
    public int MaxMemberCount { get; private set; }
    /// <summary>The most members of this server connected at once (LUSERS 265; on one server the same as <see cref="MaxMemberCount"/>).</summary>
    public int MaxLocalCount { get; private set; }
    private int _localCount;
    public IReadOnlyCollection<ChatMember> Members => [.. _nicks.Values];
    public IReadOnlyList<ChatRoom> Rooms => [.. _rooms.Values.OrderBy(r => r.Name, StringComparer.OrdinalIgnoreCase)];

    /// <summary>Raised for connects, nick changes, joins and quits (for logs and the operator console).</summary>
    public event Action<string>? Activity;

    public ChatMember? FindMember(string nick) => _nicks.GetValueOrDefault(nick);

    public ChatRoom? FindRoom(string name) => _rooms.GetValueOrDefault(name);

    public bool IsRegistered(ChatMember m) => _nicks.TryGetValue(m.Nick, out var x) && ReferenceEquals(x, m);

    /// <summary>Gives the member the next free guest-N nick and registers it; null when no nick can be claimed now (a cluster node without Redis).</summary>
    public string? ClaimGuestNick(ChatMember m)
    {
        while (true)
        {
            var nick = "guest-" + Interlocked.Increment(ref _guests);
            var error = ClaimNick(m, nick);
            if (error == ChatError.None) return nick;
            if (error != ChatError.NickInUse) return null;
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
            if (m.IsLocal && _registry.TryClaim(m, nick, old) is var claimed && claimed != ChatError.None) return claimed;
            _nicks[nick] = m; // case change of one's own nick
        }
        else
        {
            if (!_nicks.TryAdd(nick, m)) return ChatError.NickInUse;
            if (m.IsLocal && m is not Sock.Chat.Services.ServiceMember)
            {
                var claimed = _registry.TryClaim(m, nick, registered ? old : null);
                if (claimed != ChatError.None)
                {
                    _nicks.TryRemove(new KeyValuePair<string, ChatMember>(nick, m));
                    return claimed;
                }
            }
            if (registered)
            {
                WhoWas.Record(m);
                _nicks.TryRemove(new KeyValuePair<string, ChatMember>(old, m));
            }
        }
        var prefix = m.Prefix;
        m.Nick = nick;
        if (!registered)
        {
            if (m is Sock.Chat.Services.ServiceMember) return ChatError.None;
            MaxMemberCount = Math.Max(MaxMemberCount, MemberCount);
            if (m.IsLocal) MaxLocalCount = Math.Max(MaxLocalCount, Interlocked.Increment(ref _localCount));
            Activity?.Invoke($"{nick} connected ({m.Protocol}, {m.Host})");
            NotifyMonitors(nick, online: m);
            ProtectNick(m);
            return ChatError.None;
        }
        var e = NewEvent(ChatEventKind.NickChange, m, old, prefix, text: nick);
        foreach (var peer in Peers(m, includeSelf: true)) peer.Deliver(e);
        if (!string.Equals(old, nick, StringComparison.OrdinalIgnoreCase))
        {
            if (m.IsLocal) ForgetPrivateHistory(old);
            NotifyMonitors(old, online: null);
            NotifyMonitors(nick, online: m);
            ProtectNick(m);
        }
        Activity?.Invoke($"{old} is now known as {nick}");
        return ChatError.None;
    }

    /// <summary>Removes the member from every room and the nick table, telling everyone who shared a room.</summary>
    public void Quit(ChatMember m, string reason)
    {
        Monitors.Clear(m);
        // One device of several leaving (ChatHub.Devices.cs): the account stays while it has another.
        if (m is ChatConnection device && PresenceOf(m) is { } presence) { Detach(device, presence, reason); return; }
        // A lone connection of an always-on account: it stays on without a device (ChatHub.AlwaysOn.cs).
        if (m is ChatConnection lone && m.Account is not null && Linger(lone, reason)) return;
        if (!IsRegistered(m)) return;
        var e = NewEvent(ChatEventKind.Quit, m, text: reason);
        var told = new HashSet<ChatMember>(ReferenceEqualityComparer.Instance);
        foreach (var name in m.Rooms)
        {
            var r = FindRoom(name);
            if (r is null) continue;
            lock (r.Gate)
            {
                if (!RemoveLocked(r, m)) continue;
                _fanout.Left(r, m);
                foreach (var peer in r.Live)
                    if (told.Add(peer)) peer.Deliver(e);
            }
        }
        WhoWas.Record(m);
        if (_nicks.TryRemove(new KeyValuePair<string, ChatMember>(m.Nick, m)) && m.IsLocal && m is not Sock.Chat.Services.ServiceMember) Interlocked.Decrement(ref _localCount);
        if (m.IsLocal) _registry.Release(m, reason);
        // A cluster shares one history store: the member's own node forgets, not every node that hears of the quit.
        if (m.IsLocal) ForgetPrivateHistory(m.Nick);
        NotifyMonitors(m.Nick, online: null);
        Activity?.Invoke($"{m.Nick} quit ({reason})");
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
        var e = NewEvent(ChatEventKind.Wallops, by, text: text);
        foreach (var m in _nicks.Values)
            if (m.IsOperator || m.WantsWallops) m.Deliver(e);
        return ChatError.None;
    }

    /// <summary>A server notice to every connected member (the operator console's /broadcast).</summary>
    public void Broadcast(string text)
    {
        foreach (var m in _nicks.Values)
            m.Deliver(new ChatEvent { Kind = ChatEventKind.Notice, Sequence = Next(), MsgId = NextMsgId(), From = ServerName, FromPrefix = ServerName, Target = m.Nick, Text = text });
    }

    /// <summary>A new event from <paramref name="m"/> with the next sequence and msgid.</summary>
    private ChatEvent NewEvent(ChatEventKind kind, ChatMember m, string? from = null, string? prefix = null, string? target = null,
        string text = "", string? extra = null, string? clientTags = null, RoomStatus audience = RoomStatus.None, IReadOnlyList<MessageLine>? lines = null)
    {
        var seq = Next();
        return new ChatEvent
        {
            Kind = kind,
            Sequence = seq,
            MsgId = _msgIdPrefix + seq.ToString("x", CultureInfo.InvariantCulture),
            From = from ?? m.Nick,
            FromPrefix = prefix ?? m.Prefix,
            Target = target,
            Text = text,
            Extra = extra,
            Sender = m,
            Account = m.Account,
            FromBot = m.IsBot,
            ClientTags = clientTags,
            Audience = audience,
            Lines = lines,
        };
    }

    private string NextMsgId() => _msgIdPrefix + Next().ToString("x", CultureInfo.InvariantCulture);

    private void Publish(ChatRoom r, ChatEvent e) => _fanout.Publish(r, e, r.Live);

    private HashSet<ChatMember> Peers(ChatMember m, bool includeSelf)
    {
        var peers = new HashSet<ChatMember>(ReferenceEqualityComparer.Instance);
        if (includeSelf) peers.Add(m);
        foreach (var name in m.Rooms)
            if (FindRoom(name) is { } r)
                foreach (var p in r.Members) peers.Add(p);
        return peers;
    }

    /// <summary>True when the two share at least one room.</summary>
    public static bool ShareRoom(ChatMember a, ChatMember b)
    {
        foreach (var name in a.Rooms)
            if (b.InRoom(name)) return true;
        return false;
    }

    private long Next() => Interlocked.Increment(ref _sequence);
}
