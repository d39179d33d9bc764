namespace Sock.Chat;

/// <summary>One room: members with their status, topic, modes. All changes happen under <see cref="Gate"/>.</summary>
public sealed class ChatRoom
{
    // Each member's status and its place in _live.
    private readonly Dictionary<ChatMember, (RoomStatus Status, int Index)> _members = [];
    // The members as the fan-out walks them (under Gate): a join appends, a leave moves the last
    // member into the gap, so neither copies the room. (A copy-on-write array cost a copy of the
    // whole room per join: 50 million references and much of the GC in a 10,000-client join storm.)
    private readonly List<ChatMember> _live = [];
    // For readers outside the lock: built on first use after a change, then shared.
    private ChatMember[]? _snapshot;

    internal ChatRoom(string name) => Name = name;

    internal Lock Gate { get; } = new();
    /// <summary>The room's name; changed only by <see cref="ChatHub.RenameRoom"/>, under <see cref="Gate"/>.</summary>
    public string Name { get; internal set; }
    public DateTimeOffset Created { get; } = DateTimeOffset.UtcNow;
    public string Topic { get; internal set; } = "";
    public string TopicSetBy { get; internal set; } = "";
    public DateTimeOffset TopicTime { get; internal set; }
    /// <summary>+t: only room operators change the topic.</summary>
    public bool TopicLocked { get; internal set; } = true;
    /// <summary>+n: only members may send to the room.</summary>
    public bool NoExternal { get; internal set; } = true;
    /// <summary>+m: only operators and voiced members may speak.</summary>
    public bool Moderated { get; internal set; }
    /// <summary>+C: no CTCP to the room but ACTION (/me).</summary>
    public bool NoCtcp { get; internal set; }
    /// <summary>+i: joining needs an invitation (or a matching +I mask).</summary>
    public bool InviteOnly { get; internal set; }
    /// <summary>+s: not listed, not shown in WHOIS to outsiders.</summary>
    public bool Secret { get; internal set; }
    /// <summary>+p: listed without its topic, shown as private in NAMES.</summary>
    public bool Private { get; internal set; }
    /// <summary>+k: the key joining needs; null when none.</summary>
    public string? Key { get; internal set; }
    /// <summary>+l: the most members the room takes; null when unlimited.</summary>
    public int? Limit { get; internal set; }
    /// <summary>+b, +e, +I mask lists, each bounded by <see cref="ChatServerOptions.MaxListEntries"/>.</summary>
    internal MaskList Bans { get; } = new();
    internal MaskList Excepts { get; } = new();
    internal MaskList InviteExceptions { get; } = new();
    /// <summary>Set when ChanServ keeps this room (topic, modes and lists saved on every change).</summary>
    public Accounts.RegisteredRoom? Registration { get; internal set; }
    /// <summary>Key/value metadata its operators set (IRCv3 draft/metadata-3).</summary>
    public MetadataTable Metadata { get; } = new();
    /// <summary>Nicks invited since they last joined (INVITE lets them past +i).</summary>
    internal HashSet<string> Invited { get; } = new(StringComparer.OrdinalIgnoreCase);
    /// <summary>Set when the last member left and the room was removed.</summary>
    internal bool Closed { get; set; }

    /// <summary>The flag and parameter modes as IRC's 324 shows them (<c>+klmnt key 10</c>); the key only to members.</summary>
    public string ModeString(bool showKey) => RoomMode.Describe(this, showKey);

    /// <summary>The mask lists by their mode letter (for RPL_BANLIST and friends).</summary>
    internal MaskList? ListFor(char mode) => mode switch { 'b' => Bans, 'e' => Excepts, 'I' => InviteExceptions, _ => null };

    /// <summary>A snapshot of a mask list, for a reader outside the lock.</summary>
    public IReadOnlyList<MaskEntry> ListEntries(char mode)
    {
        lock (Gate) return ListFor(mode) is { } list ? [.. list.Entries] : [];
    }

