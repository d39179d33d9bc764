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
    /// previous call). KEYS: state, log, history, members (one hash tag). ARGV: epoch proposal, log
    /// length, history length, channel, event count; then per event: payload, keep ('1': into history),
    /// member-op count, state-op count, the member ops (field, value; '' deletes), the state fields
    /// (field, value). The events take consecutive offsets; one publication carries them all,
    /// "R epoch first-offset payload[\npayload…]" (JSON has no raw newline). The epoch tells nodes that
    /// a room's offsets started again (Redis lost its data).
    /// </summary>
    public const string RoomEvents = """
        redis.call('HSETNX', KEYS[1], 'epoch', ARGV[1])
        local epoch = redis.call('HGET', KEYS[1], 'epoch')
        local n = tonumber(ARGV[5])
        local off = redis.call('HINCRBY', KEYS[1], 'offset', n) - n
        local first = off + 1
        local payloads = {}
        local i = 6
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
        return first
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
