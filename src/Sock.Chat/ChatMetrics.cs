namespace Sock.Chat;

/// <summary>
/// The server's counters, for operators (/metrics). Incremented with one interlocked add where
/// something happens (a message accepted, a connection opened or closed), never per delivery: a
/// fan-out to N members adds N once. Gauges (rooms, members, bytes queued) are read when scraped.
/// </summary>
public sealed class ChatMetrics
{
    private long _messagesIn;
    private long _deliveries;
    private long _historyWrites;
    private readonly long[] _disconnects = new long[DisconnectReasons.Labels.Length];
    private readonly long[] _accepted = new long[ConnectionKinds.Length];

    /// <summary>Kinds of connection counted as accepted: the protocol, or the web transport.</summary>
    public static readonly string[] ConnectionKinds = ["plain", "irc", "websocket", "http"];

    public long MessagesIn => Interlocked.Read(ref _messagesIn);
    public long Deliveries => Interlocked.Read(ref _deliveries);
    public long HistoryWrites => Interlocked.Read(ref _historyWrites);

    /// <summary>One message accepted, queued to <paramref name="recipients"/> members.</summary>
    public void Said(int recipients)
    {
        Interlocked.Increment(ref _messagesIn);
        Interlocked.Add(ref _deliveries, recipients);
    }

    public void HistoryWritten() => Interlocked.Increment(ref _historyWrites);

    public void Disconnected(string reason) => Interlocked.Increment(ref _disconnects[DisconnectReasons.Classify(reason)]);

    public void Accepted(string kind)
    {
        var i = Array.IndexOf(ConnectionKinds, kind);
        if (i >= 0) Interlocked.Increment(ref _accepted[i]);
    }

    public long AcceptedCount(string kind)
    {
        var i = Array.IndexOf(ConnectionKinds, kind);
        return i < 0 ? 0 : Interlocked.Read(ref _accepted[i]);
    }

    public long DisconnectCount(string label)
    {
        var i = Array.IndexOf(DisconnectReasons.Labels, label);
        return i < 0 ? 0 : Interlocked.Read(ref _disconnects[i]);
    }
}

/// <summary>
/// Free-text disconnect reasons ("Ping timeout: 120 seconds", "Quit: bye", a KILL's text) folded
/// into a few label values, so a metric's series stay bounded whatever clients send.
/// </summary>
public static class DisconnectReasons
{
    // Reason prefix → label; the first match wins, anything else is "other".
    private static readonly (string Prefix, string Label)[] Table =
    [
        ("Connection closed", "closed"),
        ("Connection reset", "reset"),
        ("Write error", "write_error"),
        (ChatConnection.SendQueueExceeded, "sendq"),
        ("Ping timeout", "ping_timeout"),
        ("Registration timed out", "registration_timeout"),
        ("Server shutting down", "shutdown"),
        ("Quit", "quit"),
        ("Killed", "killed"),
        ("Bad password", "bad_password"),
    ];

    public static readonly string[] Labels = [.. Table.Select(t => t.Label).Distinct(), "other"];

    public static int Classify(string reason)
    {
        foreach (var (prefix, label) in Table)
            if (reason.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) return Array.IndexOf(Labels, label);
        return Labels.Length - 1;
    }
}
