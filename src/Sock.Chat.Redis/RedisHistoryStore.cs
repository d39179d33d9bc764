using System.Globalization;
using StackExchange.Redis;
using Sock.Chat.Storage;

namespace Sock.Chat.Cluster;

/// <summary>
/// History in Redis Streams, the same from every node: a room's kept events are written by the room
/// script (so <see cref="Append"/> has nothing to do for rooms); a private conversation's by the
/// sender's node. An entry's id is its room offset, which is also its sequence here.
/// </summary>
internal sealed class RedisHistoryStore(ClusterNode node, int length) : IHistoryStore
{
    public void Append(string key, ChatEvent e)
    {
        if (ChatNames.IsChannel(key) || length <= 0) return;
        var db = node.Db;
        db.StreamAdd(ClusterKeys.History(key), "e", ClusterJson.Write(WireEvent.Of(e, node.Id)), maxLength: length, useApproximateMaxLength: true, flags: CommandFlags.FireAndForget);
        db.SetAdd(ClusterKeys.Conversations, key, CommandFlags.FireAndForget);
    }

    public IReadOnlyList<ChatEvent> Recent(string key, int count)
    {
        if (count <= 0) return [];
        try
        {
            var entries = node.Db.StreamRange(ClusterKeys.History(key), "-", "+", count: count, messageOrder: Order.Descending);
            var events = new List<ChatEvent>(entries.Length);
            for (var i = entries.Length - 1; i >= 0; i--)
                if (ToEvent(entries[i]) is { } e) events.Add(e);
            return events;
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            return []; // history is unavailable while Redis is; nothing is lost by not showing it
        }
    }

    public ChatEvent? Find(string key, string msgId) => Entry(key, msgId) is { } entry ? ToEvent(entry) : null;

    public bool Remove(string key, string msgId)
    {
        if (Entry(key, msgId) is not { } entry) return false;
        return node.Db.StreamDelete(ClusterKeys.History(key), [entry.Id]) > 0;
    }

    public void Forget(string key)
    {
        node.Db.KeyDelete(ClusterKeys.History(key), CommandFlags.FireAndForget);
        node.Db.SetRemove(ClusterKeys.Conversations, key, CommandFlags.FireAndForget);
    }

    public IReadOnlyList<string> Keys()
    {
        try { return [.. node.Db.SetMembers(ClusterKeys.Conversations).Select(v => (string)v!)]; }
        catch (Exception e) when (e is RedisException or TimeoutException) { return []; }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private StreamEntry? Entry(string key, string msgId)
    {
        try
        {
            foreach (var entry in node.Db.StreamRange(ClusterKeys.History(key), "-", "+", count: Math.Max(length, 1), messageOrder: Order.Descending))
                if (ClusterJson.Event((string)entry["e"]!) is { } w && w.Id == msgId) return entry;
        }
        catch (Exception e) when (e is RedisException or TimeoutException) { }
        return null;
    }

    private static ChatEvent? ToEvent(StreamEntry entry)
    {
        if (ClusterJson.Event((string)entry["e"]!) is not { } w) return null;
        var id = (string)entry.Id!;
        var sequence = long.Parse(id.AsSpan(0, id.IndexOf('-')), CultureInfo.InvariantCulture);
        return w.ToEvent(sequence, null, replay: true);
    }
}
