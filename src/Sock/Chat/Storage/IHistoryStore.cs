namespace Sock.Chat.Storage;

/// <summary>Where room messages are kept for replay on join.</summary>
public interface IHistoryStore : IAsyncDisposable
{
    /// <summary>Records a room message. Called under the room's lock: must be fast and must not block on I/O.</summary>
    void Append(ChatEvent e);

    /// <summary>The last <paramref name="count"/> messages of <paramref name="room"/>, oldest first, as replay events.</summary>
    IReadOnlyList<ChatEvent> Recent(string room, int count);
}
