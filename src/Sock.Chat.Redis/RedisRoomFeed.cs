using System.Collections.Concurrent;
using System.Globalization;
using StackExchange.Redis;

namespace Sock.Chat.Cluster;

/// <summary>
/// The cluster's fan-out and room directory. A room event accepted here is not delivered at once: the
/// room script gives it the room's next offset, appends it to the room's stream (with the membership,
/// topic and mode changes it makes) and publishes it; every node, this one included, delivers it to
/// its own members when it comes back, in offset order, reading any gap from the stream first.
/// </summary>
internal sealed partial class RedisRoomFeed(ClusterNode node) : IChatFanout
{
    /// <summary>Events kept per room for nodes that missed some (beyond history: joins, parts, modes).</summary>
    public const int LogLength = 10_000;

    private readonly ConcurrentDictionary<string, RoomFeed> _feeds = new(StringComparer.OrdinalIgnoreCase);
    // What this node published and has not seen back: the member who caused it (echo-message needs the very object).
    private readonly ConcurrentDictionary<string, PendingEvent> _pending = new(StringComparer.Ordinal);
    // Rooms this node saw start again below what it had applied since its last check (CheckRoomsAsync).
    private int _wentBack;
    /// <summary>
    /// A proposal for a room's new epoch, fresh for every call: one per run would give a room the same
    /// epoch again when this node recreates its record in a Redis that came back empty, and the other
    /// nodes would drop the new offsets 1, 2, … as events they had already delivered.
    /// </summary>
    internal static string NewEpoch() => Guid.NewGuid().ToString("n")[..12];

