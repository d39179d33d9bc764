using Sock.Chat.Accounts;

namespace Sock.Chat;

public sealed partial class ChatHub
{
    /// <summary>Marks the member logged in to <paramref name="account"/>; it, those sharing a room and its MONITOR watchers are told (account-notify, extended-monitor).</summary>
    public void LogIn(ChatMember m, string account)
    {
        if (string.Equals(m.Account, account, StringComparison.Ordinal)) return;
        m.Account = account;
        Activity?.Invoke($"{(m.Nick == "*" ? m.Host + " (registering)" : m.Nick)} logged in as {account}");
        var e = NewEvent(ChatEventKind.Account, m, text: account);
        if (m.IsLocal && IsRegistered(m)) _registry.Changed(m, e);
        foreach (var peer in PeersAndWatchers(m, includeSelf: true)) peer.Deliver(e);
    }

    public void LogOut(ChatMember m)
    {
        if (m.Account is null) return;
        Activity?.Invoke($"{m.Nick} logged out of {m.Account}");
        m.Account = null;
        var e = NewEvent(ChatEventKind.Account, m, text: "");
        if (m.IsLocal) _registry.Changed(m, e);
        foreach (var peer in PeersAndWatchers(m, includeSelf: true)) peer.Deliver(e);
        ProtectNick(m);
    }

    /// <summary>
    /// A registered nick held by someone not logged in to it: told at once, renamed to a guest nick
    /// after <see cref="ChatServerOptions.NickGrace"/> unless they log in (or leave the nick) first.
    /// </summary>
    private void ProtectNick(ChatMember m)
    {
        if (m is Services.ServiceMember || !m.IsLocal) return; // a remote member's own node protects its nick
        var nick = m.Nick;
        if (string.Equals(m.Account, nick, StringComparison.OrdinalIgnoreCase) || Accounts.Find(nick) is null) return;
        Services.NickServ.Tell(m, $"This nickname is registered. Log in within {Options.NickGrace.TotalSeconds:0} seconds (/msg NickServ IDENTIFY password) or your nick will be changed.");
        _ = Task.Delay(Options.NickGrace).ContinueWith(_ =>
        {
            if (!IsRegistered(m) || !string.Equals(m.Nick, nick, StringComparison.Ordinal) || string.Equals(m.Account, nick, StringComparison.OrdinalIgnoreCase)) return;
            Services.NickServ.Tell(m, "You did not log in in time: your nick is being changed.");
            ClaimGuestNick(m);
        }, TaskScheduler.Default);
    }

    /// <summary>GHOST: disconnects whoever holds <paramref name="nick"/> when the asker owns its account.</summary>
    public ChatError Ghost(ChatMember by, string nick)
    {
        var target = FindMember(nick);
        if (target is null || target is Services.ServiceMember) return ChatError.NoSuchNick;
        if (!string.Equals(by.Account, nick, StringComparison.OrdinalIgnoreCase) && !string.Equals(by.Account, target.Account, StringComparison.OrdinalIgnoreCase))
            return ChatError.NoPrivileges;
        if (ReferenceEquals(target, by)) return ChatError.NoSuchNick;
        target.Disconnect($"GHOST command used by {by.Nick}");
        return ChatError.None;
    }

    /// <summary>A room being created: a registered one comes back with its topic, modes and lists.</summary>
    private ChatRoom CreateRoom(string name)
    {
        var r = new ChatRoom(name);
        RegisteredRoom? saved = null;
        try { saved = Accounts.Store.FindRoom(name); }
        catch (SockException e) { Activity?.Invoke(e.Message); }
        if (saved is null) return r;
        r.Registration = saved;
        r.Topic = saved.Topic;
        r.TopicSetBy = saved.TopicSetBy;
        r.TopicTime = saved.TopicTime;
        ApplyModeString(r, Services.ChanServ, saved.Modes);
        foreach (var entry in saved.Lists)
            if (entry.Length > 2 && r.ListFor(entry[0]) is { } list) list.Add(new MaskEntry(entry[2..], "ChanServ", saved.Registered));
        return r;
    }

