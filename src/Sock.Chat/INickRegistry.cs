namespace Sock.Chat;

/// <summary>
/// Who holds which nick beyond this process. The hub's own table decides on one node; a cluster
/// node also claims the nick in the shared store (atomically: of two nodes racing for a nick,
/// exactly one wins) and tells the other nodes of its members' presence changes. Only local
/// members are passed here; members of other nodes reach the hub through the cluster.
/// </summary>
public interface INickRegistry
{
    /// <summary>
    /// Claims <paramref name="nick"/> for <paramref name="m"/>, giving up <paramref name="old"/>
    /// (null at registration). Returns false when another node holds it.
    /// </summary>
    ChatError TryClaim(ChatMember m, string nick, string? old);

    /// <summary>The member left (quit): its nick is free and the other nodes are told.</summary>
    void Release(ChatMember m, string reason);

    /// <summary>The member's away, real name, account or bot flag changed (<paramref name="e"/> says which).</summary>
    void Changed(ChatMember m, ChatEvent e);

    /// <summary>How many servers share the nicks (LUSERS): this one, or a cluster's live nodes.</summary>
    int Servers => 1;
}

/// <summary>One node: the hub's table is the whole truth.</summary>
public sealed class LocalNickRegistry : INickRegistry
{
    public static readonly LocalNickRegistry Instance = new();

    public ChatError TryClaim(ChatMember m, string nick, string? old) => ChatError.None;

    public void Release(ChatMember m, string reason) { }

    public void Changed(ChatMember m, ChatEvent e) { }
}
