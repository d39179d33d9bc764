using System.Text;

namespace Sock.Chat.Irc;

/// <summary>Rooms: JOIN, PART, TOPIC, NAMES, LIST, KICK, INVITE.</summary>
public sealed partial class IrcSession
{
    internal void JoinCommand(IrcMessage m)
    {
        if (m.Param(0) == "0")
        {
            foreach (var room in Self.Rooms) Hub.Part(Self, room, "Left all channels");
            return;
        }
        var keys = m.Param(1).Split(',');
        var names = m.Param(0).Split(',', StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < names.Length && i < 50; i++)
        {
            var name = names[i];
            var key = i < keys.Length && keys[i].Length > 0 ? keys[i] : null;
            switch (Hub.Join(Self, name, key, out _))
            {
                case ChatError.None or ChatError.AlreadyInRoom: break;
                case ChatError.BadRoomName: Reply(Err.NoSuchChannel, Word(name), "No such channel"); break;
                case ChatError.TooManyRooms: Reply(Err.TooManyChannels, name, "You have joined too many channels"); break;
                case ChatError.BannedFromRoom: Reply(Err.BannedFromChan, name, "Cannot join channel (+b)"); break;
                case ChatError.InviteOnlyRoom: Reply(Err.InviteOnlyChan, name, "Cannot join channel (+i)"); break;
                case ChatError.BadRoomKey: Reply(Err.BadChannelKey, name, "Cannot join channel (+k)"); break;
                case ChatError.RoomFull: Reply(Err.ChannelIsFull, name, "Cannot join channel (+l)"); break;
                case ChatError.AccountRequired: Reply(Err.NeedReggedNick, name, "Cannot join channel: log in to your account first (this server is accounts-only)"); break;
                case ChatError.Unavailable: Reply(Err.UnavailResource, name, Unavailable); break;
            }
        }
    }

    /// <summary>Under the room's lock, right after our JOIN: topic, names, then the history replay.</summary>
    protected internal override void OnJoined(ChatRoom room, IReadOnlyList<ChatEvent> replay)
    {
        if (room.Topic.Length > 0) TopicReplies(room);
        if (!Has(IrcCap.NoImplicitNames)) NamesOf(room, joining: true);
        else if (Has(IrcCap.ReadMarker)) SendMarker(room.Name);
        MetadataOnJoin(room);
        // Clients that fetch history themselves (draft/chathistory) are not sent a replay they did not ask for.
        if (!Has(IrcCap.ChatHistory)) SendReplay(room.Name, replay);
    }

    /// <summary>draft/channel-rename: RENAME #old #new [:reason], by a room operator.</summary>
    internal void RenameCommand(IrcMessage m)
    {
        var (from, to) = (m.Param(0), m.Param(1));
        switch (Hub.RenameRoom(Self, from, to, m.Param(2)))
        {
            case ChatError.NoSuchRoom: Reply(Err.NoSuchChannel, Word(from), "No such channel"); break;
            case ChatError.NotInRoom: Reply(Err.NotOnChannel, from, "You're not on that channel"); break;
            case ChatError.NotRoomOperator: Reply(Err.ChanOPrivsNeeded, from, "You're not channel operator"); break;
            case ChatError.RoomExists: Fail("RENAME", "CHANNEL_NAME_IN_USE", from, Word(to), "A channel has that name"); break;
            case ChatError.RoomRegistered: Fail("RENAME", "CANNOT_RENAME", from, Word(to), "ChanServ keeps this channel (or that name)"); break;
            case ChatError.BadRoomName: Fail("RENAME", "CANNOT_RENAME", from, Word(to), "That is not a valid channel name"); break;
            case ChatError.Unavailable: Fail("RENAME", "CANNOT_RENAME", from, Word(to), "Channels cannot be renamed on a cluster"); break;
        }
    }

