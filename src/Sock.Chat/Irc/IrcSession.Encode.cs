using System.Text;

namespace Sock.Chat.Irc;

/// <summary>
/// Hub events to IRC lines. A line depends only on the event and the tag form the session negotiated
/// (server-time, message-tags, account-tag, extended-join), so it is encoded once per form and the
/// bytes shared by every member with that form (<see cref="ChatEvent.EncodingCache"/>).
/// </summary>
public sealed partial class IrcSession
{
    private const int FormTime = 1, FormTags = 2, FormAccount = 4, FormExtendedJoin = 8;
    // A join is never multi-line: a multi-line message's receiver with draft/multiline takes the same bit (16 cache slots stay enough).
    private const int FormMultiline = FormExtendedJoin;
    private const int CacheBase = 2; // slots 0-1 belong to the plain encoder

    public override void Deliver(ChatEvent e) => DeliverCore(e, ReferenceEquals(e.Sender, this), echo: false);

    /// <summary>An event for this device's account (IrcSession.Devices.cs): another device's message comes as an echo.</summary>
    internal override void DeliverToDevice(ChatEvent e, bool mine, bool echo) => DeliverCore(e, mine, echo);

    private void DeliverCore(ChatEvent e, bool mine, bool echo)
    {
        switch (e.Kind)
        {
            case ChatEventKind.Notice when e.Sender is null: // from the server, to each member by name
                Emit((Has(IrcCap.ServerTime) ? $"@time={Timestamp(e.Time)} " : "") + $":{e.FromPrefix} NOTICE {Nick} :{e.Text}");
                return;
            case ChatEventKind.Message or ChatEventKind.Action or ChatEventKind.Notice or ChatEventKind.TagOnly:
                if (e.Kind == ChatEventKind.TagOnly && !Has(IrcCap.MessageTags)) return;
                if (mine)
                {
                    // A message to oneself is delivered (always) and echoed (with echo-message).
                    // Another device's message is shown to this one as an echo, whatever its caps.
                    var toSelf = e.IsPrivate && string.Equals(e.Target, Nick, StringComparison.OrdinalIgnoreCase);
                    if (toSelf) SendRaw(Bytes(e));
                    if (echo ? toSelf : !Has(IrcCap.EchoMessage)) return;
                }
                break;
            case ChatEventKind.Join when !mine && Has(IrcCap.AwayNotify) && e.Sender?.Away is { } away:
                // away-notify: a joiner who is away is announced as such.
                SendRaw(Bytes(e));
                Emit($":{e.FromPrefix} AWAY :{away}");
                return;
            // Told because we MONITOR the sender (no shared room): only with extended-monitor.
            case ChatEventKind.Away or ChatEventKind.SetName or ChatEventKind.Account when !mine && !Has(IrcCap.ExtendedMonitor) && e.Sender is not null && !ChatHub.ShareRoom(Self, e.Sender):
            case ChatEventKind.Away when !Has(IrcCap.AwayNotify):
            case ChatEventKind.SetName when !Has(IrcCap.SetName):
            case ChatEventKind.Redact when !Has(IrcCap.MessageRedaction):
                return;
            case ChatEventKind.Invite:
                var forMe = string.Equals(e.Text, Nick, StringComparison.OrdinalIgnoreCase);
                if (!forMe && (mine || !Has(IrcCap.InviteNotify))) return;
                break;
            case ChatEventKind.Account when mine:
                // SASL happens before registration, when the member's nick is still "*": the mask
                // carries the nick the client asked for, as the numeric's first parameter does.
                var mask = $"{Me}!{UserName}@{Host}";
                if (e.Text.Length > 0) Reply(Rpl.LoggedIn, mask, e.Text, $"You are now logged in as {e.Text}");
                else Reply(Rpl.LoggedOut, mask, "You are now logged out");
                return;
            case ChatEventKind.Account when !Has(IrcCap.AccountNotify):
                return;
            case ChatEventKind.Rename when !Has(IrcCap.ChannelRename):
                RenamedLegacy(e); // Commands/Channel.cs: a PART and a JOIN instead
                return;
            case ChatEventKind.Metadata:
                DeliverMetadata(e); // Commands/Metadata.cs: to subscribers of the key only
                return;
            case ChatEventKind.MonitorOnline:
                Reply(Rpl.MonOnline, e.Text);
                return;
            case ChatEventKind.MonitorOffline:
                Reply(Rpl.MonOffline, e.Text);
                return;
        }
        if (mine && Capturing) // the reply to a labeled command carries its label
        {
            if (!IsManyLines(e)) Emit(Text(e, Form(e)));
            else foreach (var line in Text(e, Form(e)).Split("\r\n")) Emit(line);
            return;
        }
        SendRaw(Bytes(e));
    }

    private int Form(ChatEvent e) =>
        (Has(IrcCap.ServerTime) ? FormTime : 0) | (Has(IrcCap.MessageTags) ? FormTags : 0) | (Has(IrcCap.AccountTag) ? FormAccount : 0)
        | (e.Kind == ChatEventKind.Join ? (Has(IrcCap.ExtendedJoin) ? FormExtendedJoin : 0)
            : WantsBatch(e) ? FormMultiline : 0);

    /// <summary>A message of several lines goes out as a draft/multiline batch to a receiver that takes one (a CTCP ACTION never: each part is its own).</summary>
    // The cap test first: most receivers have no draft/multiline, and the fan-out asks this per delivery.
    private bool WantsBatch(ChatEvent e) => Has(IrcCap.Multiline | IrcCap.Batch, all: true) && e.Kind != ChatEventKind.Action && IsManyLines(e);

