namespace Sock.Fuzz;

/// <summary>One harness: a network parser fed raw bytes. Anything it throws is a finding.</summary>
public sealed record Harness(string Name, string Description, Action<byte[]> Run);

/// <summary>
/// Every harness, by name (the corpus folder fuzz/corpus/NAME and fuzz/run use the same names).
/// Each catches exactly what the production caller catches, so only a real bug escapes.
/// </summary>
public static class Harnesses
{
    public static readonly IReadOnlyList<Harness> All =
    [
        new("irc-message", "IrcMessage.Parse on each line (the server's decode), then Format", IrcMessageHarness.Run),
        new("plain-lines", "telnet filter + line framer over chunked bytes, with the framer's invariants", PlainLinesHarness.Run),
        new("plain-session", "a PlainSession fed the bytes through a real hub (slash commands)", SessionHarness.Plain),
        new("irc-session", "a registered IrcSession in #fuzz fed the bytes as lines (every command)", SessionHarness.Irc),
        new("chathistory", "each line after 'CHATHISTORY ' to a session with history in #fuzz", SessionHarness.ChatHistory),
        new("mode", "each line after 'MODE ' to the operator of #fuzz (room and user modes)", SessionHarness.Mode),
        new("http-detect", "the chat port's protocol detector (HTTP request line, IRC, plain) on growing prefixes", HttpDetectHarness.Run),
        new("websocket", "server-side WebSocket frames through WebSocketLineStream", WebSocketHarness.Run),
        new("transfer-receive", "a receiver's side of the transfer wire format (hello, manifest, data) into a sandbox", TransferHarness.Receive),
        new("transfer-send", "a sender's reading of PLAN and RESULT frames", TransferHarness.Send),
        new("dcc", "CTCP DCC SEND offers and RESUME/ACCEPT messages, then the file-name rules", DccHarness.Run),
        new("proxy", "SOCKS4, SOCKS5 and HTTP CONNECT replies, read the way the handshake reads them", ProxyHarness.Run),
        new("cluster-bus", "a cluster node's reading of the Redis bus: the room event header, then the event's JSON", ClusterBusHarness.Run),
    ];

    public static Harness? Find(string name) => All.FirstOrDefault(h => h.Name == name);
}

/// <summary>A broken invariant (not an exception the production code would catch).</summary>
public sealed class FuzzFindingException : Exception
{
    public FuzzFindingException(string message) : base(message) { }

    public FuzzFindingException() { }

    public FuzzFindingException(string message, Exception inner) : base(message, inner) { }
}