    /// <summary>A rename, to a client without draft/channel-rename: it parts the old name and joins the new, with topic and names (under the room's lock).</summary>
    private void RenamedLegacy(ChatEvent e)
    {
        if (Hub.FindRoom(e.Text) is not { } room) return;
        Emit($":{Prefix} PART {e.Target} :" + (string.IsNullOrEmpty(e.Extra) ? $"Channel renamed to {e.Text}" : $"Channel renamed to {e.Text}: {e.Extra}"));
        Emit($":{Prefix} JOIN " + (Has(IrcCap.ExtendedJoin) ? $"{e.Text} {Account ?? "*"} :{RealName}" : e.Text));
        if (room.Topic.Length > 0) TopicReplies(room);
        if (!Has(IrcCap.NoImplicitNames)) NamesOf(room, joining: true);
    }

    private void TopicReplies(ChatRoom r)
    {
        Reply(Rpl.Topic, r.Name, r.Topic);
        ReplyTo(Rpl.TopicWhoTime, false, r.Name, r.TopicSetBy, Number(r.TopicTime.ToUnixTimeSeconds()));
    }

    internal void PartCommand(IrcMessage m)
    {
        foreach (var name in m.Param(0).Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            switch (Hub.Part(Self, name, m.Param(1)))
            {
                case ChatError.NoSuchRoom: Reply(Err.NoSuchChannel, Word(name), "No such channel"); break;
                case ChatError.NotInRoom: Reply(Err.NotOnChannel, name, "You're not on that channel"); break;
            }
        }
    }

    internal void TopicCommand(IrcMessage m)
    {
        var r = Hub.FindRoom(m.Param(0));
        if (r is null) { Reply(Err.NoSuchChannel, Word(m.Param(0)), "No such channel"); return; }
        if (m.Params.Count < 2)
        {
            if (r.Secret && !Self.InRoom(r.Name)) { Reply(Err.NotOnChannel, r.Name, "You're not on that channel"); return; }
            if (r.Topic.Length == 0) Reply(Rpl.NoTopic, r.Name, "No topic is set");
            else TopicReplies(r);
            return;
        }
        switch (Hub.SetTopic(Self, r.Name, m.Param(1)))
        {
            case ChatError.NotInRoom: Reply(Err.NotOnChannel, r.Name, "You're not on that channel"); break;
            case ChatError.NotRoomOperator: Reply(Err.ChanOPrivsNeeded, r.Name, "You're not channel operator"); break;
            case ChatError.NoSuchRoom: Reply(Err.NoSuchChannel, r.Name, "No such channel"); break;
        }
    }

    internal void NamesCommand(IrcMessage m)
    {
        if (m.Params.Count == 0 || m.Param(0).Length == 0) { Reply(Rpl.EndOfNames, "*", "End of /NAMES list."); return; }
        var names = m.Param(0).Split(',', StringSplitOptions.RemoveEmptyEntries).Take(IrcCommandTable.TargetsOf("NAMES")).ToList();
        foreach (var name in names)
        {
            // A secret room's members are not shown to outsiders: it answers as if it did not exist.
            if (Hub.FindRoom(name) is { } r && (!r.Secret || Self.InRoom(r.Name))) NamesOf(r, endOfNames: names.Count == 1);
            else if (names.Count == 1) Reply(Rpl.EndOfNames, Word(name), "End of /NAMES list.");
        }
        // Several rooms: their 353s, then one 366 naming the list as asked (modern.ircdocs.horse, NAMES).
        if (names.Count > 1) Reply(Rpl.EndOfNames, Word(string.Join(',', names)), "End of /NAMES list.");
    }

    private string MemberPrefixes(RoomStatus s)
    {
        var sb = new StringBuilder(2);
        foreach (var (_, prefix, status) in RoomMode.Prefixes)
        {
            if (!s.HasFlag(status)) continue;
            sb.Append(prefix);
            if (!Has(IrcCap.MultiPrefix)) break;
        }
        return sb.ToString();
    }

