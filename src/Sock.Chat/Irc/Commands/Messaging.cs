using System.Text;

namespace Sock.Chat.Irc;

/// <summary>PRIVMSG, NOTICE, TAGMSG (client-only tags relayed) and REDACT.</summary>
public sealed partial class IrcSession
{
    internal void MessageCommand(IrcMessage m, ChatEventKind kind)
    {
        var notice = kind == ChatEventKind.Notice;
        if (m.Params.Count == 0 || m.Param(0).Length == 0) { if (!notice) Reply(Err.NoRecipient, $"No recipient given ({m.Command})"); return; }
        if (m.Params.Count < 2 || m.Param(1).Length == 0) { if (!notice) Reply(Err.NoTextToSend, "No text to send"); return; }
        var text = m.Param(1);
        if (!notice && text.StartsWith("\u0001ACTION ", StringComparison.Ordinal))
        {
            kind = ChatEventKind.Action;
            text = text[8..].TrimEnd('\u0001');
        }
        Send(m.Param(0), kind, text, Has(IrcCap.MessageTags) ? ClientTags(m) : null);
    }

    internal void TagMessageCommand(IrcMessage m)
    {
        if (!Has(IrcCap.MessageTags)) return; // TAGMSG is only for clients that negotiated tags
        Send(m.Param(0), ChatEventKind.TagOnly, "", ClientTags(m));
    }

    /// <summary>To each target (at most TARGMAX), with the client-only tags the sender attached.</summary>
    private void Send(string targets, ChatEventKind kind, string text, string? tags, IReadOnlyList<MessageLine>? lines = null)
    {
        var quiet = kind is ChatEventKind.Notice or ChatEventKind.TagOnly; // no automatic replies to these
        foreach (var target in targets.Split(',', StringSplitOptions.RemoveEmptyEntries).Take(Options.MaxTargets))
        {
            // STATUSMSG: "@#room" reaches the room's operators, "+#room" its voiced members and operators.
            if (lines is null && kind != ChatEventKind.TagOnly && TooLongToRelay(target, kind, text))
            {
                Reply(Err.InputTooLong, "Input line was too long");
                continue;
            }
            var audience = target.Length > 1 && ChatNames.IsChannel(target[1..]) ? RoomMode.AudienceOf(target[0]) : RoomStatus.None;
            var error = Hub.Say(Self, audience == RoomStatus.None ? target : target[1..], text, kind, out var to, tags, audience, lines);
            if (quiet && error is not (ChatError.CannotSendToRoom or ChatError.Unavailable)) continue;
            switch (error)
            {
                case ChatError.NoSuchNick: Reply(Err.NoSuchNick, Word(target), "No such nick/channel"); break;
                case ChatError.NoSuchRoom: Reply(Err.NoSuchChannel, Word(target), "No such channel"); break;
                case ChatError.CannotSendToRoom: if (!quiet) Reply(Err.CannotSendToChan, target, "Cannot send to channel"); break;
                case ChatError.AccountRequired: Reply(Err.NeedReggedNick, Word(target), "Log in to your account first (this server is accounts-only)"); break;
                case ChatError.Unavailable: Reply(Err.CannotSendToChan, target, "Cannot send to channel: " + Unavailable); break;
                case ChatError.None when to?.Away is { } away && !ReferenceEquals(to, Self): Reply(Rpl.Away, to.Nick, away); break;
            }
        }
    }

    /// <summary>
    /// True when the message, relayed with this client's prefix, would pass the 512-byte IRC line: it is
    /// refused with 417 rather than cut (IrcLineBudget). A multi-line message is never: its lines are cut
    /// into concatenated parts on the way out. Nor one to a service, which is not relayed.
    /// </summary>
    private bool TooLongToRelay(string target, ChatEventKind kind, string text) =>
        !IrcLineBudget.FitsMessage(Prefix, kind == ChatEventKind.Notice ? "NOTICE" : "PRIVMSG", target, text, kind == ChatEventKind.Action ? 9 : 0) // 9: "\u0001ACTION " and "\u0001"
        && Hub.Services.ByAlias(target) is null;

    /// <summary>The '+'-prefixed tags, escaped and joined, for relaying (null when none).</summary>
    private static string? ClientTags(IrcMessage m)
    {
        if (m.Tags is null) return null;
        StringBuilder? sb = null;
        foreach (var (key, value) in m.Tags)
        {
            if (!key.StartsWith('+') || key.Length < 2) continue;
            sb = sb is null ? new StringBuilder() : sb.Append(';');
            sb.Append(key);
            if (value.Length > 0) sb.Append('=').Append(IrcMessage.EscapeTag(value));
        }
        return sb?.ToString();
    }

    /// <summary>draft/message-redaction: REDACT target msgid [:reason].</summary>
    internal void RedactCommand(IrcMessage m)
    {
        var (target, msgId) = (m.Param(0), m.Param(1));
        switch (Hub.Redact(Self, target, msgId, m.Param(2)))
        {
            case ChatError.None: break;
            case ChatError.NoSuchRoom or ChatError.NoSuchNick or ChatError.NotInRoom:
                Fail("REDACT", "INVALID_TARGET", Word(target), "You cannot delete messages from this target"); break;
            case ChatError.NotRoomOperator:
                Fail("REDACT", "REDACT_FORBIDDEN", Word(target), Word(msgId), "You are not allowed to delete this message"); break;
            default:
                Fail("REDACT", "UNKNOWN_MSGID", Word(target), Word(msgId), "This message does not exist or is too old"); break;
        }
    }
}
