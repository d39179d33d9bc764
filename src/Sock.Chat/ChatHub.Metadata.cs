namespace Sock.Chat;

/// <summary>What metadata belongs to: a member or a room.</summary>
public readonly record struct MetadataTarget(ChatMember? Member, ChatRoom? Room)
{
    /// <summary>The nick or room name, as notifications name it.</summary>
    public string Name => Member?.Nick ?? Room!.Name;
    public MetadataTable Table => Member?.Metadata ?? Room!.Metadata;
}

public sealed partial class ChatHub
{
    /// <summary>A nick or a room by name; null when there is none.</summary>
    public MetadataTarget? FindMetadataTarget(string name) =>
        ChatNames.IsChannel(name)
            ? FindRoom(name) is { } r ? new MetadataTarget(null, r) : null
            : FindMember(name) is { } m ? new MetadataTarget(m, null) : null;

    /// <summary>
    /// A member's metadata is public; a room's is seen by its members, server operators, and anyone
    /// when a stranger could join and read the room freely (not +i, +k, +s or +p).
    /// </summary>
    public static bool CanSeeMetadata(ChatMember by, MetadataTarget t)
    {
        if (t.Room is not { } r) return true;
        return by.IsOperator || by.InRoom(r.Name) || !(r.InviteOnly || r.Key is not null || r.Secret || r.Private);
    }

    /// <summary>One's own metadata, a room's by its operators; server operators may change any.</summary>
    public static bool CanEditMetadata(ChatMember by, MetadataTarget t) =>
        by.IsOperator || (t.Member is { } m ? ReferenceEquals(m, by) : t.Room!.StatusOf(by).HasFlag(RoomStatus.Operator));

    /// <summary>
    /// Sets (or with a null value removes) one key; a change is told to those who see the target: a
    /// member's to everyone sharing a room with it and its MONITOR watchers, a room's to its members
    /// (each protocol decides whether its client wants it). Before the member is registered nobody is told.
    /// </summary>
    public MetadataError SetMetadata(ChatMember by, MetadataTarget t, string key, string? value)
    {
        if (!MetadataKeys.IsValidKey(key)) return MetadataError.InvalidKey;
        if (value is not null && !MetadataKeys.IsValidValue(value, Options.MetadataMaxValueBytes)) return MetadataError.InvalidValue;
        if (!CanEditMetadata(by, t)) return MetadataError.NoPermission;
        if (t.Room is { } r)
        {
            lock (r.Gate) // the change and its fan-out in the room's order, like a topic
            {
                if (!r.Metadata.Set(key, value, Options.MetadataMaxKeys, out var changed)) return MetadataError.LimitReached;
                if (changed && !r.Closed) Publish(r, MetadataEvent(by, r.Name, key, value));
            }
            return MetadataError.None;
        }
        var m = t.Member!;
        if (!m.Metadata.Set(key, value, Options.MetadataMaxKeys, out var memberChanged)) return MetadataError.LimitReached;
        if (memberChanged) TellMetadata(by, m, key, value);
        return MetadataError.None;
    }

    /// <summary>Removes every key of the target (when <see cref="CanEditMetadata"/>), each told as a removal; returns the keys.</summary>
    public IReadOnlyList<string>? ClearMetadata(ChatMember by, MetadataTarget t)
    {
        if (!CanEditMetadata(by, t)) return null;
        if (t.Room is { } r)
        {
            lock (r.Gate)
            {
                var keys = r.Metadata.Clear();
                if (!r.Closed) foreach (var key in keys) Publish(r, MetadataEvent(by, r.Name, key, null));
                return keys;
            }
        }
        var cleared = t.Member!.Metadata.Clear();
        foreach (var key in cleared) TellMetadata(by, t.Member, key, null);
        return cleared;
    }

    private void TellMetadata(ChatMember by, ChatMember m, string key, string? value)
    {
        if (!IsRegistered(m)) return;
        var e = MetadataEvent(by, m.Nick, key, value);
        foreach (var peer in PeersAndWatchers(m, includeSelf: true)) peer.Deliver(e);
    }

    private ChatEvent MetadataEvent(ChatMember by, string target, string key, string? value) =>
        NewEvent(ChatEventKind.Metadata, by, target: target, text: key, extra: value);
}
