using System.Text;

namespace Sock.Chat;

/// <summary>What a MODE request did: the applied changes as one announcement, and what was refused.</summary>
public sealed record ModeResult(string Applied, IReadOnlyList<string> Args, IReadOnlyList<ModeRefusal> Refused)
{
    public static readonly ModeResult NoRoom = new("", [], [new ModeRefusal(ChatError.NoSuchRoom, ' ', null)]);
}

public sealed partial class ChatHub
{
    /// <summary>
    /// Applies mode changes in order (each checked against <see cref="RoomMode"/>'s table), announces
    /// those applied as one MODE, and reports the rest. Only room operators (or server operators) change modes.
    /// </summary>
    public ModeResult ChangeModes(ChatMember by, string roomName, IReadOnlyList<ModeChange> changes)
    {
        var r = FindRoom(roomName);
        if (r is null) return ModeResult.NoRoom;
        var refused = new List<ModeRefusal>();
        lock (r.Gate)
        {
            if (!r.Status(by).HasFlag(RoomStatus.Operator) && !by.IsOperator)
                return new ModeResult("", [], [new ModeRefusal(ChatError.NotRoomOperator, changes.Count > 0 ? changes[0].Mode : ' ', null)]);
            var applied = new StringBuilder();
            var args = new List<string>();
            bool? lastSign = null;
            foreach (var change in changes)
            {
                var (error, arg) = Apply(r, by, change);
                if (error == ChatError.None && arg == Unchanged) continue;
                if (error != ChatError.None) { refused.Add(new ModeRefusal(error, change.Mode, change.Arg)); continue; }
                if (lastSign != change.On) applied.Append(change.On ? '+' : '-');
                lastSign = change.On;
                applied.Append(change.Mode);
                if (arg is not null) args.Add(arg);
            }
            if (applied.Length == 0) return new ModeResult("", [], refused);
            Publish(r, NewEvent(ChatEventKind.Mode, by, target: r.Name, text: applied.ToString(), extra: string.Join(' ', args)));
            SaveRegistration(r);
            return new ModeResult(applied.ToString(), args, refused);
        }
    }

    /// <summary>Marks a change that needs no announcement (setting what is already set).</summary>
    private const string Unchanged = "\0";

    /// <summary>One change under the room's lock: the error, or the parameter to announce (null for none).</summary>
    private (ChatError, string?) Apply(ChatRoom r, ChatMember by, ModeChange c)
    {
        var mode = RoomMode.Find(c.Mode);
        if (mode is null) return (ChatError.UnknownMode, null);
        switch (mode.Kind)
        {
            case RoomModeKind.Flag:
                if (mode.Get!(r) == c.On) return (ChatError.None, Unchanged);
                mode.Set!(r, c.On);
                return (ChatError.None, null);
            case RoomModeKind.Member:
                var target = c.Arg is null ? null : FindMember(c.Arg);
                if (target is null) return (ChatError.NoSuchNick, null);
                if (!r.Contains(target)) return (ChatError.UserNotInRoom, null);
                var flag = c.Mode == 'o' ? RoomStatus.Operator : RoomStatus.Voice;
                var s = r.Status(target);
                if (s.HasFlag(flag) == c.On) return (ChatError.None, Unchanged);
                r.SetStatus(target, c.On ? s | flag : s & ~flag);
                return (ChatError.None, target.Nick);
            case RoomModeKind.List:
                var list = r.ListFor(c.Mode)!;
                if (string.IsNullOrEmpty(c.Arg) || c.Arg.Length > Masks.MaxLength || c.Arg.Contains(' ', StringComparison.Ordinal))
                    return (ChatError.InvalidModeParameter, null);
                // An extended ban of an unknown type is refused (it would never match), but can still be removed.
                var mask = ExtBans.IsExtended(c.Arg) ? ExtBans.Normalize(c.Arg) ?? (c.On ? null : c.Arg) : Masks.Normalize(c.Arg);
                if (mask is null) return (ChatError.InvalidModeParameter, null);
                if (!c.On) return list.Remove(mask) ? (ChatError.None, mask) : (ChatError.None, Unchanged);
                if (list.Count >= Options.MaxListEntries) return (ChatError.ListFull, null);
                return list.Add(new MaskEntry(mask, by.Prefix, DateTimeOffset.UtcNow)) ? (ChatError.None, mask) : (ChatError.None, Unchanged);
            case RoomModeKind.AlwaysParameter: // +k
                if (!c.On)
                {
                    if (r.Key is null) return (ChatError.None, Unchanged);
                    r.Key = null;
                    return (ChatError.None, "*");
                }
                if (c.Arg is null || !RoomMode.IsValidKey(c.Arg)) return (ChatError.InvalidModeParameter, null);
                r.Key = c.Arg;
                return (ChatError.None, c.Arg);
            default: // +l
                if (!c.On)
                {
                    if (r.Limit is null) return (ChatError.None, Unchanged);
                    r.Limit = null;
                    return (ChatError.None, null);
                }
                if (RoomMode.ParseLimit(c.Arg) is not { } limit) return (ChatError.InvalidModeParameter, null);
                r.Limit = limit;
                return (ChatError.None, c.Arg);
        }
    }