    /// <summary>The members at this moment: a snapshot that stays valid (copied at most once per change, when asked).</summary>
    public IReadOnlyList<ChatMember> Members
    {
        get
        {
            if (Volatile.Read(ref _snapshot) is { } members) return members;
            lock (Gate) return _snapshot ??= [.. _members.Keys];
        }
    }

    /// <summary>The members, live: only while holding <see cref="Gate"/> (the hub's fan-out).</summary>
    internal IReadOnlyList<ChatMember> Live => _live;

    /// <summary>Exact under <see cref="Gate"/>; outside it, the count of a moment ago.</summary>
    public int Count => _live.Count;

    public RoomStatus StatusOf(ChatMember m)
    {
        lock (Gate) return _members.GetValueOrDefault(m).Status;
    }

    /// <summary>Every member with its status, read in one pass under the lock (NAMES of a large room).</summary>
    internal KeyValuePair<ChatMember, RoomStatus>[] MembersWithStatus()
    {
        lock (Gate) return [.. _members.Select(kv => KeyValuePair.Create(kv.Key, kv.Value.Status))];
    }

    /// <summary>Every member with its status, live: only while holding <see cref="Gate"/> (a joiner's NAMES).</summary>
    internal Dictionary<ChatMember, (RoomStatus Status, int Index)> LiveWithStatus => _members;

    internal bool Contains(ChatMember m) => _members.ContainsKey(m);

    internal void Add(ChatMember m, RoomStatus status)
    {
        if (_members.TryGetValue(m, out var known))
        {
            _members[m] = (status, known.Index);
            return;
        }
        _members[m] = (status, _live.Count);
        _live.Add(m);
        Changed();
    }

    internal bool Remove(ChatMember m)
    {
        if (!_members.Remove(m, out var gone)) return false;
        var last = _live[^1];
        if (!ReferenceEquals(last, m))
        {
            _live[gone.Index] = last;
            _members[last] = (_members[last].Status, gone.Index);
        }
        _live.RemoveAt(_live.Count - 1);
        Changed();
        return true;
    }

    private void Changed() => Volatile.Write(ref _snapshot, null);

    internal void SetStatus(ChatMember m, RoomStatus status) => _members[m] = (status, _members[m].Index);

    internal RoomStatus Status(ChatMember m) => _members.GetValueOrDefault(m).Status;
}

/// <summary>One entry of a +b/+e/+I list: the mask, who set it and when.</summary>
public sealed record MaskEntry(string Mask, string SetBy, DateTimeOffset Time);

/// <summary>A room's list of nick!user@host masks (bans, exceptions, invite exceptions).</summary>
internal sealed class MaskList
{
    private readonly List<MaskEntry> _entries = [];

    public IReadOnlyList<MaskEntry> Entries => _entries;

    public int Count => _entries.Count;

    public bool Add(MaskEntry e)
    {
        if (_entries.Any(x => string.Equals(x.Mask, e.Mask, StringComparison.OrdinalIgnoreCase))) return false;
        _entries.Add(e);
        return true;
    }

    public bool Remove(string mask) => _entries.RemoveAll(x => string.Equals(x.Mask, mask, StringComparison.OrdinalIgnoreCase)) > 0;

    /// <summary>
    /// Whether an entry matches the member: a nick!user@host glob, or an extended ban (<see cref="ExtBans"/>).
    /// Mute extbans count only when <paramref name="speaking"/> (they keep no one out of a room).
    /// </summary>
    public bool Matches(ChatMember m, bool speaking = false)
    {
        if (_entries.Count == 0) return false;
        var prefix = m.Prefix;
        foreach (var e in _entries)
        {
            if (!ExtBans.IsExtended(e.Mask)) { if (Masks.Match(e.Mask, prefix)) return true; continue; }
            if (ExtBans.TryParse(e.Mask, out var ban, out var arg) && (speaking || ban.Effect != ExtBanEffect.Mute) && ban.Matches(arg, m))
                return true;
        }
        return false;
    }
}

[Flags]
public enum RoomStatus
{
    None = 0,
    Voice = 1,
    Operator = 2,
}
