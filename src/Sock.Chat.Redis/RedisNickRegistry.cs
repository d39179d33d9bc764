using StackExchange.Redis;

namespace Sock.Chat.Cluster;

/// <summary>
/// Nicks claimed cluster-wide in one Redis hash (<c>users</c>, folded nick → member): the claim
/// script's HSETNX decides a race between two nodes, and the same script tells every node.
/// </summary>
internal sealed class RedisNickRegistry(ClusterNode node) : INickRegistry
{
    public int Servers => node.LiveNodes;

    public ChatError TryClaim(ChatMember m, string nick, string? old)
    {
        if (!node.Healthy) return ChatError.Unavailable;
        var u = WireUser.Of(m, node.Id);
        u.Nick = nick;
        var notice = ClusterNode.Notice(new WireNotice { Kind = old is null ? "hello" : "nick", Node = node.Id, U = u, Old = old });
        // The claim script publishes the NICK itself: what this member said before it goes first.
        if (old is not null) node.Outbox.WaitIdle(TimeSpan.FromSeconds(1));
        try
        {
            // Synchronous: the answer decides the NICK command. One round trip, once per registration or nick change.
            var won = (long)node.Db.ScriptEvaluate(ClusterScripts.ClaimNick, [ClusterKeys.Users],
                [ChatNames.Fold(nick), ClusterJson.Write(u), old is null ? "" : ChatNames.Fold(old), ClusterKeys.Bus, notice]);
            if (won != 1) return ChatError.NickInUse;
            if (old is not null) Renamed(m, old, nick);
            return ChatError.None;
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            return ChatError.Unavailable;
        }
    }

    /// <summary>The rooms' member records are keyed by nick: a node that starts later must find the new one.</summary>
    private void Renamed(ChatMember m, string old, string nick)
    {
        foreach (var name in m.Rooms)
        {
            if (node.Hub.FindRoom(name) is not { } room) continue;
            var record = RedisRoomFeed.Membership(nick, node.Id, room.StatusOf(m));
            if (!string.Equals(ChatNames.Fold(old), ChatNames.Fold(nick), StringComparison.Ordinal))
                node.Db.HashDelete(ClusterKeys.RoomMembers(name), ChatNames.Fold(old), CommandFlags.FireAndForget);
            node.Db.HashSet(ClusterKeys.RoomMembers(name), ChatNames.Fold(nick), record, flags: CommandFlags.FireAndForget);
        }
    }

    public void Release(ChatMember m, string reason)
    {
        // Fire and forget: if Redis is away now, the catch-up removes what is left of the member.
        node.Db.HashDelete(ClusterKeys.Users, ChatNames.Fold(m.Nick), CommandFlags.FireAndForget);
        node.Publish(new WireNotice { Kind = "quit", Node = node.Id, U = WireUser.Of(m, node.Id), Reason = reason });
    }

    public void Changed(ChatMember m, ChatEvent e)
    {
        var u = WireUser.Of(m, node.Id);
        node.Db.HashSet(ClusterKeys.Users, ChatNames.Fold(m.Nick), ClusterJson.Write(u), flags: CommandFlags.FireAndForget);
        node.Publish(new WireNotice { Kind = "state", Node = node.Id, U = u });
    }
}