    /// <summary>
    /// 353 lines of up to ~400 characters, then 366. A joiner of a 10,000-member room gets this whole
    /// list, and a join storm builds it once per joiner (50 million entries at 10,000), so entries are
    /// appended in place (no string per entry) and, on a JOIN, read from the room under the lock the
    /// join already holds (a copy of the members was 160 KB, a large-object allocation, per joiner).
    /// Outside the lock (the NAMES command) one locked copy gives the statuses of one moment.
    /// Invisible members show only to those who share the room.
    /// </summary>
    private void NamesOf(ChatRoom r, bool joining = false, bool endOfNames = true)
    {
        var symbol = r.Secret ? "@" : r.Private ? "*" : "=";
        var line = new StringBuilder(512);
        var names = new NamesLine(this, r, symbol, line, Self.InRoom(r.Name), Has(IrcCap.UserhostInNames), Has(IrcCap.MultiPrefix));
        if (r.Gate.IsHeldByCurrentThread)
            foreach (var (x, s) in r.LiveWithStatus()) names.Add(x, s);
        else
            foreach (var (x, s) in r.MembersWithStatus()) names.Add(x, s);
        if (line.Length > 0) Reply(Rpl.NamReply, symbol, r.Name, line.ToString());
        if (joining && Has(IrcCap.ReadMarker)) SendMarker(r.Name); // draft/read-marker: before 366
        if (endOfNames) Reply(Rpl.EndOfNames, r.Name, "End of /NAMES list.");
    }

    /// <summary>Appends NAMES entries to a 353 line, sending it when the next entry would pass ~400 characters.</summary>
    private static readonly (char Mode, char Prefix, RoomStatus Status)[] StatusPrefixes = [.. RoomMode.Prefixes];

    private readonly struct NamesLine(IrcSession to, ChatRoom r, string symbol, StringBuilder line, bool member, bool withHost, bool multiPrefix)
    {
        public void Add(ChatMember x, RoomStatus s)
        {
            if (x.Invisible && !member && !ReferenceEquals(x, to)) return;
            var prefixes = 0;
            foreach (var (_, _, status) in StatusPrefixes) // an array: no enumerator per entry
            {
                if (!s.HasFlag(status)) continue;
                prefixes++;
                if (!multiPrefix) break;
            }
            var length = prefixes + x.Nick.Length + (withHost ? x.UserName.Length + x.Host.Length + 2 : 0);
            if (line.Length + length + 1 > 400) { to.Reply(Rpl.NamReply, symbol, r.Name, line.ToString()); line.Clear(); }
            if (line.Length > 0) line.Append(' ');
            foreach (var (_, prefix, status) in StatusPrefixes)
            {
                if (!s.HasFlag(status)) continue;
                line.Append(prefix);
                if (!multiPrefix) break;
            }
            line.Append(x.Nick);
            if (withHost) line.Append('!').Append(x.UserName).Append('@').Append(x.Host);
        }
    }

    /// <summary>LIST with ELIST filters: names/masks (M, N: !mask), member counts (U: &gt;n &lt;n), creation and topic age in minutes (C, T).</summary>
    internal void ListCommand(IrcMessage m)
    {
        var filters = m.Param(0).Split(',', StringSplitOptions.RemoveEmptyEntries);
        Reply(Rpl.ListStart, "Channel", "Users  Name");
        var now = DateTimeOffset.UtcNow;
        foreach (var r in Hub.Rooms)
        {
            var member = Self.InRoom(r.Name);
            if ((r.Secret || r.Private) && !member && !IsOperator) continue;
            if (filters.Length > 0 && !filters.Any(f => ListFilterMatches(f, r, now))) continue;
            Reply(Rpl.List, r.Name, Number(r.Count), r.Topic);
        }
        Reply(Rpl.ListEnd, "End of /LIST");
    }

