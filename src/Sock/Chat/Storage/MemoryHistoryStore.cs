using System.Collections.Concurrent;

namespace Sock.Chat.Storage;

/// <summary>The last N messages of each room, in memory.</summary>
public sealed class MemoryHistoryStore(int perRoom) : IHistoryStore
{
    private readonly ConcurrentDictionary<string, Queue<ChatEvent>> _rooms = new(StringComparer.OrdinalIgnoreCase);

    public void Append(ChatEvent e)
    {
        if (perRoom <= 0 || e.Target is null) return;
        var q = _rooms.GetOrAdd(e.Target, _ => new Queue<ChatEvent>());
        var replay = new ChatEvent
        {
            Kind = e.Kind,
            Sequence = e.Sequence,
            Time = e.Time,
            From = e.From,
            FromPrefix = e.FromPrefix,
            Target = e.Target,
            Text = e.Text,
            IsReplay = true,
        };
        lock (q)
        {
            q.Enqueue(replay);
            while (q.Count > perRoom) q.Dequeue();
        }
    }

    public IReadOnlyList<ChatEvent> Recent(string room, int count)
    {
        if (count <= 0 || !_rooms.TryGetValue(room, out var q)) return [];
        lock (q) return [.. q.Skip(Math.Max(0, q.Count - count))];
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
