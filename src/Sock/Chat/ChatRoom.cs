namespace Sock.Chat;

/// <summary>One room: members with their status, topic, modes. All changes happen under <see cref="Gate"/>.</summary>
public sealed class ChatRoom
{
    private readonly Dictionary<ChatMember, RoomStatus> _members = [];
    private ChatMember[] _snapshot = [];

    internal ChatRoom(string name) => Name = name;

    internal Lock Gate { get; } = new();
    public string Name { get; }
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
    /// <summary>Set when the last member left and the room was removed.</summary>
    internal bool Closed { get; set; }

    public string ModeString => "+" + (Moderated ? "m" : "") + (NoExternal ? "n" : "") + (TopicLocked ? "t" : "");

    /// <summary>The members at this moment, without allocation (copy-on-write).</summary>
    public IReadOnlyList<ChatMember> Members => Volatile.Read(ref _snapshot);

    public int Count => Members.Count;

    public RoomStatus StatusOf(ChatMember m)
    {
        lock (Gate) return _members.GetValueOrDefault(m);
    }

    /// <summary>Every member with its status, read in one pass under the lock (NAMES of a large room).</summary>
    internal KeyValuePair<ChatMember, RoomStatus>[] MembersWithStatus()
    {
        lock (Gate) return [.. _members];
    }

    internal bool Contains(ChatMember m) => _members.ContainsKey(m);

    internal void Add(ChatMember m, RoomStatus status)
    {
        _members[m] = status;
        _snapshot = [.. _members.Keys];
    }

    internal bool Remove(ChatMember m)
    {
        if (!_members.Remove(m)) return false;
        _snapshot = [.. _members.Keys];
        return true;
    }

    internal void SetStatus(ChatMember m, RoomStatus status) => _members[m] = status;

    internal RoomStatus Status(ChatMember m) => _members.GetValueOrDefault(m);
}

[Flags]
public enum RoomStatus
{
    None = 0,
    Voice = 1,
    Operator = 2,
}
