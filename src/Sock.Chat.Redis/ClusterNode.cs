using System.Collections.Concurrent;
using StackExchange.Redis;

namespace Sock.Chat.Cluster;

/// <summary>
/// One <c>chat serve --cluster</c> node: its Redis connection, the one turn at a time in which what the bus
/// brings is applied (room events in each room's order, other nodes' members), heartbeats and the reaping of
/// nodes that died, and the catch-up after Redis was out of reach. While Redis cannot be reached the
/// node refuses room messages (<see cref="Healthy"/> false) rather than lose them.
/// </summary>
public sealed partial class ClusterNode : IAsyncDisposable
{
    /// <summary>A node whose heartbeat key is older than this is dead (its users quit "node lost").</summary>
    public static readonly TimeSpan HeartbeatTtl = TimeSpan.FromSeconds(6);
    private static readonly TimeSpan Beat = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan PingTimeout = TimeSpan.FromSeconds(3);
    // Pings that must fail in a row before the node calls Redis unreachable (a loaded machine is slow, not down:
    // a registration burst blocks thread-pool threads on nick claims and delays the replies; a dropped
    // connection is noticed at once through ConnectionFailed).
    private const int PingFailures = 3;
    private int _failedPings;

    private readonly ConnectionMultiplexer _redis;
    // One thing at a time touches the cluster's view of rooms and members: the bus's messages, in the
    // order Redis published them (SE.Redis's queue calls the handler one message after another), or
    // work run with OnLoopAsync (catch-up, reaping). Taken uncontended it costs no thread hop.
    private readonly SemaphoreSlim _turn = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, int> _missedBeats = new();
    private ChatHub? _hub;
    private string? _generation;
    private volatile bool _healthy;
    private DateTimeOffset _healthySince;
    private ChannelMessageQueue? _bus;
    private Task? _beats, _watch;

    private ClusterNode(ConnectionMultiplexer redis, string id, ChatServerOptions options)
    {
        _redis = redis;
        Id = id;
        Options = options;
        Outbox = new ClusterOutbox(this);
        Feed = new RedisRoomFeed(this);
        Nicks = new RedisNickRegistry(this);
        History = new RedisHistoryStore(this, options.HistoryLength);
        Accounts = new RedisAccountStore(this);
        _redis.ConnectionFailed += (_, e) => { if (e.ConnectionType == ConnectionType.Interactive) Unhealthy($"lost Redis ({e.FailureType})"); };
    }

    /// <summary>This node's name in the cluster (--node-id).</summary>
    public string Id { get; }
    internal ChatServerOptions Options { get; }
    internal IDatabase Db => _redis.GetDatabase();
    /// <summary>Everything for the bus, in order, batched while Redis answers the previous batch.</summary>
    internal ClusterOutbox Outbox { get; }
    internal ChatHub Hub => _hub ?? throw new InvalidOperationException("cluster node not attached to a hub");

    /// <summary>The hub's fan-out, nick registry, history and accounts on this cluster.</summary>
    public IChatFanout Feed { get; }
    public INickRegistry Nicks { get; }
    public Storage.IHistoryStore History { get; }
    public Accounts.IAccountStore Accounts { get; }

    /// <summary>The nodes whose heartbeat was there at the last check, this one included.</summary>
    internal int LiveNodes { get; private set; } = 1;

    /// <summary>Redis answers and this node has caught up: room messages are accepted.</summary>
    public bool Healthy => _healthy;

    /// <summary>One line per cluster event for the server log (Redis lost and back, nodes reaped).</summary>
    public event Action<string>? Log;

