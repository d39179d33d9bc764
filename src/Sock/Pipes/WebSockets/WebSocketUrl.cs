using System.Globalization;

namespace Sock.Pipes.WebSockets;

/// <summary>A parsed <c>ws://HOST[:PORT]/PATH</c> or <c>wss://…</c>: where to connect and what to ask for.</summary>
public sealed record WebSocketUrl(bool Secure, string Host, int Port, string PathAndQuery)
{
    /// <summary>True for text that names a WebSocket URL (so `sock connect ws://…` takes it instead of HOST PORT).</summary>
    public static bool Looks(string text) =>
        text.StartsWith("ws://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("wss://", StringComparison.OrdinalIgnoreCase);

    /// <summary>"ws://127.0.0.1:8080/chat" as given back in messages.</summary>
    public override string ToString() =>
        $"{(Secure ? "wss" : "ws")}://{Sock.Net.Connector.Display(Host, Port)}{PathAndQuery}";

    /// <summary>Parses the URL; an ArgumentException says what is wrong with it.</summary>
    public static WebSocketUrl Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!Looks(text)) throw new ArgumentException($"'{text}' is not a ws:// or wss:// URL");
        var secure = text.StartsWith("wss://", StringComparison.OrdinalIgnoreCase);
        var rest = text[(secure ? 6 : 5)..];
        var slash = rest.IndexOfAny(['/', '?']);
        var authority = slash < 0 ? rest : rest[..slash];
        var path = slash < 0 ? "/" : rest[slash..];
        if (path.StartsWith('?')) path = "/" + path;
        var hash = path.IndexOf('#', StringComparison.Ordinal);
        if (hash >= 0) path = path[..hash];
        if (authority.Contains('@', StringComparison.Ordinal)) throw new ArgumentException($"'{text}': credentials in a WebSocket URL are not supported; use --header 'Authorization: …'");
        string host;
        string? port = null;
        if (authority.StartsWith('['))
        {
            var close = authority.IndexOf(']', StringComparison.Ordinal);
            if (close < 0) throw new ArgumentException($"'{text}': missing ']'");
            host = authority[1..close];
            if (close + 1 < authority.Length)
            {
                if (authority[close + 1] != ':') throw new ArgumentException($"'{text}': unexpected text after ']'");
                port = authority[(close + 2)..];
            }
        }
        else
        {
            var colon = authority.LastIndexOf(':');
            (host, port) = colon < 0 ? (authority, null) : (authority[..colon], authority[(colon + 1)..]);
        }
        if (host.Length == 0) throw new ArgumentException($"'{text}' has no host");
        var number = secure ? 443 : 80;
        if (port is not null && (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out number) || number is < 1 or > 65535))
            throw new ArgumentException($"'{text}': '{port}' is not a port number (1-65535)");
        foreach (var c in path)
            if (c <= ' ' || c == 0x7F) throw new ArgumentException($"'{text}': the path has a space or control character (percent-encode it)");
        return new WebSocketUrl(secure, host, number, path);
    }
}
