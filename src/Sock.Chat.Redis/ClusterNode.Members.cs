using StackExchange.Redis;

namespace Sock.Chat.Cluster;

/// <summary>Joining the cluster, catching up after an outage, other nodes' members, and reaping dead nodes.</summary>
public sealed partial class ClusterNode
{
    /// <summary>
    /// The first time: clean up after an earlier run under this id, then load the others' members and
    /// rooms. After an outage: reconcile both ways (who left, who came, what of ours Redis lost) and read
    /// every room's missed events from its stream; only then are room messages accepted again.
    /// </summary>
    private async Task JoinClusterAsync(bool firstTime)
    {
        var generation = await CurrentGenerationAsync();
        var redisLost = !firstTime && _generation is not null && generation != _generation;
        _generation = generation;
        // Redis came back with less than this node saw (an older snapshot, a replica behind): the rooms that
        // went backwards start a new epoch, and what of ours it lost is written again as after an empty restart.
        var regressed = firstTime ? 0 : await ((RedisRoomFeed)Feed).CheckRoomsAsync();
        redisLost |= regressed > 0;
        var users = new Dictionary<string, WireUser>(StringComparer.Ordinal);
        foreach (var entry in await Db.HashGetAllAsync(ClusterKeys.Users))
            if (ClusterJson.User((string)entry.Value!) is { } u) users[(string)entry.Name!] = u;

        if (firstTime)
        {
            foreach (var (fold, u) in users.Where(kv => kv.Value.Node == Id).ToList())
            {
                await Db.HashDeleteAsync(ClusterKeys.Users, fold);
                users.Remove(fold);
                Publish(new WireNotice { Kind = "quit", Node = Id, U = u, Reason = "node restarted" });
            }
            foreach (var u in users.Values) Hub.AddRemote(new RemoteMember(this, u));
            var restored = 0;
            foreach (var room in await Db.SetMembersAsync(ClusterKeys.Rooms))
                if (await ((RedisRoomFeed)Feed).RestoreAsync((string)room!)) restored++;
            Log?.Invoke($"cluster: node {Id} joined: {users.Count} users on other nodes, {restored} rooms");
        }
        else
        {
            var repaired = await ReconcileAsync(users, redisLost);
            var caughtUp = await ((RedisRoomFeed)Feed).CatchUpAsync(redisLost);
            Log?.Invoke($"cluster: Redis is back{(redisLost ? $" (it lost data{(regressed > 0 ? $", {regressed} rooms went backwards" : "")}: this node's members and rooms written again)" : "")}: " +
                $"{caughtUp} missed room events applied, {repaired} members reconciled; accepting room messages");
        }
        await Db.SetAddAsync(ClusterKeys.Nodes, Id);
        await Db.StringSetAsync(ClusterKeys.Heartbeat(Id), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), HeartbeatTtl);
        _healthySince = DateTimeOffset.UtcNow;
        _healthy = true;
    }

    /// <summary>The id of Redis's current data set: a Redis that restarted empty gets a new one.</summary>
    private async Task<string> CurrentGenerationAsync()
    {
        await Db.StringSetAsync(ClusterKeys.Generation, Guid.NewGuid().ToString("n"), when: When.NotExists);
        return (string)(await Db.StringGetAsync(ClusterKeys.Generation))!;
    }

    private async Task<int> ReconcileAsync(Dictionary<string, WireUser> users, bool redisLost)
    {
        var changed = 0;
        var members = Hub.Members;
        // Ours: written again where Redis lost them; a member whose entry another node removed was reaped.
        var local = members.Where(m => m.IsLocal && m is not Services.ServiceMember && Hub.IsRegistered(m)).ToList();
        var localFolds = new HashSet<string>(local.Select(m => ChatNames.Fold(m.Nick)), StringComparer.Ordinal);
        foreach (var m in local)
        {
            var fold = ChatNames.Fold(m.Nick);
            if (users.TryGetValue(fold, out var u) && u.Node == Id) continue;
            changed++;
            if (!redisLost)
            {
                m.Disconnect("this server lost contact with the rest of the cluster for too long; please reconnect");
                continue;
            }
            var me = WireUser.Of(m, Id);
            if (!await Db.HashSetAsync(ClusterKeys.Users, fold, ClusterJson.Write(me), When.NotExists))
            {
                m.Disconnect("your nick was taken on another server while the cluster store was away; please reconnect");
                continue;
            }
            Publish(new WireNotice { Kind = "hello", Node = Id, U = me });
        }
        // Entries of ours whose member left while Redis was away.
        foreach (var (fold, u) in users.Where(kv => kv.Value.Node == Id && !localFolds.Contains(kv.Key)).ToList())
        {
            changed++;
            await Db.HashDeleteAsync(ClusterKeys.Users, fold);
            Publish(new WireNotice { Kind = "quit", Node = Id, U = u, Reason = "Quit" });
        }
        // Theirs: gone while we could not hear, or new.
        foreach (var m in members.OfType<RemoteMember>())
        {
            if (users.TryGetValue(ChatNames.Fold(m.Nick), out var u) && u.Node == m.NodeId) { m.Update(u); continue; }
            changed++;
            Hub.Quit(m, "left while this server could not reach the cluster");
        }
        foreach (var u in users.Values)
            if (u.Node != Id && Hub.FindMember(u.Nick) is null && Hub.AddRemote(new RemoteMember(this, u))) changed++;
        return changed;
    }

