using StackExchange.Redis;

namespace Sock.Chat.Cluster;

/// <summary>
/// What this node hands to Redis for the others (room events, node notices, membership records), in
/// the order it was handed over, with one batch in flight at a time. While a batch is on its way, what
/// comes next waits here and goes as the next batch: the consecutive events of one room in one room
/// script call. An idle node sends each event at once; a busy one sends fewer, larger calls. A script
/// call costs Redis about three times the work the event itself needs (bench/cluster.sh, Redis's
/// commandstats: 38 µs per EVALSHA against 11 µs for its XADDs, HINCRBY and PUBLISH), and each
/// publication is read and dispatched by every node, so batches are what let Redis and the nodes keep
/// up with a busy room. One queue for everything keeps a member's room events, quits and private
/// messages in the order they happened, as one connection did before.
/// </summary>
internal sealed class ClusterOutbox(ClusterNode node)
{
    /// <summary>Room events per script call at most: one call runs alone in Redis, so keep each short.</summary>
    public const int MaxEventsPerCall = 64;

    /// <summary>
    /// One room event: its part of the room script's arguments, what to do when Redis sequenced it (the
    /// epoch and offset it got) and what to do if Redis never did.
    /// </summary>
    internal sealed record RoomEvent(string Room, RedisValue[] Args, Action<string, long>? Sequenced, Action Refused);

    private readonly object _lock = new(); // an object, not a Lock: WaitIdle waits on it with Monitor
    private List<object> _queue = [];
    private bool _busy;

    /// <summary>A room event (under its room's lock, so a room's events enter in the room's order).</summary>
    public void Add(RoomEvent e) => Enqueue(e);

    /// <summary>A command whose place in the order matters but whose answer does not (fire and forget).</summary>
    public void Add(Action<IDatabase> command) => Enqueue(command);

    /// <summary>Waits (at most <paramref name="timeout"/>) until everything handed over so far has been answered.</summary>
    public void WaitIdle(TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        lock (_lock)
            while (_busy && until - DateTime.UtcNow is var left && left > TimeSpan.Zero)
                Monitor.Wait(_lock, left);
    }

    private void Enqueue(object item)
    {
        lock (_lock)
        {
            _queue.Add(item);
            if (_busy) return;
            _busy = true;
        }
        Drain();
    }

    /// <summary>Sends what waits, then again when that is answered, until nothing waits.</summary>
    private void Drain()
    {
        while (true)
        {
            List<object> batch;
            lock (_lock)
            {
                if (_queue.Count == 0)
                {
                    _busy = false;
                    Monitor.PulseAll(_lock);
                    return;
                }
                (batch, _queue) = (_queue, []);
            }
            var last = Send(batch);
            if (last is null || last.IsCompleted) continue;
            // Calls on one connection are answered in order: when the last one is, so are the others.
            last.ContinueWith(static (_, s) => ((ClusterOutbox)s!).Drain(), this, CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            return;
        }
    }

    /// <summary>Issues one batch in order; the last room script call's task (null when there was none).</summary>
    private Task? Send(List<object> batch)
    {
        Task? last = null;
        var db = node.Db;
        for (var i = 0; i < batch.Count;)
        {
            if (batch[i] is Action<IDatabase> command)
            {
                // Fire and forget; one that cannot even be issued (the connection is being disposed) is dropped, as it would be in flight.
                try { command(db); }
                catch (Exception e) when (e is RedisException or ObjectDisposedException or InvalidOperationException) { }
                i++;
                continue;
            }
            var first = (RoomEvent)batch[i];
            var n = 1;
            while (i + n < batch.Count && n < MaxEventsPerCall && batch[i + n] is RoomEvent next && next.Room == first.Room) n++;
            last = Call(db, batch, i, n);
            i += n;
        }
        return last;
    }

    /// <summary>One room script call for <paramref name="n"/> consecutive events of one room.</summary>
    private Task<RedisResult> Call(IDatabase db, List<object> batch, int start, int n)
    {
        var room = ((RoomEvent)batch[start]).Room;
        // What this node has seen of the room: Redis starts a new epoch if it has less (it went backwards).
        var (seenEpoch, seenLast) = ((RedisRoomFeed)node.Feed).Seen(room);
        var args = new List<RedisValue>(7 + n * 6)
        {
            RedisRoomFeed.NewEpoch(), RedisRoomFeed.LogLength, node.Options.HistoryLength, ClusterKeys.Bus, n, seenEpoch, seenLast,
        };
        var events = new RoomEvent[n];
        for (var k = 0; k < n; k++)
        {
            events[k] = (RoomEvent)batch[start + k];
            args.AddRange(events[k].Args);
        }
        RedisKey[] keys = [ClusterKeys.RoomState(room), ClusterKeys.RoomLog(room), ClusterKeys.History(room), ClusterKeys.RoomMembers(room)];
        Task<RedisResult> call;
        // A call that cannot be issued at all fails like one that Redis never answered; the outbox goes on.
        try { call = db.ScriptEvaluateAsync(ClusterScripts.RoomEvents, keys, [.. args]); }
        catch (Exception e) when (e is RedisException or ObjectDisposedException or InvalidOperationException) { call = Task.FromException<RedisResult>(e); }
        call.ContinueWith(static (t, s) =>
        {
            // Not sequenced, so no node delivers them: each sender is told rather than left to wonder.
            var events = (RoomEvent[])s!;
            if (t.IsFaulted || t.IsCanceled)
                foreach (var e in events) e.Refused();
            else if (t.Result.Resp2Type == ResultType.Array && (RedisResult[])t.Result! is [var epoch, var first])
                for (var k = 0; k < events.Length; k++) events[k].Sequenced?.Invoke((string)epoch!, (long)first + k);
        }, events, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return call;
    }
}
