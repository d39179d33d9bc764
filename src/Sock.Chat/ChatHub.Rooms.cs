namespace Sock.Chat;

public sealed partial class ChatHub
{
    public ChatError Join(ChatMember m, string name, out ChatRoom? room) => Join(m, name, null, out room);

    /// <summary>
    /// Joins a room (creating it, with the joiner as operator), checking +b/+e, +i/+I/invitations,
    /// +k and +l. Under the room's lock the JOIN is published and the member's
    /// <see cref="ChatMember.OnJoined"/> queues its welcome and the history replay, so a message
    /// accepted meanwhile is neither missed nor delivered twice.
    /// </summary>
    public ChatError Join(ChatMember m, string name, string? key, out ChatRoom? room)
    {
        room = null;
        if (!ChatNames.IsValidChannel(name, Options.ChannelLength)) return ChatError.BadRoomName;
        if (m.InRoom(name)) { room = FindRoom(name); return ChatError.AlreadyInRoom; }
        if (m.RoomCount >= Options.MaxChannelsPerClient) return ChatError.TooManyRooms;
        if (Options.RequireAccount && m.Account is null && m is not Sock.Chat.Services.ServiceMember && m.Protocol != "console") return ChatError.AccountRequired;
        if (!_fanout.Accepting) return ChatError.Unavailable;
        while (true)
        {
            var r = _rooms.GetOrAdd(name, CreateRoom);
            lock (r.Gate)
            {
                // Removed (or renamed) while we looked it up: look again (create afresh).
                if (r.Closed || !string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase)) continue;
                var refused = Admission(r, m, key);
                if (refused != ChatError.None)
                {
                    if (r.Count == 0) Close(r);
                    return refused;
                }
                r.Uninvite(m.Nick);
                r.Add(m, JoinStatus(r, m));
                m.AddRoom(r.Name);
                _fanout.Joined(r, NewEvent(ChatEventKind.Join, m, target: r.Name, extra: m.RealName), m, () => Recent(r.Name, Options.HistoryReplay));
                room = r;
            }
            Activity?.Invoke($"{m.Nick} joined {r.Name}");
            if (m is Devices.AccountPresence) SaveRooms(m); // an always-on member's rooms survive a restart
            return ChatError.None;
        }
    }

    /// <summary>Whether the room's modes let the member in (operators of the server always pass).</summary>
    private static ChatError Admission(ChatRoom r, ChatMember m, string? key)
    {
        if ((r.Count == 0 && r.Registration is null) || m.IsOperator || JoinStatus(r, m) != RoomStatus.None) return ChatError.None;
        var invited = r.IsInvited(m.Nick);
        if (r.Bans.Matches(m) && !r.Excepts.Matches(m) && !invited) return ChatError.BannedFromRoom;
        if (r.InviteOnly && !invited && !r.InviteExceptions.Matches(m)) return ChatError.InviteOnlyRoom;
        if (r.Key is { } k && key != k) return ChatError.BadRoomKey;
        if (r.Limit is { } limit && r.Count >= limit && !invited) return ChatError.RoomFull;
        return ChatError.None;
    }

    public ChatError Part(ChatMember m, string name, string reason)
    {
        var r = FindRoom(name);
        if (r is null) return ChatError.NoSuchRoom;
        lock (r.Gate)
        {
            if (!r.Contains(m)) return ChatError.NotInRoom;
            Publish(r, NewEvent(ChatEventKind.Part, m, target: r.Name, text: reason));
            RemoveLocked(r, m);
        }
        Activity?.Invoke($"{m.Nick} left {r.Name}");
        if (m is Devices.AccountPresence) SaveRooms(m);
        return ChatError.None;
    }

    private bool RemoveLocked(ChatRoom r, ChatMember m)
    {
        if (!r.Remove(m)) return false;
        m.RemoveRoom(r.Name);
        if (r.Count == 0) Close(r);
        return true;
    }

    private void Close(ChatRoom r)
    {
        r.Closed = true;
        _rooms.TryRemove(new KeyValuePair<string, ChatRoom>(r.Name, r));
    }
}
