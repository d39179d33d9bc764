namespace Sock.Net.Proxy;

/// <summary>The proxy protocols a client can tunnel through.</summary>
public enum ProxyType { Socks5, Socks4, Http }

/// <summary>
/// A proxy to connect through: where it is, which protocol, and optional credentials (RFC 1929 for
/// SOCKS5, the user id for SOCKS4, Basic for HTTP).
/// </summary>
public sealed record ProxySettings(string Host, int Port, ProxyType Type, string? User = null, string? Password = null)
{
    /// <summary>"127.0.0.1:1080", as the proxy is named in errors.</summary>
    public string Display => Connector.Display(Host, Port);

    public string TypeName => Type switch { ProxyType.Socks5 => "SOCKS5", ProxyType.Socks4 => "SOCKS4", _ => "HTTP" };

    /// <summary>
    /// The proxy this one is reached through (a chain: <c>--proxy A --proxy B</c> is B with Via = A), or
    /// null when it is connected to directly.
    /// </summary>
    public ProxySettings? Via { get; init; }

    /// <summary>The hops from the first one connected to, to this one.</summary>
    public IReadOnlyList<ProxySettings> Hops
    {
        get
        {
            var hops = new List<ProxySettings>();
            for (var p = this; p is not null; p = p.Via) hops.Insert(0, p);
            return hops;
        }
    }

    /// <summary>"SOCKS5 proxy 127.0.0.1:1080" or, for a chain, "SOCKS5 proxy 127.0.0.1:1080, HTTP proxy 127.0.0.1:3128".</summary>
    public string Description => string.Join(", ", Hops.Select(h => $"{h.TypeName} proxy {h.Display}"));

    /// <summary>
    /// One proxy reached through the ones before it: <paramref name="hops"/> in the order they are
    /// connected (the first is dialled directly, each next one through the previous). Null for none.
    /// </summary>
    public static ProxySettings? Chain(IEnumerable<ProxySettings> hops)
    {
        ArgumentNullException.ThrowIfNull(hops);
        ProxySettings? last = null;
        foreach (var hop in hops) last = hop with { Via = last };
        return last;
    }

    /// <summary>The port a proxy of this type usually listens on (ncat's defaults).</summary>
    public static int DefaultPort(ProxyType type) => type == ProxyType.Http ? 3128 : 1080;

    /// <summary>
    /// Parses <c>HOST[:PORT]</c> (IPv6 as <c>[ADDR]:PORT</c>) or a URL <c>socks5://[USER:PASS@]HOST:PORT</c>
    /// (<c>socks5h</c>, <c>socks4</c>, <c>socks4a</c>, <c>http</c>). A URL's scheme decides the type;
    /// otherwise <paramref name="type"/> does (HTTP when null, as with ncat). Bad input is an ArgumentException.
    /// </summary>
    public static ProxySettings Parse(string text, ProxyType? type = null, string? auth = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var rest = text.Trim();
        string? user = null, password = null;
        var scheme = rest.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            var fromUrl = rest[..scheme].ToLowerInvariant() switch
            {
                "socks5" or "socks5h" or "socks" => ProxyType.Socks5,
                "socks4" or "socks4a" => ProxyType.Socks4,
                "http" or "https" => ProxyType.Http,
                var s => throw new ArgumentException($"proxy '{text}': unknown scheme '{s}' (socks5, socks4, http)"),
            };
            if (type is { } t && t != fromUrl)
                throw new ArgumentException($"proxy '{text}' is {fromUrl.ToString().ToLowerInvariant()} but --proxy-type says {t.ToString().ToLowerInvariant()}");
            type = fromUrl;
            rest = rest[(scheme + 3)..].TrimEnd('/');
            var at = rest.LastIndexOf('@');
            if (at >= 0)
            {
                (user, password) = SplitAuth(Uri.UnescapeDataString(rest[..at]), "proxy URL");
                rest = rest[(at + 1)..];
            }
        }
        var kind = type ?? ProxyType.Http;
        if (auth is not null) (user, password) = SplitAuth(auth, "--proxy-auth");
        var (host, port) = SplitHostPort(rest, DefaultPort(kind), text);
        return new ProxySettings(host, port, kind, user, password);
    }

    /// <summary>
    /// The proxy named by <c>ALL_PROXY</c>, else <c>HTTPS_PROXY</c> (either case), for <c>--proxy env</c>:
    /// read only when asked, never silently. Null when neither is set.
    /// </summary>
    public static ProxySettings? FromEnvironment(Func<string, string?>? read = null)
    {
        read ??= Environment.GetEnvironmentVariable;
        foreach (var name in new[] { "ALL_PROXY", "all_proxy", "HTTPS_PROXY", "https_proxy" })
            if (read(name) is { Length: > 0 } value) return Parse(value);
        return null;
    }

    /// <summary>The same proxy with <c>USER:PASS</c> credentials (from --proxy-auth).</summary>
    public ProxySettings WithCredentials(string auth)
    {
        var (user, password) = SplitAuth(auth, "--proxy-auth");
        return this with { User = user, Password = password };
    }

    public static ProxyType ParseType(string text) => text.ToLowerInvariant() switch
    {
        "socks5" or "socks5h" => ProxyType.Socks5,
        "socks4" or "socks4a" => ProxyType.Socks4,
        "http" => ProxyType.Http,
        _ => throw new ArgumentException($"--proxy-type '{text}' is not socks5, socks4 or http"),
    };

    private static (string, string) SplitAuth(string text, string what)
    {
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0) throw new ArgumentException($"{what} wants USER:PASS");
        var (user, password) = (text[..colon], text[(colon + 1)..]);
        // RFC 1929 carries each in one length byte.
        if (user.Length > 255 || password.Length > 255) throw new ArgumentException($"{what}: user and password are at most 255 bytes each");
        return (user, password);
    }

    private static (string Host, int Port) SplitHostPort(string text, int defaultPort, string original)
    {
        string host;
        string? port = null;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0) throw new ArgumentException($"proxy '{original}': missing ']'");
            host = text[1..close];
            if (close + 1 < text.Length)
            {
                if (text[close + 1] != ':') throw new ArgumentException($"proxy '{original}' is not HOST:PORT");
                port = text[(close + 2)..];
            }
        }
        else
        {
            var colon = text.LastIndexOf(':');
            if (colon >= 0 && text.IndexOf(':', StringComparison.Ordinal) != colon) (host, port) = (text, null); // bare IPv6
            else if (colon >= 0) (host, port) = (text[..colon], text[(colon + 1)..]);
            else host = text;
        }
        if (host.Length == 0) throw new ArgumentException($"proxy '{original}' has no host");
        if (port is null) return (host, defaultPort);
        if (int.TryParse(port, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var p) && p is >= 1 and <= 65535)
            return (host, p);
        throw new ArgumentException($"proxy '{original}': '{port}' is not a port number (1-65535)");
    }
}
