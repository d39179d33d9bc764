namespace Sock.Chat;

/// <summary>Who a nick was, for WHOWAS: recorded when a member quits or changes nick.</summary>
public sealed record WhoWasEntry(string Nick, string UserName, string Host, string RealName, DateTimeOffset Time, string? Account);

/// <summary>The last <c>capacity</c> departures, newest first on lookup; bounded so it never grows.</summary>
public sealed class WhoWasLog(int capacity)
{
    private readonly LinkedList<WhoWasEntry> _entries = new();
    private readonly Lock _gate = new();

    public void Record(ChatMember m)
    {
        if (capacity <= 0) return;
        var e = new WhoWasEntry(m.Nick, m.UserName, m.Host, m.RealName, DateTimeOffset.UtcNow, m.Account);
        lock (_gate)
        {
            _entries.AddFirst(e);
            while (_entries.Count > capacity) _entries.RemoveLast();
        }
    }

    /// <summary>Entries for <paramref name="nick"/>, newest first, at most <paramref name="count"/> (≤ 0: all).</summary>
    public IReadOnlyList<WhoWasEntry> Find(string nick, int count)
    {
        lock (_gate)
        {
            var found = _entries.Where(e => string.Equals(e.Nick, nick, StringComparison.OrdinalIgnoreCase));
            return [.. count > 0 ? found.Take(count) : found];
        }
    }
}
