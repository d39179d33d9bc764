using System.Collections.Concurrent;

namespace Sock.Chat.Storage;

/// <summary>The last N messages under each key, in memory.</summary>
public sealed class MemoryHistoryStore(int perKey) : IHistoryStore
{
    private readonly ConcurrentDictionary<string, List<ChatEvent>> _keys = new(StringComparer.OrdinalIgnoreCase);

    public void Append(string key, ChatEvent e)
    {
        if (perKey <= 0) return;
        var list = _keys.GetOrAdd(key, _ => []);
        var kept = e.IsReplay ? e : e.ForHistory();
        lock (list)
        {
            list.Add(kept);
            // Trim in steps of a tenth so a full room does not shift the list on every message.
            if (list.Count > perKey + Math.Max(1, perKey / 10)) list.RemoveRange(0, list.Count - perKey);
        }
    }

    public IReadOnlyList<ChatEvent> Recent(string key, int count)
    {
        if (count <= 0 || !_keys.TryGetValue(key, out var list)) return [];
        lock (list)
        {
            var n = Math.Min(Math.Min(count, perKey), list.Count);
            return list.GetRange(list.Count - n, n);
        }
    }

    public ChatEvent? Find(string key, string msgId)
    {
        if (!_keys.TryGetValue(key, out var list)) return null;
        lock (list) return list.Find(e => e.MsgId == msgId);
    }

    public bool Remove(string key, string msgId)
    {
        if (!_keys.TryGetValue(key, out var list)) return false;
        lock (list) return list.RemoveAll(e => e.MsgId == msgId) > 0;
    }

    public void Forget(string key) => _keys.TryRemove(key, out _);

    public IReadOnlyList<string> Keys() => [.. _keys.Keys];

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
