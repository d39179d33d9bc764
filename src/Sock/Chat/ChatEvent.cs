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
}

/// <summary>
/// One thing that happened, as the hub accepted it. Protocol encoders may cache their encoding of
/// it (<see cref="EncodingCache"/>) so a message fanned out to many members is encoded once per form.
/// </summary>
public sealed class ChatEvent
{
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

    /// <summary>Per-encoding cache slots (index chosen by the encoder); benign races produce equal bytes.</summary>
    public byte[]?[] EncodingCache { get; } = new byte[]?[4];

    public bool IsPrivate => Target is not null && !ChatNames.IsChannel(Target);
}
