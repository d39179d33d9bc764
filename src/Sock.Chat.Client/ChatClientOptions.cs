namespace Sock.Chat.Client;

/// <summary>How to reach the server and who to be there.</summary>
public sealed record ChatClientOptions
{
    public required string Host { get; init; }
    public int Port { get; init; } = DefaultPort;
    public string Nick { get; init; } = "guest";
    /// <summary>Rooms to join once registered (and to rejoin after a reconnect, with any joined since).</summary>
    public IReadOnlyList<string> Rooms { get; init; } = ["#lobby"];
    public bool Tls { get; init; }
    /// <summary>With <see cref="Tls"/>: accept a certificate no CA vouches for; it is still pinned on first use.</summary>
    public bool Insecure { get; init; }
    /// <summary>Where trust-on-first-use fingerprints live (null: no pinning).</summary>
    public string? KnownServersFile { get; init; }
    /// <summary>Where accepted DCC files are written.</summary>
    public string DownloadDirectory { get; init; } = ".";
    /// <summary>First reconnect delay; doubled after each failed attempt up to <see cref="ReconnectMaxDelay"/>.</summary>
    public TimeSpan ReconnectDelay { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan ReconnectMaxDelay { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>How often the lag is measured with a PING; a connection silent for three of these is dropped.</summary>
    public TimeSpan PingInterval { get; init; } = TimeSpan.FromSeconds(15);
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>Reach the server through this SOCKS or HTTP proxy (which resolves its name).</summary>
    public Sock.Net.Proxy.ProxySettings? Proxy { get; init; }
    public string RealName { get; init; } = "sock chat";

    /// <summary>The port of <c>sock chat serve</c>.</summary>
    public const int DefaultPort = 4323;

    /// <summary>Parses <c>HOST[:PORT]</c>, <c>[v6]:PORT</c> or a bare IPv6 address.</summary>
    public static (string Host, int Port) ParseEndpoint(string value, int defaultPort = DefaultPort)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        if (value.StartsWith('['))
        {
            var close = value.IndexOf(']', StringComparison.Ordinal);
            if (close < 0) throw new ArgumentException($"bad address '{value}': missing ']'");
            var host = value[1..close];
            var rest = value[(close + 1)..];
            if (rest.Length == 0) return (host, defaultPort);
            if (!rest.StartsWith(':')) throw new ArgumentException($"bad address '{value}'");
            return (host, ParsePort(rest[1..], value));
        }
        var colon = value.LastIndexOf(':');
        if (colon < 0 || value.IndexOf(':', StringComparison.Ordinal) != colon) return (value, defaultPort);
        return (value[..colon], ParsePort(value[(colon + 1)..], value));
    }

    private static int ParsePort(string text, string whole) =>
        int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536
            ? port
            : throw new ArgumentException($"bad port in '{whole}': expected 1-65535");
}
