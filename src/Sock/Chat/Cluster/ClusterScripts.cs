namespace Sock.Chat.Cluster;

/// <summary>
/// The Lua the cluster runs in Redis. As in Centrifugo's Redis engine, one script takes a room's next
/// offset, appends the event to the room's stream and publishes it, so every node sees one order and
/// a node that missed a publication finds the event in the stream.
/// </summary>
internal static class ClusterScripts
{
    /// <summary>
    /// A room event. KEYS: state, log, history, members (one hash tag). ARGV: epoch proposal, payload,
    /// keep ('1': into history), log length, history length, channel, member-op count, then member
    /// ops (field, value; '' deletes), then state fields (field, value).
    /// The epoch tells nodes that a room's offsets started again (Redis lost its data).
    /// </summary>
    public const string RoomEvent = """
        redis.call('HSETNX', KEYS[1], 'epoch', ARGV[1])
        local epoch = redis.call('HGET', KEYS[1], 'epoch')
        local off = redis.call('HINCRBY', KEYS[1], 'offset', 1)
        local id = off .. '-0'
        redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[4], id, 'e', ARGV[2])
        if ARGV[3] == '1' and tonumber(ARGV[5]) > 0 then
          redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[5], id, 'e', ARGV[2])
        end
        local n = tonumber(ARGV[7])
        local i = 8
        for _ = 1, n do
          if ARGV[i + 1] == '' then redis.call('HDEL', KEYS[4], ARGV[i]) else redis.call('HSET', KEYS[4], ARGV[i], ARGV[i + 1]) end
          i = i + 2
        end
        while i < #ARGV do
          redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
          i = i + 2
        end
        redis.call('PUBLISH', ARGV[6], 'R ' .. epoch .. ' ' .. off .. ' ' .. ARGV[2])
        return off
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
