namespace Sock.Chat;

public sealed partial class ChatHub
{
    /// <summary>Sets (or with null clears) the away message; members sharing a room are told (IRC shows it with away-notify).</summary>
    public void SetAway(ChatMember m, string? message)
    {
        if (message is { Length: 0 }) message = null;
        if (message is not null && message.Length > Options.AwayLength) message = message[..Options.AwayLength];
        if (m.Away == message) return;
        m.Away = message;
        var e = NewEvent(ChatEventKind.Away, m, text: message ?? "");
        if (m.IsLocal) _registry.Changed(m, e);
        // An account's presence is told too: its other devices see the AWAY (with away-notify).
        foreach (var peer in PeersAndWatchers(m, includeSelf: m is Devices.AccountPresence)) peer.Deliver(e);
    }

    /// <summary>Changes the real name (IRCv3 SETNAME); the member and those sharing a room are told.</summary>
    public ChatError SetRealName(ChatMember m, string realName)
    {
        if (realName.Length > Options.RealNameLength) return ChatError.InvalidModeParameter;
        m.RealName = realName;
        var e = NewEvent(ChatEventKind.SetName, m, text: realName);
        if (m.IsLocal) _registry.Changed(m, e);
        foreach (var peer in PeersAndWatchers(m, includeSelf: true)) peer.Deliver(e);
        return ChatError.None;
    }

    /// <summary>
    /// Those sharing a room with <paramref name="m"/> and those who MONITOR its nick, once each: IRCv3
    /// extended-monitor tells watchers of presence changes too (the watcher's protocol decides whether it wants them).
    /// </summary>
    private HashSet<ChatMember> PeersAndWatchers(ChatMember m, bool includeSelf)
    {
        var told = Peers(m, includeSelf);
        foreach (var w in Monitors.WatchersOf(m.Nick))
            if (includeSelf || !ReferenceEquals(w, m)) told.Add(w);
        return told;
    }

    /// <summary>Tells MONITOR watchers that <paramref name="nick"/> came online (as <paramref name="online"/>) or went offline (null).</summary>
    private void NotifyMonitors(string nick, ChatMember? online)
    {
        var watchers = Monitors.WatchersOf(nick);
        if (watchers.Count == 0) return;
        var e = new ChatEvent
        {
            Kind = online is null ? ChatEventKind.MonitorOffline : ChatEventKind.MonitorOnline,
            Sequence = Next(),
            From = ServerName,
            FromPrefix = ServerName,
            Text = online?.Prefix ?? nick,
        };
        foreach (var w in watchers) w.Deliver(e);
    }

    /// <summary>LUSERS' figures: members, those +i, operators, rooms.</summary>
    /// <summary>LUSERS: users (all servers), of them invisible and operators, rooms, and the users of this server.</summary>
    public (int Users, int Invisible, int Operators, int Rooms, int Local) Counts()
    {
        int users = 0, invisible = 0, opers = 0, local = 0;
        // The dictionary's own enumerator: lock-free and no copy. Values took every bucket's lock and
        // copied all members, for each registering client's LUSERS (a join storm of 10,000: 50
        // million copies, 3-4% of the server's CPU, and nick lookups waiting on those locks).
        foreach (var (_, m) in _nicks)
        {
            if (m is Services.ServiceMember) continue;
            users++;
            if (m.Invisible) invisible++;
            if (m.IsOperator) opers++;
            if (m.IsLocal) local++;
        }
        return (users, invisible, opers, _rooms.Count, local);
    }

    /// <summary>Servers sharing the nicks: 1, or a cluster's live nodes.</summary>
    public int Servers => _registry.Servers;
}