    /// <summary>True when the event goes out as more than one line: a multi-line message, or a message too long for one IRC line (<see cref="IrcLineBudget"/>).</summary>
    private static bool IsManyLines(ChatEvent e) =>
        e.Lines is not null || (e.Kind is ChatEventKind.Message or ChatEventKind.Action or ChatEventKind.Notice
            && !IrcLineBudget.FitsMessage(e.FromPrefix, Verb(e), MessageTarget(e) ?? "", e.Text, ActionBytes(e)));

    private static string Verb(ChatEvent e) => e.Kind == ChatEventKind.Notice ? "NOTICE" : "PRIVMSG";

    /// <summary>What each line of a message spends before its text: ":prefix PRIVMSG target :".</summary>
    private static string MessageHead(ChatEvent e) => $":{e.FromPrefix} {Verb(e)} {MessageTarget(e)} :";

    /// <summary>The CTCP wrapper of an ACTION ("\u0001ACTION " and "\u0001").</summary>
    private static int ActionBytes(ChatEvent e) => e.Kind == ChatEventKind.Action ? 9 : 0;

    private byte[] Bytes(ChatEvent e)
    {
        var form = Form(e);
        return e.EncodingCache[CacheBase + form] ??= Encoding.UTF8.GetBytes(Text(e, form) + "\r\n");
    }

    private static string Text(ChatEvent e, int form)
    {
        if (IsManyLines(e)) return MultilineText(e, form, outerBatch: null);
        var line = EncodeLine(e, (form & FormExtendedJoin) != 0) ?? "";
        var tags = Tags(e, form);
        return tags.Length == 0 ? line : "@" + tags + " " + line;
    }

    /// <summary>The tag section (without '@') for this form: time, msgid, bot, the sender's client tags, account.</summary>
    private static string Tags(ChatEvent e, int form, bool withMsgId = true)
    {
        if ((form & (FormTime | FormTags | FormAccount)) == 0) return "";
        var sb = new StringBuilder(64);
        void Add(string tag) { if (sb.Length > 0) sb.Append(';'); sb.Append(tag); }
        if ((form & FormAccount) != 0 && e.Account is { } account) Add("account=" + IrcMessage.EscapeTag(account));
        if ((form & FormTags) != 0)
        {
            if (e.FromBot) Add("bot");
            if (withMsgId && e.MsgId.Length > 0) Add("msgid=" + e.MsgId);
            if (e.ClientTags is { } client) Add(client);
        }
        if ((form & FormTime) != 0) Add("time=" + Timestamp(e.Time));
        return sb.ToString();
    }

    /// <summary>A message's target as sent: the room, or "@#room" for a STATUSMSG.</summary>
    private static string? MessageTarget(ChatEvent e) => e.Audience == RoomStatus.None ? e.Target : RoomMode.AudiencePrefix(e.Audience) + e.Target;

    private static string? EncodeLine(ChatEvent e, bool extendedJoin = false) =>
        e.Kind switch
        {
            ChatEventKind.Message => $":{e.FromPrefix} PRIVMSG {MessageTarget(e)} :{e.Text}",
            ChatEventKind.Action => $":{e.FromPrefix} PRIVMSG {MessageTarget(e)} :\u0001ACTION {e.Text}\u0001",
            ChatEventKind.Notice => $":{e.FromPrefix} NOTICE {MessageTarget(e)} :{e.Text}",
            ChatEventKind.TagOnly => $":{e.FromPrefix} TAGMSG {MessageTarget(e)}",
            ChatEventKind.Join when extendedJoin => $":{e.FromPrefix} JOIN {e.Target} {e.Account ?? "*"} :{e.Extra}",
            ChatEventKind.Join => $":{e.FromPrefix} JOIN {e.Target}",
            ChatEventKind.Part => $":{e.FromPrefix} PART {e.Target}" + (e.Text.Length > 0 ? $" :{e.Text}" : ""),
            ChatEventKind.Quit => $":{e.FromPrefix} QUIT :{e.Text}",
            ChatEventKind.NickChange => $":{e.FromPrefix} NICK :{e.Text}",
            ChatEventKind.Topic => $":{e.FromPrefix} TOPIC {e.Target} :{e.Text}",
            ChatEventKind.Kick => $":{e.FromPrefix} KICK {e.Target} {e.Text} :{e.Extra}",
            ChatEventKind.Mode => $":{e.FromPrefix} MODE {e.Target} {e.Text}" + (string.IsNullOrEmpty(e.Extra) ? "" : " " + e.Extra),
            ChatEventKind.Wallops => $":{e.FromPrefix} WALLOPS :{e.Text}",
            ChatEventKind.Away => $":{e.FromPrefix} AWAY" + (e.Text.Length > 0 ? $" :{e.Text}" : ""),
            ChatEventKind.SetName => $":{e.FromPrefix} SETNAME :{e.Text}",
            ChatEventKind.Invite => $":{e.FromPrefix} INVITE {e.Text} {e.Target}",
            ChatEventKind.Account => $":{e.FromPrefix} ACCOUNT {(e.Text.Length > 0 ? e.Text : "*")}",
            ChatEventKind.Rename => $":{e.FromPrefix} RENAME {e.Target} {e.Text} :{e.Extra}",
            ChatEventKind.Redact => $":{e.FromPrefix} REDACT {e.Target} {e.Text}" + (string.IsNullOrEmpty(e.Extra) ? "" : $" :{e.Extra}"),
            _ => null,
        };
}
