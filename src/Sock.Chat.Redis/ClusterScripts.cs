namespace Sock.Chat.Cluster;

/// <summary>
/// The Lua the cluster runs in Redis. As in Centrifugo's Redis engine, one script takes a room's next
/// offset, appends the event to the room's stream and publishes it, so every node sees one order and
/// a node that missed a publication finds the event in the stream.
/// </summary>
internal static class ClusterScripts
{
    /// <summary>
    /// A room's events, in order (one or more: <see cref="ClusterOutbox"/> batches what waited behind the
    /// previous call). KEYS: state, log, history, members (one hash tag). ARGV: epoch proposal (new for
    /// every call), log length, history length, channel, event count, the epoch and last offset the
    /// calling node has seen of the room; then per event: payload, keep ('1': into history),
    /// member-op count, state-op count, the member ops (field, value; '' deletes), the state fields
    /// (field, value). The events take consecutive offsets; one publication carries them all,
    /// "R epoch first-offset payload[\npayload…]" (JSON has no raw newline). Returns { epoch, first-offset }.
    /// The epoch is the room record's lineage, "ID.BASE": its offsets count on from BASE. A new one
    /// starts when the record is new (a new room, or a Redis that came back empty) and when the
    /// record went backwards (the caller saw a higher offset of this very epoch: a Redis restarted
    /// from an older snapshot, a replica that had not caught up). Nodes cannot mistake its events
    /// for ones they already delivered, which reuse of the old offsets would make them drop.
    /// </summary>
    public const string RoomEvents = """
        local epoch = redis.call('HGET', KEYS[1], 'epoch')
        local off = tonumber(redis.call('HGET', KEYS[1], 'offset') or '0')
        if not epoch or (epoch == ARGV[6] and off < tonumber(ARGV[7])) then
          epoch = ARGV[1] .. '.' .. off
          redis.call('HSET', KEYS[1], 'epoch', epoch)
        end
        local n = tonumber(ARGV[5])
        redis.call('HSET', KEYS[1], 'offset', off + n)
        local first = off + 1
        local payloads = {}
        local i = 8
        for k = 1, n do
          local payload, keep = ARGV[i], ARGV[i + 1]
          local members, state = tonumber(ARGV[i + 2]), tonumber(ARGV[i + 3])
          i = i + 4
          off = off + 1
          local id = off .. '-0'
          redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], id, 'e', payload)
          if keep == '1' and tonumber(ARGV[3]) > 0 then
            redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[3], id, 'e', payload)
          end
          for _ = 1, members do
            if ARGV[i + 1] == '' then redis.call('HDEL', KEYS[4], ARGV[i]) else redis.call('HSET', KEYS[4], ARGV[i], ARGV[i + 1]) end
            i = i + 2
          end
          for _ = 1, state do
            redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
            i = i + 2
          end
          payloads[k] = payload
        end
        redis.call('PUBLISH', ARGV[4], 'R ' .. epoch .. ' ' .. first .. ' ' .. table.concat(payloads, '\n'))
        return { epoch, first }
        """;

    /// <summary>
    /// After Redis was away: has a room's record gone backwards? KEYS: state. ARGV: the epoch and last
    /// offset this node has seen, an epoch proposal. When Redis has that epoch with a lower offset (it
    /// came back from an older snapshot, or a replica that had not caught up took over) a new epoch
    /// starts at Redis's offset, as the room script would start it. Returns { epoch or '', 1 if it started one }.
    /// </summary>
    public const string RoomCheck = """
        local epoch = redis.call('HGET', KEYS[1], 'epoch')
        if not epoch then return { '', 0 } end
        local off = tonumber(redis.call('HGET', KEYS[1], 'offset') or '0')
        if epoch == ARGV[1] and off < tonumber(ARGV[2]) then
          epoch = ARGV[3] .. '.' .. off
          redis.call('HSET', KEYS[1], 'epoch', epoch)
          return { epoch, 1 }
        end
        return { epoch, 0 }
        """;

    /// <summary>A room as it is now, read at one instant: its state hash (offset included) and its members.</summary>
    public const string RoomSnapshot = """
        return { redis.call('HGETALL', KEYS[1]), redis.call('HGETALL', KEYS[2]) }
        """;

    /// <summary>
    /// A nick claimed cluster-wide. KEYS: users. ARGV: new folded nick, user record, old folded nick ('' at
    /// registration), channel, notice. Of two nodes racing for one nick exactly one gets 1.
    /// </summary>
    public const string ClaimNick = """
        if ARGV[1] ~= ARGV[3] and redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
        if ARGV[3] ~= '' and ARGV[3] ~= ARGV[1] then redis.call('HDEL', KEYS[1], ARGV[3]) end
        redis.call('PUBLISH', ARGV[4], ARGV[5])
        return 1
        """;
}
