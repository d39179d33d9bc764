namespace Sock.Chat;

/// <summary>
/// MONITOR: who wants to know when which nick comes and goes. Indexed both ways (nick → watchers
/// for notifications, watcher → nicks for its list), each watcher's list bounded.
/// </summary>
public sealed class MonitorRegistry(int limit)
{
    private readonly Dictionary<string, HashSet<ChatMember>> _watchers = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<ChatMember, HashSet<string>> _lists = new(ReferenceEqualityComparer.Instance);
    private readonly Lock _gate = new();

    public int Limit => limit;

    /// <summary>Adds nicks to the member's list; returns those added, and the first refused when the list is full.</summary>
    public (IReadOnlyList<string> Added, IReadOnlyList<string> Refused) Add(ChatMember m, IEnumerable<string> nicks)
    {
        var added = new List<string>();
        var refused = new List<string>();
        lock (_gate)
        {
            if (!_lists.TryGetValue(m, out var list)) _lists[m] = list = new(StringComparer.OrdinalIgnoreCase);
            foreach (var nick in nicks)
            {
                if (list.Contains(nick)) { added.Add(nick); continue; }
                if (list.Count >= limit) { refused.Add(nick); continue; }
                list.Add(nick);
                if (!_watchers.TryGetValue(nick, out var w)) _watchers[nick] = w = new(ReferenceEqualityComparer.Instance);
                w.Add(m);
                added.Add(nick);
            }
        }
        return (added, refused);
    }

    public void Remove(ChatMember m, IEnumerable<string> nicks)
    {
        lock (_gate)
        {
            if (!_lists.TryGetValue(m, out var list)) return;
            foreach (var nick in nicks)
                if (list.Remove(nick)) Unwatch(nick, m);
        }
    }

    public void Clear(ChatMember m)
    {
        lock (_gate)
        {
            if (!_lists.Remove(m, out var list)) return;
            foreach (var nick in list) Unwatch(nick, m);
        }
    }

    public IReadOnlyList<string> List(ChatMember m)
    {
        lock (_gate) return _lists.TryGetValue(m, out var list) ? [.. list] : [];
    }

    /// <summary>Who watches <paramref name="nick"/> (a snapshot; empty for most nicks, without allocating).</summary>
    public IReadOnlyList<ChatMember> WatchersOf(string nick)
    {
        lock (_gate) return _watchers.TryGetValue(nick, out var w) ? [.. w] : [];
    }

    private void Unwatch(string nick, ChatMember m)
    {
        if (_watchers.TryGetValue(nick, out var w) && w.Remove(m) && w.Count == 0) _watchers.Remove(nick);
    }
}