    public ChatError Kick(ChatMember by, string roomName, string nick, string reason)
    {
        var r = FindRoom(roomName);
        if (r is null) return ChatError.NoSuchRoom;
        var target = FindMember(nick);
        if (reason.Length > Options.TopicLength) reason = reason[..Options.TopicLength];
        lock (r.Gate)
        {
            if (!r.Contains(by) && !by.IsOperator) return ChatError.NotInRoom;
            if (!r.Status(by).HasFlag(RoomStatus.Operator) && !by.IsOperator) return ChatError.NotRoomOperator;
            if (target is null || !r.Contains(target)) return ChatError.UserNotInRoom;
            Publish(r, NewEvent(ChatEventKind.Kick, by, target: r.Name, text: target.Nick, extra: reason));
            RemoveLocked(r, target);
        }
        Activity?.Invoke($"{by.Nick} kicked {target.Nick} from {r.Name} ({reason})");
        return ChatError.None;
    }

    public ChatError SetTopic(ChatMember by, string roomName, string topic)
    {
        var r = FindRoom(roomName);
        if (r is null) return ChatError.NoSuchRoom;
        if (topic.Length > Options.TopicLength) topic = topic[..Options.TopicLength];
        lock (r.Gate)
        {
            if (!r.Contains(by) && !by.IsOperator) return ChatError.NotInRoom;
            if (r.TopicLocked && !r.Status(by).HasFlag(RoomStatus.Operator) && !by.IsOperator) return ChatError.NotRoomOperator;
            r.Topic = topic;
            r.TopicSetBy = by.Prefix;
            r.TopicTime = DateTimeOffset.UtcNow;
            var e = NewEvent(ChatEventKind.Topic, by, target: r.Name, text: topic);
            History.Append(r.Name, e); // shown by CHATHISTORY to event-playback clients
            Publish(r, e);
            SaveRegistration(r);
        }
        return ChatError.None;
    }

    /// <summary>Rooms that hold an invitation for <paramref name="m"/> (INVITE with no parameters).</summary>
    public IReadOnlyList<string> InvitationsFor(ChatMember m)
    {
        var found = new List<string>();
        foreach (var r in _rooms.Values)
            lock (r.Gate)
                if (r.IsInvited(m.Nick)) found.Add(r.Name);
        return found;
    }

    /// <summary>
    /// INVITE: lets <paramref name="nick"/> past +i (and +l, bans) for one join. The invitee is told;
    /// so are the room's members (their sessions show it only with invite-notify, to operators).
    /// </summary>
    public ChatError Invite(ChatMember by, string nick, string roomName, out ChatMember? invitee)
    {
        invitee = FindMember(nick);
        if (invitee is null) return ChatError.NoSuchNick;
        var r = FindRoom(roomName);
        if (r is null)
        {
            // RFC 2812: the room need not exist; the invitation is passed on all the same.
            if (!ChatNames.IsValidChannel(roomName, Options.ChannelLength)) return ChatError.NoSuchRoom;
            invitee.Deliver(NewEvent(ChatEventKind.Invite, by, target: roomName, text: invitee.Nick));
            return ChatError.None;
        }
        lock (r.Gate)
        {
            if (!r.Contains(by) && !by.IsOperator) return ChatError.NotInRoom;
            if (r.Contains(invitee)) return ChatError.UserOnRoom;
            if (r.InviteOnly && !r.Status(by).HasFlag(RoomStatus.Operator) && !by.IsOperator) return ChatError.NotRoomOperator;
            r.Invite(invitee.Nick);
            var e = NewEvent(ChatEventKind.Invite, by, target: r.Name, text: invitee.Nick);
            Publish(r, e);
            invitee.Deliver(e);
        }
        return ChatError.None;
    }
}
