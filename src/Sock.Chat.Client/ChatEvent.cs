namespace Sock.Chat.Client;

/// <summary>What a chat front end shows: one kind per way of rendering it.</summary>
public enum ChatEventKind
{
    /// <summary>Someone (or we) said something in a room or privately.</summary>
    Message,
    /// <summary>A /me action.</summary>
    Action,
    /// <summary>A NOTICE from a user or the server.</summary>
    Notice,
    /// <summary>Joins, parts, quits, nick changes, topics: room membership news.</summary>
    Presence,
    /// <summary>Replies and state the user asked for or should know (MOTD, WHO, LIST, connect/reconnect).</summary>
    Info,
    /// <summary>Something failed or was refused.</summary>
    Error,
    /// <summary>File transfer offers and outcomes.</summary>
    Transfer,
    /// <summary>A transfer's running progress: a terminal shows it in place, a script can ignore it.</summary>
    Progress,
}

/// <summary>
/// One line for the front end. <paramref name="Target"/> is the room (or the peer of a private
/// message); <paramref name="Nick"/> the speaker; <paramref name="Own"/> marks our own messages.
/// </summary>
public sealed record ChatEvent(ChatEventKind Kind, DateTimeOffset Time, string Text, string? Nick = null,
    string? Target = null, bool Own = false)
{
    public static ChatEvent Info(string text) => new(ChatEventKind.Info, DateTimeOffset.Now, text);

    public static ChatEvent Error(string text) => new(ChatEventKind.Error, DateTimeOffset.Now, text);

    public static ChatEvent Transfer(string text) => new(ChatEventKind.Transfer, DateTimeOffset.Now, text);
}

/// <summary>What the status line shows.</summary>
public sealed record ChatStatus(string Server, string Nick, string? Room, bool Connected, bool Tls, TimeSpan? Lag);
