namespace Sock.Chat;

public enum ChatEventKind
{
    Message,
    Action,
    Notice,
    Join,
    Part,
    Quit,
    NickChange,
    Topic,
    Kick,
    Mode,
    Wallops,
    /// <summary>A message with tags only (IRCv3 TAGMSG: typing indicators, reactions).</summary>
    TagOnly,
    /// <summary>A member set (Text) or cleared (empty Text) its away message.</summary>
    Away,
    /// <summary>Someone (From) invited Text to the room Target.</summary>
    Invite,
    /// <summary>A member changed its real name to Text.</summary>
    SetName,
    /// <summary>A nick someone monitors came online (Text = nick!user@host) or went offline (Text = nick).</summary>
    MonitorOnline,
    MonitorOffline,
    /// <summary>A member logged in to the account Text (empty Text: logged out).</summary>
    Account,
    /// <summary>A message (Text = its msgid) was withdrawn by its sender or an operator; Extra = reason.</summary>
    Redact,
    /// <summary>Sender changed the metadata key Text of Target (a nick or a room) to Extra; a null Extra removed it.</summary>
    Metadata,
    /// <summary>Sender renamed the room Target to Text; Extra = reason.</summary>
    Rename,
}

/// <summary>
/// One thing that happened, as the hub accepted it. Protocol encoders may cache their encoding of
/// it (<see cref="EncodingCache"/>) so a message fanned out to many members is encoded once per form.
/// </summary>
public sealed class ChatEvent
{
    /// <summary>Cache slots: 0-1 plain (LF, CRLF), then one per IRC tag form.</summary>
    public const int CacheSlots = 2 + 16;

    public required ChatEventKind Kind { get; init; }
    /// <summary>Hub-wide acceptance order.</summary>
    public long Sequence { get; init; }
    public DateTimeOffset Time { get; init; } = DateTimeOffset.UtcNow;
    /// <summary>The sender's nick (or the server name for server notices).</summary>
    public required string From { get; init; }
    /// <summary>nick!user@host of the sender, as IRC shows it.</summary>
    public required string FromPrefix { get; init; }
    /// <summary>The room (for room events) or the recipient's nick (private messages).</summary>
    public string? Target { get; init; }
    /// <summary>Text, reason, topic, or the new nick (NickChange), or the kicked nick (Kick).</summary>
    public string Text { get; init; } = "";
    /// <summary>Extra text (kick reason, mode parameters).</summary>
    public string? Extra { get; init; }
    /// <summary>The member that caused it (null for the server or history replays).</summary>
    public ChatMember? Sender { get; init; }
    /// <summary>True when replayed from history.</summary>
    public bool IsReplay { get; init; }
    /// <summary>Unique id of the message (IRCv3 msgid), kept in history so clients can refer to it.</summary>
    public string MsgId { get; init; } = "";
    /// <summary>The sender's account, when logged in (IRCv3 account-tag).</summary>
    public string? Account { get; init; }
    /// <summary>The sender was a bot (+B) when it sent this.</summary>
    public bool FromBot { get; init; }
    /// <summary>Client-only tags (<c>+typing=active;+draft/reply=ID</c>), already escaped; relayed to clients that take message-tags.</summary>
    public string? ClientTags { get; init; }

    /// <summary>A multi-line message's lines as sent (IRCv3 draft/multiline; <see cref="Text"/> is them joined); null for one line.</summary>
    public IReadOnlyList<MessageLine>? Lines { get; init; }

    /// <summary>For a room message to some members only (IRC STATUSMSG, <c>@#room</c>): the statuses it reaches; None: everyone.</summary>
    public RoomStatus Audience { get; init; }

    /// <summary>Per-encoding cache slots (index chosen by the encoder); benign races produce equal bytes.</summary>
    public byte[]?[] EncodingCache { get; } = new byte[]?[CacheSlots];

    public bool IsPrivate => Target is not null && !ChatNames.IsChannel(Target);

    /// <summary>A copy for history: no sender reference (so a departed member is not kept alive), no cached bytes.</summary>
    /// <param name="target">Another target for the copy (a renamed room's history moved to its new name).</param>
    public ChatEvent ForHistory(string? target = null) => new()
    {
        Kind = Kind,
        Sequence = Sequence,
        Time = Time,
        From = From,
        FromPrefix = FromPrefix,
        Target = target ?? Target,
        Text = Text,
        Extra = Extra,
        MsgId = MsgId,
        Account = Account,
        FromBot = FromBot,
        ClientTags = ClientTags,
        Lines = Lines,
        IsReplay = true,
    };
}
