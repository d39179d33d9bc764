namespace Sock.Chat;

/// <summary>
/// A member of the hub: a connected user of some protocol (or the operator console). The hub sees
/// only this; how events reach the user (encoding, queues, sockets) is the subclass's business.
/// </summary>
public abstract class ChatMember
{
    // The rooms it is in: null in none, the room's name in one, a set in more. Most clients are in
    // one (a plain user always): a set for one name was ~220 bytes (the set, its entries and buckets)
    // each such client carried. Guarded by lock (this): a Lock object per member was 40 bytes each
    // idle client carried, and nothing else locks a member.
    private object? _rooms;

    /// <summary>Current nick; set by the hub when it grants one.</summary>
    public string Nick { get; internal set; } = "*";
    public string UserName { get; set; } = "user";
    public string Host { get; init; } = "localhost";
    public string RealName { get; set; } = "";
    public string? Away { get; set; }
    public bool IsOperator { get; set; }
    public bool WantsWallops { get; set; }
    /// <summary>+i: hidden from WHO and NAMES of people who share no room with it.</summary>
    public bool Invisible { get; set; }
    /// <summary>+B: marked as a bot (IRCv3 bot-mode).</summary>
    public bool IsBot { get; set; }
    /// <summary>The account the member is logged in to, if any (accounts fill this).</summary>
    public string? Account { get; set; }
    /// <summary>SHA-256 of the TLS client certificate, lower-case hex, when the client sent one (SASL EXTERNAL).</summary>
    public string? CertificateFingerprint { get; protected set; }
    /// <summary>Key/value metadata the member set on itself (IRCv3 draft/metadata-3).</summary>
    public MetadataTable Metadata { get; } = new();
    // Times as UTC ticks: a DateTimeOffset field is 16 bytes, a long 8, in every member.
    private readonly long _signOn = DateTime.UtcNow.Ticks;
    private long _lastActive = DateTime.UtcNow.Ticks;
    public DateTimeOffset SignOn => new(_signOn, TimeSpan.Zero);
    public DateTimeOffset LastActive { get => new(Volatile.Read(ref _lastActive), TimeSpan.Zero); set => Volatile.Write(ref _lastActive, value.UtcTicks); }

    /// <summary>False for a member connected to another node of a cluster (the hub shows it; its node delivers to it).</summary>
    public virtual bool IsLocal => true;

    /// <summary>The server name of the node it is connected to, when that is not this one (WHOIS 312).</summary>
    public virtual string? NodeServer => null;

    /// <summary>"plain", "irc" or "console".</summary>
    public abstract string Protocol { get; }

    public string Prefix => $"{Nick}!{UserName}@{Host}";

    /// <summary>Queues an event for this member. Must not block; called under the room's lock.</summary>
    public abstract void Deliver(ChatEvent e);

    /// <summary>
    /// Called by the hub under the room's lock right after this member's JOIN went out: queue the
    /// welcome (topic, names) and <paramref name="replay"/> here so they precede any later message.
    /// </summary>
    protected internal virtual void OnJoined(ChatRoom room, IReadOnlyList<ChatEvent> replay) { }

    /// <summary>Closes the member's connection with a reason it is shown.</summary>
    public abstract void Disconnect(string reason);

    /// <summary>Rooms the member is in (a snapshot).</summary>
    public IReadOnlyList<string> Rooms
    {
        get
        {
            lock (this)
                return _rooms switch { null => [], string one => [one], HashSet<string> set => [.. set], _ => [] };
        }
    }

    internal void AddRoom(string room)
    {
        lock (this)
        {
            switch (_rooms)
            {
                case null: _rooms = room; break;
                case string one when !string.Equals(one, room, StringComparison.OrdinalIgnoreCase):
                    _rooms = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { one, room };
                    break;
                case HashSet<string> set: set.Add(room); break;
            }
        }
    }

    internal void RemoveRoom(string room)
    {
        lock (this)
        {
            if (_rooms is string one) { if (string.Equals(one, room, StringComparison.OrdinalIgnoreCase)) _rooms = null; }
            // Back to one name when one is left (a plain user joins the next room before it parts the last).
            else if (_rooms is HashSet<string> set && set.Remove(room) && set.Count == 1) _rooms = set.First();
        }
    }

    internal bool InRoom(string room)
    {
        lock (this)
            return _rooms is string one ? string.Equals(one, room, StringComparison.OrdinalIgnoreCase) : _rooms is HashSet<string> set && set.Contains(room);
    }

    internal int RoomCount { get { lock (this) return _rooms switch { string => 1, HashSet<string> set => set.Count, _ => 0 }; } }
}
