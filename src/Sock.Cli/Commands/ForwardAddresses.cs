namespace Sock.Cli.Commands;

/// <summary>
/// socat-style addresses for `sock forward`: <c>ws-listen:[ADDR:]PORT</c> or <c>tcp-listen:[ADDR:]PORT</c>
/// first, then <c>tcp:HOST:PORT</c> or a <c>ws://</c>/<c>wss://</c> URL, rewritten into the positional
/// form and flags (<c>--listen-ws</c>, <c>--to-ws</c>). Anything else is left as it is.
/// </summary>
internal static class ForwardAddresses
{
    public static (string[] Args, bool ListenWs, string? ToWs) Rewrite(string[] args)
    {
        if (args.Length != 2) return (args, false, null);
        var (from, to) = (args[0], args[1]);
        bool listenWs;
        if (from.StartsWith("ws-listen:", StringComparison.OrdinalIgnoreCase)) listenWs = true;
        else if (from.StartsWith("tcp-listen:", StringComparison.OrdinalIgnoreCase)) listenWs = false;
        else return (args, false, null);
        var listen = SplitHostPort(from[(from.IndexOf(':', StringComparison.Ordinal) + 1)..], from, optionalHost: true);
        if (Sock.Pipes.WebSockets.WebSocketUrl.Looks(to)) return (listen, listenWs, to);
        if (!to.StartsWith("tcp:", StringComparison.OrdinalIgnoreCase))
            throw new UsageException($"forward target '{to}' is not tcp:HOST:PORT or a ws:// URL");
        var target = SplitHostPort(to[4..], to, optionalHost: false);
        return ([.. listen, .. target], listenWs, null);
    }

    private static string[] SplitHostPort(string text, string original, bool optionalHost)
    {
        var colon = text.LastIndexOf(':');
        if (colon < 0)
            return optionalHost && text.Length > 0 ? [text] : throw new UsageException($"'{original}' needs HOST:PORT");
        var host = text[..colon];
        if (host.Length == 0) throw new UsageException($"'{original}' has an empty host");
        return [host, text[(colon + 1)..]];
    }
}