    private static bool ListFilterMatches(string f, ChatRoom r, DateTimeOffset now)
    {
        static int? Value(string s) => int.TryParse(s, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : null;
        if (f.Length > 1 && f[0] is '>' or '<' && Value(f[1..]) is { } users) return f[0] == '>' ? r.Count > users : r.Count < users;
        if (f.Length > 2 && f[0] is 'C' or 'T' && f[1] is '>' or '<' && Value(f[2..]) is { } minutes)
        {
            if (f[0] == 'T' && r.Topic.Length == 0) return false;
            var age = (now - (f[0] == 'C' ? r.Created : r.TopicTime)).TotalMinutes;
            return f[1] == '<' ? age < minutes : age > minutes;
        }
        if (f.StartsWith('!')) return !Masks.Match(f[1..], r.Name);
        return Masks.Match(f, r.Name);
    }

    internal void KickCommand(IrcMessage m)
    {
        var reason = m.Params.Count > 2 && m.Param(2).Length > 0 ? m.Param(2) : Nick;
        var rooms = m.Param(0).Split(',', StringSplitOptions.RemoveEmptyEntries);
        var nicks = m.Param(1).Split(',', StringSplitOptions.RemoveEmptyEntries).Take(IrcCommandTable.TargetsOf("KICK")).ToArray();
        // One room and several nicks: all from that room; as many rooms as nicks: pairwise (RFC 2812 3.2.8).
        if (rooms.Length != 1 && rooms.Length != nicks.Length) { Reply(Err.NeedMoreParams, "KICK", "Not enough parameters"); return; }
        for (var i = 0; i < nicks.Length; i++)
        {
            var (room, nick) = (rooms.Length == 1 ? rooms[0] : rooms[i], nicks[i]);
            var error = Hub.Kick(Self, room, nick, reason);
            switch (error)
            {
                case ChatError.NoSuchRoom: Reply(Err.NoSuchChannel, Word(room), "No such channel"); break;
                case ChatError.NotInRoom: Reply(Err.NotOnChannel, room, "You're not on that channel"); break;
                case ChatError.NotRoomOperator: Reply(Err.ChanOPrivsNeeded, room, "You're not channel operator"); break;
                case ChatError.UserNotInRoom: Reply(Err.UserNotInChannel, Word(nick), room, "They aren't on that channel"); break;
            }
            if (rooms.Length == 1 && error is ChatError.NoSuchRoom or ChatError.NotInRoom or ChatError.NotRoomOperator) return; // once, not per nick
        }
    }

    internal void InviteCommand(IrcMessage m)
    {
        if (m.Params.Count == 0)
        {
            foreach (var invitedTo in Hub.InvitationsFor(Self)) Reply("336", invitedTo);
            Reply("337", "End of /INVITE list");
            return;
        }
        if (m.Params.Count < 2) { Reply(Err.NeedMoreParams, "INVITE", "Not enough parameters"); return; }
        var (nick, room) = (m.Param(0), m.Param(1));
        switch (Hub.Invite(Self, nick, room, out var invitee))
        {
            case ChatError.None:
                ReplyTo(Rpl.Inviting, false, invitee!.Nick, room);
                if (invitee.Away is { } away) Reply(Rpl.Away, invitee.Nick, away);
                break;
            case ChatError.NoSuchNick: Reply(Err.NoSuchNick, Word(nick), "No such nick/channel"); break;
            case ChatError.NoSuchRoom: Reply(Err.NoSuchChannel, Word(room), "No such channel"); break;
            case ChatError.NotInRoom: Reply(Err.NotOnChannel, room, "You're not on that channel"); break;
            case ChatError.UserOnRoom: Reply(Err.UserOnChannel, nick, room, "is already on channel"); break;
            case ChatError.NotRoomOperator: Reply(Err.ChanOPrivsNeeded, room, "You're not channel operator"); break;
        }
    }
}
