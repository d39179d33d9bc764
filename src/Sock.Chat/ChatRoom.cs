namespace Sock.Chat;

/// <summary>One room: members with their status, topic, modes. All changes happen under <see cref="Gate"/>.</summary>
public sealed class ChatRoom
{
    // The members as the fan-out walks them (under Gate): a join appends, a leave moves the last
    // member into the gap, so neither copies the room. (A copy-on-write array cost a copy of the
    // whole room per join: 50 million references and much of the GC in a 10,000-client join storm.)
    private readonly List<ChatMember> _live = [];
    // Each member's status, at its place in _live (grown with it).
    private RoomStatus[] _status = new RoomStatus[4];
    // Each member's place in _live, made once the room outgrows a look along _live (IndexLimit):
    // a dictionary for a room of one was ~200 bytes (it, its entries and buckets), and a plain user
    // alone in a room is common (docs/BENCHMARKS.md).
    private Dictionary<ChatMember, int>? _index;
    private const int IndexLimit = 8;
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
    // Read-only here: a room's list is one shared empty list until ListFor makes its own (most rooms
    // never get an entry; three lists were 72 bytes in every room).
    /// <summary>+b, +e, +I mask lists, each bounded by <see cref="ChatServerOptions.MaxListEntries"/>.</summary>
    internal MaskList Bans => _bans ?? MaskList.None;
    internal MaskList Excepts => _excepts ?? MaskList.None;
    internal MaskList InviteExceptions => _inviteExceptions ?? MaskList.None;
    private MaskList? _bans, _excepts, _inviteExceptions;
    /// <summary>Set when ChanServ keeps this room (topic, modes and lists saved on every change).</summary>
    public Accounts.RegisteredRoom? Registration { get; internal set; }
    /// <summary>Key/value metadata its operators set (IRCv3 draft/metadata-3).</summary>
    public MetadataTable Metadata { get; } = new();
    // Nicks invited since they last joined (INVITE lets them past +i); made on the first INVITE:
    // most rooms never see one, and an empty set was 64 bytes in every room (docs/BENCHMARKS.md).
    private HashSet<string>? _invited;

    /// <summary>Whether the nick was invited since it last joined (under <see cref="Gate"/>).</summary>
    internal bool IsInvited(string nick) => _invited?.Contains(nick) ?? false;

    internal void Invite(string nick) => (_invited ??= new(StringComparer.OrdinalIgnoreCase)).Add(nick);

    internal void Uninvite(string nick) => _invited?.Remove(nick);
    /// <summary>Set when the last member left and the room was removed.</summary>
    internal bool Closed { get; set; }

    /// <summary>The flag and parameter modes as IRC's 324 shows them (<c>+klmnt key 10</c>); the key only to members.</summary>
    public string ModeString(bool showKey) => RoomMode.Describe(this, showKey);

