namespace Sock.Chat;

public sealed partial class ChatHub
{
    /// <summary>
    /// Says <paramref name="text"/> to a room or a nick. Room messages go to every member (the
    /// sender included; its session decides whether to echo) and into history; private messages to
    /// both ends and into the pair's history.
    /// </summary>
    /// <remarks>
    /// With an <paramref name="audience"/> (IRC STATUSMSG) a room message goes only to the members with one of
    /// those statuses (and back to its sender), and is not kept: a later joiner was not its audience.
    /// </remarks>
    /// <remarks>With <paramref name="lines"/> (a multi-line message) <paramref name="text"/> is ignored: the text is the lines joined.</remarks>
    public ChatError Say(ChatMember m, string target, string text, ChatEventKind kind, out ChatMember? recipient, string? clientTags = null,
        RoomStatus audience = RoomStatus.None, IReadOnlyList<MessageLine>? lines = null)
    {
        recipient = null;
        // An accounts-only server: before logging in, only the services may be spoken to.
        if (Options.RequireAccount && m.Account is null && m is not Sock.Chat.Services.ServiceMember && m.Protocol != "console" && Services.ByAlias(target) is null)
            return ChatError.AccountRequired;
        if (lines is not null) text = MessageLine.Join(lines);
        if (ChatNames.IsChannel(target))
        {
            var r = FindRoom(target);
            if (r is null) return ChatError.NoSuchRoom;
            if (!_fanout.Accepting) return ChatError.Unavailable;
            lock (r.Gate)
            {
                var refused = CanSpeak(r, m, kind, text);
                if (refused != ChatError.None) return refused;
                var e = NewEvent(kind, m, target: r.Name, text: text, clientTags: clientTags, audience: audience, lines: lines);
                if (audience != RoomStatus.None)
                {
                    var audienceMembers = r.Live.Where(x => ReferenceEquals(x, m) || (r.Status(x) & audience) != 0).ToList();
                    _fanout.Publish(r, e, audienceMembers);
                    Metrics.Said(audienceMembers.Count);
                }
                else
                {
                    if (Keeps(kind, clientTags)) { History.Append(r.Name, e); Metrics.HistoryWritten(); }
                    _fanout.Publish(r, e, r.Live);
                    Metrics.Said(r.Live.Count);
                }
            }
            m.LastActive = DateTimeOffset.UtcNow;
            return ChatError.None;
        }
        var to = FindMember(target);
        if (to is null) return ChatError.NoSuchNick;
        // A member of another node is reached through Redis: refused, not dropped, while it is away.
        if (!to.IsLocal && !_fanout.Accepting) return ChatError.Unavailable;
        recipient = to;
        var pm = NewEvent(kind, m, target: to.Nick, text: text, clientTags: clientTags, lines: lines);
        if (Keeps(kind, clientTags)) { History.Append(ConversationKey(m, to.Nick), pm); Metrics.HistoryWritten(); }
        // The sender's echo first: a service answers inside its Deliver, and its reply should follow what was said.
        if (!ReferenceEquals(to, m)) m.Deliver(pm);
        to.Deliver(pm);
        Metrics.Said(ReferenceEquals(to, m) ? 1 : 2);
        m.LastActive = DateTimeOffset.UtcNow;
        return ChatError.None;
    }

    /// <summary>
    /// Messages and actions are kept; notices are not, nor tag-only messages (typing indicators)
    /// unless the sender marked them <c>+draft/persist</c> (reactions).
    /// </summary>
    public static bool Keeps(ChatEventKind kind, string? clientTags) =>
        kind is ChatEventKind.Message or ChatEventKind.Action
        || (kind == ChatEventKind.TagOnly && clientTags is not null && clientTags.Split(';').Any(t => t == "+draft/persist" || t.StartsWith("+draft/persist=", StringComparison.Ordinal)));

    /// <summary>True for what history shows everyone; the rest (topics, tag-only) only to IRCv3 event-playback clients.</summary>
    public static bool IsConversation(ChatEvent e) => e.Kind is ChatEventKind.Message or ChatEventKind.Action or ChatEventKind.Notice;

    /// <summary>+n, +m, bans and mutes ($m:) decide who may speak in a room (voiced members and operators past +m, bans and mutes).</summary>
    private static ChatError CanSpeak(ChatRoom r, ChatMember m, ChatEventKind kind, string text)
    {
        if (m.IsOperator) return ChatError.None;
        var status = r.Status(m);
        if (r.NoExternal && !r.Contains(m)) return ChatError.CannotSendToRoom;
        // +C holds for every member, voiced and operators too: it is about the room's bots and clients, not who speaks.
        // An action (/me) arrives as its own kind, so the CTCP left here is anything else (PING, VERSION, ...).
        if (r.NoCtcp && kind is ChatEventKind.Message or ChatEventKind.Notice && text.StartsWith('\u0001')) return ChatError.CannotSendToRoom;
        if (status != RoomStatus.None) return ChatError.None;
        if (r.Moderated) return ChatError.CannotSendToRoom;
        if (r.Bans.Matches(m, speaking: true) && !r.Excepts.Matches(m, speaking: true)) return ChatError.CannotSendToRoom;
        return ChatError.None;
    }