    /// <summary>A notice from a node (or one of ours coming back, mostly ignored).</summary>
    private void OnNotice(WireNotice n)
    {
        var u = n.U;
        switch (n.Kind)
        {
            case "hello" when u is not null && u.Node != Id:
                if (Hub.FindMember(u.Nick) is RemoteMember known) known.Update(u);
                else Hub.AddRemote(new RemoteMember(this, u));
                break;
            case "nick" when u is not null && u.Node != Id && n.Old is not null:
                if (Hub.FindMember(n.Old) is RemoteMember renamed && renamed.NodeId == u.Node) Hub.ClaimNick(renamed, u.Nick);
                else if (Hub.FindMember(u.Nick) is null) Hub.AddRemote(new RemoteMember(this, u));
                break;
            case "quit" when u is not null:
                if (u.Node == Id)
                {
                    // Another node reaped us (we were out of reach longer than the heartbeat): our member is gone everywhere else.
                    if (n.Node != Id && Hub.FindMember(u.Nick) is { IsLocal: true } mine)
                        mine.Disconnect("this server lost contact with the rest of the cluster for too long; please reconnect");
                    break;
                }
                if (Hub.FindMember(u.Nick) is RemoteMember gone && gone.NodeId == u.Node) Hub.Quit(gone, n.Reason ?? "Quit");
                break;
            case "state" when u is not null && u.Node != Id:
                if (Hub.FindMember(u.Nick) is not RemoteMember changed || changed.NodeId != u.Node) break;
                var (away, real, account) = (changed.Away, changed.RealName, changed.Account);
                changed.Update(u);
                // Through the hub, so this node's members who share a room (or MONITOR) are told.
                if (away != u.Away) { changed.Away = away; Hub.SetAway(changed, u.Away); }
                if (real != u.Real) Hub.SetRealName(changed, u.Real);
                if (account != u.Account)
                {
                    changed.Account = account;
                    if (u.Account is null) Hub.LogOut(changed); else Hub.LogIn(changed, u.Account);
                }
                break;
            case "fwd" when n.ToNode == Id && n.E is { } e && n.ToNick is not null:
                if (Hub.FindMember(n.ToNick) is { IsLocal: true } to) to.Deliver(e.ToEvent(0, SenderOf(e)));
                break;
            case "kill" when n.ToNode == Id && n.ToNick is not null:
                if (Hub.FindMember(n.ToNick) is { IsLocal: true } victim) victim.Disconnect(n.Reason ?? "Killed");
                break;
        }
    }

    /// <summary>The member an event came from, as this node knows it (a stand-in when it already left).</summary>
    internal ChatMember SenderOf(WireEvent e)
    {
        if (Hub.FindMember(e.F) is { } known) return known;
        var bang = e.P.IndexOf('!');
        var at = e.P.IndexOf('@');
        return new RemoteMember(this, new WireUser
        {
            Node = e.N, Nick = e.F, Account = e.A, Bot = e.B,
            User = bang > 0 && at > bang ? e.P[(bang + 1)..at] : "user",
            Host = at > 0 ? e.P[(at + 1)..] : "unknown",
        });
    }

    /// <summary>A node stopped beating: its users quit everywhere with <paramref name="reason"/>, their nicks and memberships freed.</summary>
    private async Task ReapAsync(string node, string reason)
    {
        var count = 0;
        foreach (var entry in await Db.HashGetAllAsync(ClusterKeys.Users))
        {
            if (ClusterJson.User((string)entry.Value!) is not { } u || u.Node != node) continue;
            count++;
            await Db.HashDeleteAsync(ClusterKeys.Users, entry.Name);
            if (Hub.FindMember(u.Nick) is RemoteMember m)
                foreach (var room in m.Rooms) await Db.HashDeleteAsync(ClusterKeys.RoomMembers(room), ChatNames.Fold(u.Nick));
            // Its node cannot forget its private conversations now (only a member's own node does): the reaper does.
            Hub.ForgetPrivateHistory(u.Nick);
            Publish(new WireNotice { Kind = "quit", Node = Id, U = u, Reason = reason });
        }
        await Db.SetRemoveAsync(ClusterKeys.Nodes, node);
        Log?.Invoke($"cluster: node {node} stopped beating: {count} of its users quit ({reason})");
    }
}