    /// <summary>The mask lists by their mode letter, to change (made here on first use; under <see cref="Gate"/>) or to list.</summary>
    internal MaskList? ListFor(char mode) => mode switch
    {
        'b' => _bans ??= new(),
        'e' => _excepts ??= new(),
        'I' => _inviteExceptions ??= new(),
        _ => null,
    };

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
            lock (Gate) return _snapshot ??= [.. _live];
        }
    }

    /// <summary>The members, live: only while holding <see cref="Gate"/> (the hub's fan-out).</summary>
    internal IReadOnlyList<ChatMember> Live => _live;

    /// <summary>Exact under <see cref="Gate"/>; outside it, the count of a moment ago.</summary>
    public int Count => _live.Count;

    public RoomStatus StatusOf(ChatMember m)
    {
        lock (Gate) return Status(m);
    }

    /// <summary>Every member with its status, read in one pass under the lock (NAMES of a large room).</summary>
    internal KeyValuePair<ChatMember, RoomStatus>[] MembersWithStatus()
    {
        lock (Gate)
        {
            var all = new KeyValuePair<ChatMember, RoomStatus>[_live.Count];
            for (var i = 0; i < all.Length; i++) all[i] = KeyValuePair.Create(_live[i], _status[i]);
            return all;
        }
    }

    /// <summary>Every member with its status, live: only while holding <see cref="Gate"/> (a joiner's NAMES, built in place).</summary>
    internal IEnumerable<(ChatMember Member, RoomStatus Status)> LiveWithStatus()
    {
        for (var i = 0; i < _live.Count; i++) yield return (_live[i], _status[i]);
    }

    internal bool Contains(ChatMember m) => IndexOf(m) >= 0;

    private int IndexOf(ChatMember m)
    {
        if (_index is not null) return _index.TryGetValue(m, out var i) ? i : -1;
        for (var i = 0; i < _live.Count; i++) if (ReferenceEquals(_live[i], m)) return i;
        return -1;
    }

    internal void Add(ChatMember m, RoomStatus status)
    {
        if (IndexOf(m) is var known and >= 0)
        {
            _status[known] = status;
            return;
        }
        var at = _live.Count;
        if (at == _status.Length) Array.Resize(ref _status, at * 2);
        _status[at] = status;
        _live.Add(m);
        if (_index is not null) _index[m] = at;
        else if (_live.Count > IndexLimit)
        {
            _index = new Dictionary<ChatMember, int>(_live.Count * 2);
            for (var i = 0; i < _live.Count; i++) _index[_live[i]] = i;
        }
        Changed();
    }

    internal bool Remove(ChatMember m)
    {
        var gone = IndexOf(m);
        if (gone < 0) return false;
        _index?.Remove(m);
        var lastAt = _live.Count - 1;
        if (gone != lastAt)
        {
            var last = _live[lastAt];
            _live[gone] = last;
            _status[gone] = _status[lastAt];
            if (_index is not null) _index[last] = gone;
        }
        _status[lastAt] = RoomStatus.None;
        _live.RemoveAt(lastAt);
        Changed();
        return true;
    }

    private void Changed() => Volatile.Write(ref _snapshot, null);

    internal void SetStatus(ChatMember m, RoomStatus status) => _status[IndexOf(m) is var i and >= 0 ? i : throw new KeyNotFoundException("not a member of " + Name)] = status;

    internal RoomStatus Status(ChatMember m) => IndexOf(m) is var i and >= 0 ? _status[i] : RoomStatus.None;
}

/// <summary>One entry of a +b/+e/+I list: the mask, who set it and when.</summary>
public sealed record MaskEntry(string Mask, string SetBy, DateTimeOffset Time);

/// <summary>A room's list of nick!user@host masks (bans, exceptions, invite exceptions).</summary>
internal sealed class MaskList
{
    /// <summary>Empty, shared by every room without entries in a list; never added to (see <see cref="ChatRoom.ListFor"/>).</summary>
    public static readonly MaskList None = new();

    // Made on the first entry: every room has three lists and most never get an entry (32 bytes each).
    private List<MaskEntry>? _entries;

    public IReadOnlyList<MaskEntry> Entries => (IReadOnlyList<MaskEntry>?)_entries ?? [];

    public int Count => _entries?.Count ?? 0;

    public bool Add(MaskEntry e)
    {
        if (_entries?.Any(x => string.Equals(x.Mask, e.Mask, StringComparison.OrdinalIgnoreCase)) == true) return false;
        (_entries ??= []).Add(e);
        return true;
    }

    public bool Remove(string mask) => _entries?.RemoveAll(x => string.Equals(x.Mask, mask, StringComparison.OrdinalIgnoreCase)) > 0;

    /// <summary>
    /// Whether an entry matches the member: a nick!user@host glob, or an extended ban (<see cref="ExtBans"/>).
    /// Mute extbans count only when <paramref name="speaking"/> (they keep no one out of a room).
    /// </summary>
    public bool Matches(ChatMember m, bool speaking = false)
    {
        if (_entries is not { Count: > 0 } entries) return false;
        var prefix = m.Prefix;
        foreach (var e in entries)
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