    /// <summary>
    /// Withdraws a kept message (IRCv3 message-redaction): its sender, a room operator or a server
    /// operator may; the message leaves history and every member is told.
    /// </summary>
    public ChatError Redact(ChatMember by, string target, string msgId, string reason)
    {
        var isRoom = ChatNames.IsChannel(target);
        var key = isRoom ? target : ConversationKey(by, target);
        var found = History.Find(key, msgId);
        if (isRoom)
        {
            var r = FindRoom(target);
            if (r is null) return ChatError.NoSuchRoom;
            lock (r.Gate)
            {
                if (!r.Contains(by) && !by.IsOperator) return ChatError.NotInRoom;
                if (found is null) return ChatError.NoSuchMessage;
                var mayModerate = r.Status(by).HasFlag(RoomStatus.Operator) || by.IsOperator;
                if (!mayModerate && !string.Equals(found.From, by.Nick, StringComparison.OrdinalIgnoreCase)) return ChatError.NotRoomOperator;
                History.Remove(key, msgId);
                Publish(r, NewEvent(ChatEventKind.Redact, by, target: r.Name, text: msgId, extra: reason));
            }
            return ChatError.None;
        }
        var to = FindMember(target);
        if (to is null) return ChatError.NoSuchNick;
        if (found is null || !string.Equals(found.From, by.Nick, StringComparison.OrdinalIgnoreCase)) return ChatError.NoSuchMessage;
        History.Remove(key, msgId);
        var e = NewEvent(ChatEventKind.Redact, by, target: to.Nick, text: msgId, extra: reason);
        to.Deliver(e);
        if (!ReferenceEquals(to, by)) by.Deliver(e);
        return ChatError.None;
    }

    /// <summary>The last <paramref name="count"/> messages of a room, oldest first (topic changes and tag-only messages left out).</summary>
    public IReadOnlyList<ChatEvent> Recent(string room, int count) =>
        [.. History.Recent(room, Options.HistoryLength).Where(IsConversation).TakeLast(Math.Min(count, Options.HistoryLength))];

    /// <summary>Everything kept for a target as <paramref name="asker"/> sees it: a room, or their conversation with a nick.</summary>
    public IReadOnlyList<ChatEvent> HistoryOf(ChatMember asker, string target) =>
        History.Recent(ChatNames.IsChannel(target) ? target : ConversationKey(asker, target), Options.HistoryLength);

    /// <summary>The nicks <paramref name="m"/> has a kept private conversation with.</summary>
    public IEnumerable<(string Correspondent, ChatEvent Latest)> Conversations(ChatMember m)
    {
        var me = ChatNames.Fold(m.Nick);
        foreach (var key in History.Keys())
        {
            if (!key.StartsWith(ConversationMark)) continue;
            var parts = key[1..].Split(' ');
            if (parts.Length != 2 || (parts[0] != me && parts[1] != me)) continue;
            var latest = History.Recent(key, 1);
            if (latest.Count == 0) continue;
            var other = parts[0] == me ? parts[1] : parts[0];
            // Show the correspondent as they last appeared in the conversation.
            var shown = History.Recent(key, Options.HistoryLength).Select(e => ChatNames.Fold(e.From) == other ? e.From : ChatNames.Fold(e.Target ?? "") == other ? e.Target! : null).LastOrDefault(n => n is not null) ?? other;
            yield return (shown, latest[0]);
        }
    }

    private const char ConversationMark = '~';

    /// <summary>Private history is kept per pair of nicks, in either order.</summary>
    private static string ConversationKey(ChatMember a, string b)
    {
        var x = ChatNames.Fold(a.Nick);
        var y = ChatNames.Fold(b);
        return string.CompareOrdinal(x, y) <= 0 ? $"{ConversationMark}{x} {y}" : $"{ConversationMark}{y} {x}";
    }

    /// <summary>
    /// A nick's private history goes when its holder leaves it, so whoever takes the nick next does
    /// not read it (an account keeps history in the accounts work; a guest's is not kept past the nick).
    /// </summary>
    internal void ForgetPrivateHistory(string nick)
    {
        var folded = ChatNames.Fold(nick);
        foreach (var key in History.Keys())
        {
            if (!key.StartsWith(ConversationMark)) continue;
            var parts = key[1..].Split(' ');
            if (parts.Length != 2 || (parts[0] != folded && parts[1] != folded)) continue;
            // Kept for an always-on correspondent: it is what it reads when a device of it comes back (ChatHub.AlwaysOn.cs).
            if (KeepsConversationsFor(parts[0] == folded ? parts[1] : parts[0])) continue;
            History.Forget(key);
        }
    }
}
