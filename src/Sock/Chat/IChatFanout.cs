namespace Sock.Chat;

/// <summary>
/// Delivers one accepted room event to the room's members. The local implementation queues to
/// each member directly; a backplane (Redis pub/sub) would publish here and deliver what it receives.
/// Called under the room's lock, so every member sees room events in the accepted order;
/// <c>members</c> is the room's live list, valid only during the call.
/// </summary>
public interface IChatFanout
{
    void Publish(ChatRoom room, ChatEvent e, IReadOnlyList<ChatMember> members);
}

/// <summary>Fan-out inside one process: each member's non-blocking Deliver.</summary>
public sealed class LocalFanout : IChatFanout
{
    public void Publish(ChatRoom room, ChatEvent e, IReadOnlyList<ChatMember> members)
    {
        foreach (var m in members) m.Deliver(e);
    }
}