    /// <summary>The offset an epoch ("ID.BASE", see <see cref="ClusterScripts.RoomEvents"/>) counts on from.</summary>
    internal static long BaseOf(string epoch)
    {
        var dot = epoch.LastIndexOf('.');
        return dot >= 0 && long.TryParse(epoch.AsSpan(dot + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var b) ? b : 0;
    }

    /// <summary>The epoch and the last offset this node has applied of a room (what the room script compares with Redis's).</summary>
    internal (string Epoch, long Last) Seen(string room) =>
        _feeds.TryGetValue(room, out var feed) ? (feed.Epoch ?? "", feed.Last) : ("", 0);

    /// <summary>One room's place in its stream, and the members of this node who receive its events.</summary>
    private sealed class RoomFeed(string name)
    {
        public string Name { get; } = name;
        public string? Epoch;
        public long Last;
        public readonly HashSet<ChatMember> Local = new(ReferenceEqualityComparer.Instance);
    }

    public bool Accepting => node.Healthy;

    public void Publish(ChatRoom room, ChatEvent e, IReadOnlyList<ChatMember> members) => Send(room, e, null);

    public void Joined(ChatRoom room, ChatEvent join, ChatMember m, Func<IReadOnlyList<ChatEvent>> replay) => Send(room, join, m);

    public void Left(ChatRoom room, ChatMember m)
    {
        if (_feeds.TryGetValue(room.Name, out var feed)) lock (feed) feed.Local.Remove(m);
        // In order with the room's events still waiting in the outbox (a JOIN's record must not outlive the leave).
        if (!m.IsLocal) return;
        var (key, field) = (ClusterKeys.RoomMembers(room.Name), ChatNames.Fold(m.Nick)); // the nick as it is now, not when the command goes
        node.Outbox.Add(db => db.HashDelete(key, field, CommandFlags.FireAndForget));
    }

    /// <summary>Under the room's lock: hands the event to Redis with what it changes in the room's record.</summary>
    private void Send(ChatRoom room, ChatEvent e, ChatMember? joiner)
    {
        var w = WireEvent.Of(e, node.Id);
        var memberOps = new List<RedisValue>();
        var stateOps = new List<RedisValue>();
        switch (e.Kind)
        {
            case ChatEventKind.Join when joiner is not null:
                w.U = WireUser.Of(joiner, node.Id);
                w.S = (int)room.Status(joiner);
                memberOps.AddRange([ChatNames.Fold(joiner.Nick), Membership(joiner.Nick, node.Id, room.Status(joiner))]);
                break;
            case ChatEventKind.Part:
                memberOps.AddRange([ChatNames.Fold(e.From), ""]);
                break;
            case ChatEventKind.Kick:
                memberOps.AddRange([ChatNames.Fold(e.Text), ""]);
                break;
            case ChatEventKind.Topic:
                stateOps.AddRange(["topic", e.Text, "topicby", e.FromPrefix, "topictime", e.Time.ToUnixTimeSeconds()]);
                break;
            case ChatEventKind.Mode:
                stateOps.AddRange(["modes", room.ModeString(showKey: true)]);
                foreach (var nick in (e.Extra ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries))
                    if (node.Hub.FindMember(nick) is { } target && room.Contains(target))
                        memberOps.AddRange([ChatNames.Fold(nick), Membership(target.Nick, (target as RemoteMember)?.NodeId ?? node.Id, room.Status(target))]);
                break;
        }
        w.H = e.Audience == RoomStatus.None && (e.Kind == ChatEventKind.Topic || ChatHub.Keeps(e.Kind, e.ClientTags));
        var sender = joiner ?? e.Sender;
        var pending = sender is null ? null : _pending[e.MsgId] = new PendingEvent(sender, room.Name);
        if (e.Kind == ChatEventKind.Join && room.Count == 1) node.Db.SetAdd(ClusterKeys.Rooms, room.Name, CommandFlags.FireAndForget);
        // This event's part of the room script's arguments (ClusterScripts.RoomEvents).
        var args = new RedisValue[4 + memberOps.Count + stateOps.Count];
        (args[0], args[1], args[2], args[3]) = (ClusterJson.Bytes(w), w.H ? "1" : "0", memberOps.Count / 2, stateOps.Count / 2);
        memberOps.CopyTo(args, 4);
        stateOps.CopyTo(args, 4 + memberOps.Count);
        Action refused = () =>
        {
            // Once: by the outbox (Redis never ran it) or by the sweep (it ran in a data set that is gone), and never after its delivery.
            if (!_pending.TryRemove(e.MsgId, out _) && sender is not null) return;
            if (sender is { IsLocal: true } && e.Kind is ChatEventKind.Message or ChatEventKind.Action or ChatEventKind.Notice or ChatEventKind.Join)
                sender.Deliver(new ChatEvent
                {
                    Kind = ChatEventKind.Notice, From = node.Options.ServerName, FromPrefix = node.Options.ServerName, Target = sender.Nick, MsgId = e.MsgId + "-refused",
                    Text = $"not delivered to {room.Name}: this server lost its cluster store (Redis); try again in a moment",
                });
        };
        if (pending is not null) pending.Refuse = refused;
        node.Outbox.Add(new ClusterOutbox.RoomEvent(room.Name, args, pending is null ? null : pending.Sequenced, refused));
    }

    internal static string Membership(string nick, string nodeId, RoomStatus status) =>
        System.Text.Json.JsonSerializer.Serialize(new WireMembership { Nick = nick, Node = nodeId, S = (int)status }, ClusterJson.Default.WireMembership);

    private RoomFeed FeedOf(string room) => _feeds.GetOrAdd(room, r => new RoomFeed(r));

    /// <summary>
    /// On the bus loop: one publication of the room script, the events of one call with consecutive
    /// offsets from <paramref name="first"/>, one JSON object per line.
    /// </summary>
    public async Task OnRoomEventsAsync(string epoch, long first, ReadOnlyMemory<byte> payload)
    {
        for (var offset = first; !payload.IsEmpty; offset++)
        {
            var nl = payload.Span.IndexOf((byte)'\n');
            var one = nl < 0 ? payload : payload[..nl];
            payload = nl < 0 ? default : payload[(nl + 1)..];
            await OnRoomEventAsync(epoch, offset, one.Span);
        }
    }

    private Task OnRoomEventAsync(string epoch, long offset, ReadOnlySpan<byte> payload)
    {
        if (ClusterJson.Event(payload) is not { To: { } room } w) return Task.CompletedTask;
        var feed = FeedOf(room);
        if (feed.Epoch != epoch)
        {
            if (feed.Epoch is not null) return SwitchThenApplyAsync(feed, epoch, offset, w);
            (feed.Epoch, feed.Last) = (epoch, BaseOf(epoch)); // a room new to this node
        }
        if (offset <= feed.Last) return Task.CompletedTask;
        if (offset > feed.Last + 1) return FillThenApplyAsync(feed, offset, w);
        Apply(feed, offset, w);
        return Task.CompletedTask;
    }

    /// <summary>
    /// The room's record started again (Redis lost it or went back to an older copy): its offsets count
    /// on from the new epoch's base. Only if that epoch is Redis's now: an event of the old record that
    /// was still queued here when this node caught up is not taken for the start of a new one.
    /// </summary>
    private async Task SwitchThenApplyAsync(RoomFeed feed, string epoch, long offset, WireEvent w)
    {
        var current = (string?)await node.Db.HashGetAsync(ClusterKeys.RoomState(feed.Name), "epoch");
        if (current != epoch)
        {
            node.ReportStale(feed.Name, epoch, offset);
            return;
        }
        // Below what this node applied: Redis lost data (another node noticed first); the catch-up is told.
        if (BaseOf(epoch) < feed.Last) Interlocked.Increment(ref _wentBack);
        (feed.Epoch, feed.Last) = (epoch, BaseOf(epoch));
        if (offset <= feed.Last) return;
        if (offset > feed.Last + 1) await FillAsync(feed, offset - 1);
        if (offset > feed.Last) Apply(feed, offset, w);
    }

    private async Task FillThenApplyAsync(RoomFeed feed, long offset, WireEvent w)
    {
        await FillAsync(feed, offset - 1);
        if (offset > feed.Last) Apply(feed, offset, w);
    }

    /// <summary>Reads the events a node missed (offsets after the last it applied, up to <paramref name="until"/>) from the room's stream.</summary>
    private async Task<int> FillAsync(RoomFeed feed, long until)
    {
        var applied = 0;
        while (feed.Last < until)
        {
            var from = feed.Last + 1;
            var entries = await node.Db.StreamRangeAsync(ClusterKeys.RoomLog(feed.Name), $"{from}-0", until == long.MaxValue ? "+" : $"{until}-0", count: 500);
            if (entries.Length == 0) break;
            foreach (var entry in entries)
            {
                var offset = long.Parse(((string)entry.Id!).Split('-')[0], CultureInfo.InvariantCulture);
                if (offset <= feed.Last || ClusterJson.Event((string)entry["e"]!) is not { } w) continue;
                if (offset > feed.Last + 1) node.ReportGap(feed.Name, feed.Last + 1, offset - 1);
                Apply(feed, offset, w);
                applied++;
            }
        }
        return applied;
    }

    private void Apply(RoomFeed feed, long offset, WireEvent w)
    {
        feed.Last = offset;
        var hub = node.Hub;
        var mine = w.N == node.Id;
        ChatMember? sender = null;
        if (mine && _pending.TryRemove(w.Id, out var pending)) sender = pending.Sender;
        sender ??= node.SenderOf(w);
        var e = w.ToEvent(offset, sender);
        ChatMember? subject = e.Kind switch
        {
            ChatEventKind.Join when mine => sender,
            ChatEventKind.Join => w.U is { } u ? RemoteFor(u) : null,
            ChatEventKind.Part => sender,
            ChatEventKind.Kick => hub.FindMember(e.Text),
            _ => null,
        };
        hub.ApplyClustered(feed.Name, e, subject, (RoomStatus)w.S, mine, room =>
        {
            lock (feed)
            {
                if (e.Kind == ChatEventKind.Join && mine && subject is not null) feed.Local.Add(subject);
                foreach (var m in feed.Local)
                    if (e.Audience == RoomStatus.None || ReferenceEquals(m, sender) || (room is not null && (room.Status(m) & e.Audience) != 0))
                        m.Deliver(e);
                if (e.Kind is ChatEventKind.Part or ChatEventKind.Kick && subject is not null) feed.Local.Remove(subject);
            }
            if (e.Kind == ChatEventKind.Join && mine && subject is not null && room is not null)
                subject.OnJoined(room, [.. hub.Recent(room.Name, node.Options.HistoryReplay).Where(x => x.Sequence < offset)]);
        });
    }

    /// <summary>The member a JOIN from another node is about (known already, or new to this node).</summary>
    private RemoteMember? RemoteFor(WireUser u)
    {
        var hub = node.Hub;
        if (hub.FindMember(u.Nick) is { } known)
        {
            if (known is not RemoteMember remote) return null;
            remote.Update(u);
            return remote;
        }
        var m = new RemoteMember(node, u);
        hub.AddRemote(m);
        return m;
    }

    /// <summary>When this node joins: a room as Redis has it now, with its members of other nodes.</summary>
    public async Task<bool> RestoreAsync(string room)
    {
        var snapshot = (RedisResult[])(await node.Db.ScriptEvaluateAsync(ClusterScripts.RoomSnapshot, [ClusterKeys.RoomState(room), ClusterKeys.RoomMembers(room)]))!;
        var state = Pairs((RedisResult[])snapshot[0]!);
        var members = new List<(ChatMember, RoomStatus)>();
        foreach (var (fold, value) in Pairs((RedisResult[])snapshot[1]!))
        {
            var ms = System.Text.Json.JsonSerializer.Deserialize(value, ClusterJson.Default.WireMembership);
            if (ms is null) continue;
            if (ms.Node == node.Id) { await node.Db.HashDeleteAsync(ClusterKeys.RoomMembers(room), fold); continue; } // left by an earlier run of ours
            if (node.Hub.FindMember(ms.Nick) is RemoteMember m && m.NodeId == ms.Node) members.Add((m, (RoomStatus)ms.S));
        }
        var feed = FeedOf(room);
        feed.Epoch = state.GetValueOrDefault("epoch");
        feed.Last = long.TryParse(state.GetValueOrDefault("offset"), out var last) ? last : 0;
        if (members.Count == 0) return false;
        node.Hub.RestoreClustered(room, state.GetValueOrDefault("topic") ?? "", state.GetValueOrDefault("topicby") ?? "",
            DateTimeOffset.FromUnixTimeSeconds(long.TryParse(state.GetValueOrDefault("topictime"), out var t) ? t : 0), state.GetValueOrDefault("modes") ?? "+nt", members);
        return true;
    }

    /// <summary>
    /// After an outage, on the bus loop, before anything else: the rooms whose record in Redis went
    /// backwards (an offset this node applied is no longer there) get a new epoch
    /// (<see cref="ClusterScripts.RoomCheck"/>), so nothing sent from now on reuses an offset a node
    /// has delivered. Returns how many rooms Redis has restarted below what this node applied.
    /// </summary>
    public async Task<int> CheckRoomsAsync()
    {
        var regressed = Interlocked.Exchange(ref _wentBack, 0);
        foreach (var feed in _feeds.Values)
        {
            if (feed.Epoch is null) continue;
            var r = (RedisResult[])(await node.Db.ScriptEvaluateAsync(ClusterScripts.RoomCheck, [ClusterKeys.RoomState(feed.Name)], [feed.Epoch, feed.Last, NewEpoch()]))!;
            var epoch = (string)r[0]!;
            if ((long)r[1] == 1) node.ReportRegressed(feed.Name, feed.Last, epoch);
            // Started again below what this node applied, by this node or another one that checked first: Redis lost data.
            else if (epoch.Length == 0 || epoch == feed.Epoch || BaseOf(epoch) >= feed.Last) continue;
            regressed++;
        }
        return regressed;
    }

    /// <summary>
    /// After an outage, on the bus loop: every room's missed events from its stream. When Redis lost its
    /// data, this node's memberships and each room's topic and modes are written again first.
    /// </summary>
    public async Task<int> CatchUpAsync(bool redisLost)
    {
        var applied = 0;
        if (redisLost)
        {
            foreach (var room in node.Hub.Rooms)
            {
                var locals = room.MembersWithStatus().Where(kv => kv.Key.IsLocal && kv.Key is not Services.ServiceMember).ToList();
                if (locals.Count == 0) continue;
                await node.Db.SetAddAsync(ClusterKeys.Rooms, room.Name);
                foreach (var (m, s) in locals)
                    await node.Db.HashSetAsync(ClusterKeys.RoomMembers(room.Name), ChatNames.Fold(m.Nick), Membership(m.Nick, node.Id, s));
                await node.Db.HashSetAsync(ClusterKeys.RoomState(room.Name), "modes", room.ModeString(showKey: true), When.NotExists);
                if (room.Topic.Length > 0)
                    await node.Db.HashSetAsync(ClusterKeys.RoomState(room.Name), [new("topic", room.Topic), new("topicby", room.TopicSetBy), new("topictime", room.TopicTime.ToUnixTimeSeconds())]);
            }
        }
        foreach (var feed in _feeds.Values)
        {
            // A room whose record started again (Redis lost it, or went back) counts on from its new epoch's base; only then are offsets comparable.
            var epoch = (string?)await node.Db.HashGetAsync(ClusterKeys.RoomState(feed.Name), "epoch");
            if (epoch is null) continue;
            if (epoch != feed.Epoch) (feed.Epoch, feed.Last) = (epoch, BaseOf(epoch));
            applied += await FillAsync(feed, long.MaxValue);
        }
        return applied;
    }

    private static Dictionary<string, string> Pairs(RedisResult[] flat)
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < flat.Length; i += 2) d[(string)flat[i]!] = (string)flat[i + 1]!;
        return d;
    }
}
