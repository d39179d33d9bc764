namespace Sock.Chat;

public sealed partial class ChatHub
{
    /// <summary>
    /// Renames a room (IRCv3 draft/channel-rename): its operators (or a server operator) may, to a name no
    /// room has and ChanServ does not keep; members, modes, lists and metadata go with it, and every member is
    /// told (IRC shows RENAME to clients with the cap, a PART and a JOIN to the rest). A room ChanServ keeps is
    /// not renamed: its registration is by name. Its history moves to the new name.
    /// </summary>
    public ChatError RenameRoom(ChatMember by, string oldName, string newName, string reason)
    {
        var r = FindRoom(oldName);
        if (r is null) return ChatError.NoSuchRoom;
        // A cluster keeps a room's stream, record and history under its name on every node: renaming is not clustered.
        if (Options.ClusterUrl is not null) return ChatError.Unavailable;
        if (!ChatNames.IsValidChannel(newName, Options.ChannelLength)) return ChatError.BadRoomName;
        if (reason.Length > Options.TopicLength) reason = reason[..Options.TopicLength];
        lock (r.Gate)
        {
            if (r.Closed) return ChatError.NoSuchRoom;
            if (!r.Contains(by) && !by.IsOperator) return ChatError.NotInRoom;
            if (!r.Status(by).HasFlag(RoomStatus.Operator) && !by.IsOperator) return ChatError.NotRoomOperator;
            var old = r.Name;
            if (old == newName) return ChatError.None;
            var caseOnly = string.Equals(old, newName, StringComparison.OrdinalIgnoreCase);
            if (r.Registration is not null || (!caseOnly && IsKeptByChanServ(newName))) return ChatError.RoomRegistered;
            if (!caseOnly)
            {
                if (!_rooms.TryAdd(newName, r)) return ChatError.RoomExists;
                _rooms.TryRemove(new KeyValuePair<string, ChatRoom>(old, r));
            }
            r.Name = newName;
            MoveHistory(old, newName);
            foreach (var m in r.Live)
            {
                m.RemoveRoom(old);
                m.AddRoom(newName);
            }
            Publish(r, NewEvent(ChatEventKind.Rename, by, target: old, text: newName, extra: reason));
        }
        Activity?.Invoke($"{by.Nick} renamed {oldName} to {newName} ({reason})");
        return ChatError.None;
    }

    /// <summary>
    /// The room's history goes with it: left under the old name, it would be read by whoever opens a new room there.
    /// (Under the room's lock, so no message of the room is appended meanwhile.)
    /// </summary>
    private void MoveHistory(string from, string to)
    {
        if (Options.HistoryLength <= 0) return;
        var kept = History.Recent(from, Options.HistoryLength);
        History.Forget(from);
        foreach (var e in kept) History.Append(to, e.ForHistory(to));
    }

    private bool IsKeptByChanServ(string name)
    {
        try { return Accounts.Store.FindRoom(name) is not null; }
        catch (SockException) { return true; } // the store cannot say: do not risk taking over a kept room
    }
}
