namespace Sock.Chat.Storage;

/// <summary>
/// Where messages are kept, per key: a room's name, or a private conversation's key (the hub
/// chooses keys). Events carry their msgid so clients can refer to them (CHATHISTORY, REDACT).
/// </summary>
public interface IHistoryStore : IAsyncDisposable
{
    /// <summary>Records a message. Called under the room's lock: must be fast and must not block on I/O.</summary>
    void Append(string key, ChatEvent e);

    /// <summary>The last <paramref name="count"/> messages under <paramref name="key"/>, oldest first, as replay events.</summary>
    IReadOnlyList<ChatEvent> Recent(string key, int count);

    /// <summary>The kept message with this msgid, or null.</summary>
    ChatEvent? Find(string key, string msgId);

    /// <summary>Withdraws one message (redaction); false when it is not kept.</summary>
    bool Remove(string key, string msgId);

    /// <summary>Drops everything under a key (a private conversation whose nick was given up).</summary>
    void Forget(string key);

    /// <summary>Every key with messages kept.</summary>
    IReadOnlyList<string> Keys();
}
