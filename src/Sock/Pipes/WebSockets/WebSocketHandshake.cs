using System.Security.Cryptography;
using System.Text;

namespace Sock.Pipes.WebSockets;

/// <summary>A client's upgrade request as far as the server needs it, or why it is refused.</summary>
public sealed record WebSocketUpgradeRequest(string Path, string Key, IReadOnlyList<string> Subprotocols, string? Origin, int Length);

/// <summary>
/// The server half of the RFC 6455 §4 opening handshake, as pure functions: parse a request head
/// (bounded, no exceptions for any input), compute Sec-WebSocket-Accept, build the 101 or error reply.
/// Kept apart from the socket so a fuzz harness can drive the parser.
/// </summary>
public static class WebSocketHandshake
{
    /// <summary>Largest request head accepted before answering 431.</summary>
    public const int MaxRequestHead = 16 * 1024;

    private const string Guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    /// <summary>The verdict on the bytes so far: Need (null request, 0 status), a request, or an HTTP status and reason to refuse with.</summary>
    public readonly record struct Verdict(WebSocketUpgradeRequest? Request, int Status, string Reason)
    {
        public bool Incomplete => Request is null && Status == 0;
    }

    public static Verdict Parse(ReadOnlySpan<byte> data)
    {
        var end = data.IndexOf("\r\n\r\n"u8);
        if (end < 0)
            return data.Length >= MaxRequestHead ? new(null, 431, $"request head longer than {MaxRequestHead} bytes") : default;
        var head = Encoding.Latin1.GetString(data[..end]);
        var lines = head.Split("\r\n");
        var parts = lines[0].Split(' ');
        if (parts.Length != 3 || !parts[2].StartsWith("HTTP/1.", StringComparison.Ordinal))
            return new(null, 400, "not an HTTP request");
        if (parts[0] != "GET") return new(null, 405, $"a WebSocket upgrade is a GET, not {Clip(parts[0])}");
        string? upgrade = null, connection = null, key = null, version = null, origin = null;
        var protocols = new List<string>();
        foreach (var line in lines.AsSpan(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0) return new(null, 400, "malformed header line");
            var name = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            if (name.Equals("Upgrade", StringComparison.OrdinalIgnoreCase)) upgrade = value;
            else if (name.Equals("Connection", StringComparison.OrdinalIgnoreCase)) connection = value;
            else if (name.Equals("Sec-WebSocket-Key", StringComparison.OrdinalIgnoreCase)) key = value;
            else if (name.Equals("Sec-WebSocket-Version", StringComparison.OrdinalIgnoreCase)) version = value;
            else if (name.Equals("Origin", StringComparison.OrdinalIgnoreCase)) origin = value;
            else if (name.Equals("Sec-WebSocket-Protocol", StringComparison.OrdinalIgnoreCase))
                protocols.AddRange(value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }
        if (upgrade is null || !upgrade.Contains("websocket", StringComparison.OrdinalIgnoreCase)
            || connection is null || !connection.Contains("upgrade", StringComparison.OrdinalIgnoreCase))
            return new(null, 426, "not a WebSocket upgrade (Upgrade: websocket missing)");
        if (version != "13") return new(null, 426, $"Sec-WebSocket-Version {Clip(version ?? "missing")}, expected 13");
        if (key is null || !IsKey(key)) return new(null, 400, "Sec-WebSocket-Key missing or not 16 bytes of base64");
        return new(new WebSocketUpgradeRequest(parts[1], key, protocols, origin, end + 4), 101, "");
    }

    /// <summary>Sec-WebSocket-Accept: base64(SHA-1(key + the RFC's GUID)).</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5350", Justification = "RFC 6455 §4.2.2 fixes SHA-1 here; it proves the server read the key, it protects nothing")]
    public static string Accept(string key) =>
        Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + Guid)));

    public static byte[] SwitchingProtocols(string key, string? subprotocol) => Encoding.ASCII.GetBytes(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + $"Sec-WebSocket-Accept: {Accept(key)}\r\n"
        + (subprotocol is null ? "" : $"Sec-WebSocket-Protocol: {subprotocol}\r\n") + "\r\n");

    public static byte[] Refusal(int status, string reason)
    {
        var body = $"sock: {reason}\n";
        var phrase = status switch
        {
            400 => "Bad Request", 404 => "Not Found", 405 => "Method Not Allowed", 426 => "Upgrade Required",
            431 => "Request Header Fields Too Large", _ => "Error",
        };
        return Encoding.UTF8.GetBytes($"HTTP/1.1 {status} {phrase}\r\n"
            + (status == 426 ? "Sec-WebSocket-Version: 13\r\n" : "")
            + $"Content-Type: text/plain; charset=utf-8\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\nConnection: close\r\n\r\n{body}");
    }

    private static bool IsKey(string key)
    {
        Span<byte> decoded = stackalloc byte[24];
        return Convert.TryFromBase64String(key, decoded, out var n) && n == 16;
    }

    private static string Clip(string s) => s.Length > 32 ? s[..32] + "…" : s;
}