    /// <summary>Writes a registered room's state after a change (topic, modes, lists); a store failure is logged, the change stands.</summary>
    private void SaveRegistration(ChatRoom r)
    {
        if (r.Registration is not { } reg) return;
        var lists = "beI".SelectMany(c => r.ListFor(c)!.Entries.Select(e => $"{c} {e.Mask}")).ToList();
        r.Registration = reg with { Topic = r.Topic, TopicSetBy = r.TopicSetBy, TopicTime = r.TopicTime, Modes = r.ModeString(showKey: true), Lists = lists };
        try { Accounts.Store.SaveRoom(r.Registration); }
        catch (SockException e) { Activity?.Invoke(e.Message + $" ({r.Name}'s change is not saved)"); }
    }

    /// <summary>The status a joiner gets: from a registered room's access list (founder: operator), else operator for whoever opens the room.</summary>
    private static RoomStatus JoinStatus(ChatRoom r, ChatMember m)
    {
        if (r.Registration is not { } reg) return r.Count == 0 ? RoomStatus.Operator : RoomStatus.None;
        if (m.Account is not { } account) return RoomStatus.None;
        if (string.Equals(reg.Founder, account, StringComparison.OrdinalIgnoreCase)) return RoomStatus.Operator;
        return reg.Access.GetValueOrDefault(account) switch
        {
            RoomAccess.Operator => RoomStatus.Operator,
            RoomAccess.Voice => RoomStatus.Voice,
            _ => RoomStatus.None,
        };
    }

    /// <summary>ChanServ REGISTER: the founder must be a room operator and logged in.</summary>
    public ChatError RegisterRoom(ChatMember by, string name)
    {
        if (by.Account is null) return ChatError.NoPrivileges;
        var r = FindRoom(name);
        if (r is null) return ChatError.NoSuchRoom;
        lock (r.Gate)
        {
            if (!r.Status(by).HasFlag(RoomStatus.Operator)) return ChatError.NotRoomOperator;
            if (r.Registration is not null) return ChatError.AlreadyInRoom;
            r.Registration = new RegisteredRoom(r.Name, by.Account, DateTimeOffset.UtcNow);
            SaveRegistration(r);
        }
        return ChatError.None;
    }

    /// <summary>ChanServ DROP: only the founder (or a server operator).</summary>
    public ChatError DropRoom(ChatMember by, string name)
    {
        var saved = Accounts.Store.FindRoom(name);
        if (saved is null) return ChatError.NoSuchRoom;
        if (!string.Equals(saved.Founder, by.Account, StringComparison.OrdinalIgnoreCase) && !by.IsOperator) return ChatError.NoPrivileges;
        Accounts.Store.DropRoom(name);
        if (FindRoom(name) is { } r) lock (r.Gate) r.Registration = null;
        return ChatError.None;
    }

    /// <summary>ChanServ AMODE: sets an account's access (op, voice, none); founder or server operators only.</summary>
    public ChatError SetRoomAccess(ChatMember by, string name, string account, RoomAccess access)
    {
        var saved = Accounts.Store.FindRoom(name);
        if (saved is null) return ChatError.NoSuchRoom;
        if (!string.Equals(saved.Founder, by.Account, StringComparison.OrdinalIgnoreCase) && !by.IsOperator) return ChatError.NoPrivileges;
        var table = new Dictionary<string, RoomAccess>(saved.Access, StringComparer.OrdinalIgnoreCase);
        if (access == RoomAccess.None) table.Remove(account); else table[account] = access;
        var updated = saved with { Access = table };
        Accounts.Store.SaveRoom(updated);
        if (FindRoom(name) is { } r) lock (r.Gate) r.Registration = updated;
        return ChatError.None;
    }

    /// <summary>ChanServ OP/DEOP/VOICE/DEVOICE: a status change made for whoever has the access to ask.</summary>
    public ChatError ServiceMode(ChatMember by, ChatMember service, string roomName, ModeChange change)
    {
        var r = FindRoom(roomName);
        if (r is null) return ChatError.NoSuchRoom;
        if (r.Registration is not { } reg) return ChatError.NoSuchRoom;
        var allowed = by.IsOperator || string.Equals(reg.Founder, by.Account, StringComparison.OrdinalIgnoreCase)
            || (by.Account is { } a && reg.Access.GetValueOrDefault(a) == RoomAccess.Operator)
            || (change.Mode == 'v' && by.Account is { } v && reg.Access.GetValueOrDefault(v) == RoomAccess.Voice && string.Equals(change.Arg, by.Nick, StringComparison.OrdinalIgnoreCase));
        if (!allowed) return ChatError.NoPrivileges;
        var result = ChangeModes(service, r.Name, [change]);
        return result.Refused.Count > 0 ? result.Refused[0].Error : ChatError.None;
    }
}
