using StackExchange.Redis;

namespace Sock.Chat.Cluster;

/// <summary>
/// This node's events that Redis sequenced but that have not come back over the bus. Normally they
/// come back within milliseconds. In a failover they may not: the node's commands can still reach
/// the old master for a moment after its subscription has moved to the new one, and what the old
/// master then runs is published to nobody and thrown away when it is made a replica. Its sender
/// saw neither an echo nor a refusal. So an event whose offset the room has passed, or whose epoch
/// is no longer Redis's, is refused to its sender like one Redis never ran.
/// </summary>
internal sealed partial class RedisRoomFeed
{
    /// <summary>How long a sequenced event may take to come back before it is looked at.</summary>
    private static readonly TimeSpan Overdue = TimeSpan.FromSeconds(2);

    /// <summary>One event of this node on its way: who sent it, and where Redis put it (once the script answered).</summary>
    private sealed class PendingEvent(ChatMember sender, string room)
    {
        public ChatMember Sender { get; } = sender;
        public string Room { get; } = room;
        public volatile string? Epoch;
        public long Offset;
        public long At;
        public Action? Refuse;

        public void Sequenced(string epoch, long offset)
        {
            (Offset, At) = (offset, Environment.TickCount64);
            Epoch = epoch; // last: the sweep reads Epoch first
        }
    }

    /// <summary>Whether an event has waited longer than <see cref="Overdue"/> since Redis sequenced it.</summary>
    public bool HasOverdue()
    {
        var now = Environment.TickCount64;
        foreach (var (_, p) in _pending)
            if (p.Epoch is not null && now - p.At > Overdue.TotalMilliseconds) return true;
        return false;
    }

    /// <summary>On the bus loop: refuses the overdue events that will not come back.</summary>
    public async Task SweepLostAsync()
    {
        var now = Environment.TickCount64;
        foreach (var (id, p) in _pending)
        {
            if (p.Epoch is not { } epoch || now - p.At <= Overdue.TotalMilliseconds || !_feeds.TryGetValue(p.Room, out var feed)) continue;
            bool lost;
            if (feed.Epoch == epoch) lost = feed.Last >= p.Offset; // the room went past it with other events
            else lost = (string?)await node.Db.HashGetAsync(ClusterKeys.RoomState(p.Room), "epoch") != epoch; // its data set is gone
            if (!lost) continue;
            node.ReportLost(p.Room, epoch, p.Offset);
            if (p.Refuse is { } refuse) refuse();
            else _pending.TryRemove(id, out _);
        }
    }
}