    /// <summary>Connects to the cluster's Redis (redis://HOST:PORT), failing with a clear message when it does not answer.</summary>
    public static async Task<ClusterNode> ConnectAsync(string url, ChatServerOptions options, CancellationToken ct = default)
    {
        var config = ParseUrl(url);
        ConnectionMultiplexer redis;
        try
        {
            redis = await ConnectionMultiplexer.ConnectAsync(config);
            await redis.GetDatabase().PingAsync().WaitAsync(TimeSpan.FromSeconds(5), ct);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            throw new SockException($"chat serve: cannot reach the cluster's Redis at {url}: {e.Message} " +
                (config.ServiceName is { } master ? $"(are the Sentinels running there, and do they watch a master named {master}?)" : "(is redis-server running there?)"));
        }
        var id = options.NodeId ?? throw new ArgumentException("a cluster node needs a NodeId", nameof(options));
        // Claiming a nick waits for Redis (one round trip) on the session's thread: with a burst of registrations,
        // more threads at hand keep the pings and the bus loop from queueing behind them.
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 64), io);
        return new ClusterNode(redis, id, options);
    }

    /// <summary>Reads redis://[USER:PASSWORD@]HOST[:PORT] (rediss:// for TLS) or a Sentinel URL (<see cref="SentinelUrl"/>); a clear error otherwise.</summary>
    public static ConfigurationOptions ParseUrl(string url)
    {
        if (SentinelUrl.TryParse(url, out var sentinel)) return sentinel;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var u) || u.Scheme is not ("redis" or "rediss") || u.Host.Length == 0)
            throw new SockException($"--cluster: '{url}' is not a Redis URL such as redis://127.0.0.1:6379 (or redis+sentinel://HOST:PORT,…/MASTERNAME)");
        // The same connection settings as a Sentinel URL's (SentinelUrl.Options says why each is set).
        var config = SentinelUrl.Options(tls: u.Scheme == "rediss");
        config.EndPoints.Add(u.Host, u.Port > 0 ? u.Port : 6379);
        if (u.UserInfo.Length > 0)
        {
            var parts = Uri.UnescapeDataString(u.UserInfo).Split(':', 2);
            if (parts.Length == 2) { if (parts[0].Length > 0) config.User = parts[0]; config.Password = parts[1]; }
            else config.Password = parts[0];
        }
        return config;
    }

    /// <summary>
    /// Joins the cluster with <paramref name="hub"/>: subscribes to the bus, cleans up what an earlier run
    /// under this id left, loads the other nodes' members and rooms, then starts applying the bus.
    /// </summary>
    public async Task StartAsync(ChatHub hub)
    {
        _hub = hub;
        await _turn.WaitAsync();
        try
        {
            // Subscribed first, so nothing published while this node loads the cluster is missed: the
            // handler waits for its turn until the load is done.
            _bus = await _redis.GetSubscriber().SubscribeAsync(RedisChannel.Literal(ClusterKeys.Bus));
            // As bytes, not copied (a string would be a UTF-16 copy that the JSON reader turns back into UTF-8).
            _bus.OnMessage(m => m.Message.IsNull ? Task.CompletedTask : OnBusTurnAsync(m.Message));
            _redis.ConnectionRestored += (_, e) => { if (e.ConnectionType == ConnectionType.Subscription) Log?.Invoke("cluster: bus subscription restored"); };
            await JoinClusterAsync(firstTime: true);
        }
        finally { _turn.Release(); }
        _beats = Task.Run(BeatLoopAsync);
        _watch = Task.Run(WatchLoopAsync);
    }

    private async Task OnBusTurnAsync(ReadOnlyMemory<byte> message)
    {
        await _turn.WaitAsync();
        try { await OnBusAsync(message); }
        catch (Exception e) { Failed(e); }
        finally { _turn.Release(); }
    }

    private void Failed(Exception e)
    {
        if (e is RedisException or TimeoutException or ObjectDisposedException)
            Unhealthy($"Redis call failed while applying the bus ({e.GetType().Name}: {e.Message})");
        else if (e is not OperationCanceledException)
            Log?.Invoke($"cluster: error applying an event: {e}");
    }

    /// <summary>Runs <paramref name="work"/> in its turn with the bus (never while a bus message is being applied).</summary>
    internal async Task OnLoopAsync(Func<Task> work)
    {
        await _turn.WaitAsync(_stop.Token);
        try { await work(); }
        catch (Exception e) { Failed(e); throw; }
        finally { _turn.Release(); }
    }

    private Task OnBusAsync(ReadOnlyMemory<byte> message)
    {
        var text = message.Span;
        if (TryReadRoomEvent(text, out var epoch, out var offset, out var payload))
            return ((RedisRoomFeed)Feed).OnRoomEventsAsync(epoch, offset, message[payload..]);
        if (text.StartsWith("U "u8) && ClusterJson.Notice(text[2..]) is { } notice) OnNotice(notice);
        else if (text.StartsWith("S "u8)) OnSync(text[2..]);
        return Task.CompletedTask;
    }

    /// <summary>"R epoch first-offset payload…", as the room script publishes it: where the payload starts.</summary>
    internal static bool TryReadRoomEvent(ReadOnlySpan<byte> text, out string epoch, out long offset, out int payload)
    {
        (epoch, offset, payload) = ("", 0, 0);
        if (!text.StartsWith("R "u8)) return false;
        var a = text[2..].IndexOf((byte)' ') + 2;
        if (a < 3) return false;
        var b = text[(a + 1)..].IndexOf((byte)' ') + a + 1;
        if (b <= a + 1 || !System.Buffers.Text.Utf8Parser.TryParse(text[(a + 1)..b], out offset, out var used) || used != b - a - 1 || offset < 1) return false;
        epoch = System.Text.Encoding.ASCII.GetString(text[2..a]);
        payload = b + 1;
        return true;
    }

    /// <summary>
    /// Publishes a node notice on the bus (fire and forget: a lost one is repaired by the next catch-up),
    /// after the room events handed over before it (a member's last message comes before its QUIT).
    /// </summary>
    internal void Publish(WireNotice n)
    {
        var notice = Notice(n);
        Outbox.Add(db => db.PublishAsync(RedisChannel.Literal(ClusterKeys.Bus), notice, CommandFlags.FireAndForget));
    }

    /// <summary>A node notice as the bus carries it (the claim script publishes the same form).</summary>
    internal static string Notice(WireNotice n) => "U " + ClusterJson.Write(n);

    private void Unhealthy(string why)
    {
        if (!_healthy) return;
        _healthy = false;
        Log?.Invoke($"cluster: {why}: refusing room messages until Redis is back");
    }

    /// <summary>Heartbeats, and reaping of the nodes whose heartbeat stopped.</summary>
    private async Task BeatLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Beat, _stop.Token);
                if (!_healthy) continue;
                await Db.StringSetAsync(ClusterKeys.Heartbeat(Id), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), HeartbeatTtl);
                // Reap only after this node has itself been healthy for a whole TTL: after an outage every node gets time to beat again.
                var reap = DateTimeOffset.UtcNow - _healthySince >= HeartbeatTtl;
                var live = 1;
                foreach (var node in await Db.SetMembersAsync(ClusterKeys.Nodes))
                {
                    var other = (string)node!;
                    if (other == Id) continue;
                    if (await Db.KeyExistsAsync(ClusterKeys.Heartbeat(other))) { live++; _missedBeats.TryRemove(other, out _); continue; }
                    if (!reap) continue;
                    // Two checks a beat apart, then one node wins the right to reap.
                    if (_missedBeats.AddOrUpdate(other, 1, (_, n) => n + 1) < 2) continue;
                    if (!await Db.StringSetAsync(ClusterKeys.Reaping(other), Id, HeartbeatTtl, When.NotExists)) continue;
                    _missedBeats.TryRemove(other, out _);
                    await OnLoopAsync(() => ReapAsync(other, "node lost"));
                }
                LiveNodes = live;
            }
            catch (OperationCanceledException) { return; }
            catch (Exception e) when (e is RedisException or TimeoutException) { Unhealthy($"heartbeat failed ({e.Message})"); }
        }
    }

    /// <summary>Pings Redis; after an outage, catches up (on the bus loop) before accepting again.</summary>
    private async Task WatchLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500), _stop.Token);
                await Db.PingAsync().WaitAsync(PingTimeout, _stop.Token);
                _failedPings = 0;
                if (_healthy)
                {
                    if (((RedisRoomFeed)Feed).HasOverdue()) await OnLoopAsync(((RedisRoomFeed)Feed).SweepLostAsync);
                    continue;
                }
                // Not before the bus is heard again, and everything it brought before the outage is applied.
                if (!await BusHeardAsync()) continue;
                await OnLoopAsync(() => JoinClusterAsync(firstTime: false));
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested) { return; }
            catch (Exception e) when (e is RedisException or TimeoutException or OperationCanceledException)
            {
                if (++_failedPings >= PingFailures || !_redis.IsConnected) Unhealthy($"Redis does not answer ({e.GetType().Name})");
            }
        }
    }

    /// <summary>Forwards a private event to the node of <paramref name="to"/>.</summary>
    internal void Forward(RemoteMember to, ChatEvent e) =>
        Publish(new WireNotice { Kind = "fwd", Node = Id, ToNode = to.NodeId, ToNick = to.Nick, E = WireEvent.Of(e, Id) });

    internal void ReportStale(string room, string epoch, long offset) =>
        Log?.Invoke($"cluster: {room}: event {offset} of epoch {epoch} came after Redis had started the room again; not applied");

    internal void ReportRegressed(string room, long last, string epoch) =>
        Log?.Invoke($"cluster: {room}: Redis has lost events this node applied (up to {last}): the room goes on under a new epoch {epoch}");

    internal void ReportLost(string room, string epoch, long offset) =>
        Log?.Invoke($"cluster: {room}: this node's event {offset} of epoch {epoch} never came back (written where a failover threw it away): its sender is told it was not delivered");

    internal void ReportGap(string room, long from, long to) =>
        Log?.Invoke($"cluster: {room}: events {from}-{to} had left the stream (trimmed) before this node read them");

    internal void Kill(RemoteMember m, string reason) =>
        Publish(new WireNotice { Kind = "kill", Node = Id, ToNode = m.NodeId, ToNick = m.Nick, Reason = reason });

    public async ValueTask DisposeAsync()
    {
        await History.DisposeAsync();
        Accounts.Dispose();
        _stop.Cancel();
        if (_bus is { } bus) { try { await bus.UnsubscribeAsync().WaitAsync(TimeSpan.FromSeconds(1)); } catch (Exception) { } }
        foreach (var t in new[] { _beats, _watch })
            if (t is not null) { try { await t.WaitAsync(TimeSpan.FromSeconds(2)); } catch (Exception) { } }
        try
        {
            // A clean stop: this node's users are gone (their QUITs went out as they were disconnected).
            await Db.SetRemoveAsync(ClusterKeys.Nodes, Id).WaitAsync(TimeSpan.FromSeconds(1));
            await Db.KeyDeleteAsync(ClusterKeys.Heartbeat(Id)).WaitAsync(TimeSpan.FromSeconds(1));
        }
        catch (Exception e) when (e is RedisException or TimeoutException) { }
        await _redis.CloseAsync();
        _redis.Dispose();
    }
}
