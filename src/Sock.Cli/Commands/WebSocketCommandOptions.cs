using System.CommandLine;
using Sock.Pipes;
using Sock.Pipes.WebSockets;

namespace Sock.Cli.Commands;

/// <summary>
/// The WebSocket flags: `connect ws://…`/`wss://…`, `listen --ws [--path P]`, and `forward --listen-ws`/`--to-ws URL`
/// (or socat-style `ws-listen:PORT tcp:HOST:PORT`). Text mode by default, as websocat: a line is a message.
/// </summary>
internal sealed class WebSocketCommandOptions
{
    public Option<bool> Ws { get; } = new("--ws") { Description = "Speak WebSocket: accept one client's upgrade, then a line of input is one text message (--binary: raw chunks)" };
    public Option<string?> Path { get; } = new("--path") { Description = "WebSocket: the path clients must ask for [default: any]", HelpName = "PATH" };
    public Option<bool> Text { get; } = new("--text") { Description = "WebSocket: one text message per line, each text message received printed as a line [default]" };
    public Option<bool> Binary { get; } = new("--binary") { Description = "WebSocket: send input as binary messages as it is read; print every message as it is" };
    public Option<string[]> Header { get; } = new("--header", "-H") { Description = "WebSocket: an extra request header (repeatable)", HelpName = "'NAME: VALUE'", AllowMultipleArgumentsPerToken = false };
    public Option<string?> Origin { get; } = new("--origin") { Description = "WebSocket: the Origin header to send", HelpName = "URL" };
    public Option<string[]> Subprotocol { get; } = new("--subprotocol") { Description = "WebSocket: offer (client) or accept (server) this subprotocol (repeatable on connect)", HelpName = "NAME", AllowMultipleArgumentsPerToken = false };

    public void AddToConnect(Command command)
    {
        foreach (var o in new Option[] { Text, Binary, Header, Origin, Subprotocol }) command.Options.Add(o);
    }

    public void AddToListen(Command command)
    {
        foreach (var o in new Option[] { Ws, Path, Text, Binary, Subprotocol }) command.Options.Add(o);
    }

    /// <summary>Any WebSocket-only flag given (for "needs ws://" errors).</summary>
    public bool AnyClientFlag(ParseResult parse) =>
        parse.GetValue(Text) || parse.GetValue(Binary) || (parse.GetValue(Header)?.Length ?? 0) > 0
        || parse.GetValue(Origin) is not null || (parse.GetValue(Subprotocol)?.Length ?? 0) > 0;

    public WebSocketPumpOptions Pump(ParseResult parse)
    {
        if (parse.GetValue(Text) && parse.GetValue(Binary)) throw new UsageException("--text and --binary exclude each other");
        return new WebSocketPumpOptions { Text = !parse.GetValue(Binary) };
    }

    public WebSocketClientOptions Client(ParseResult parse, ConnectSettings connect)
    {
        var headers = new List<KeyValuePair<string, string>>();
        foreach (var h in parse.GetValue(Header) ?? [])
        {
            var colon = h.IndexOf(':', StringComparison.Ordinal);
            var name = colon > 0 ? h[..colon].Trim() : "";
            if (name.Length == 0 || name.Any(c => c <= ' ' || c > '~'))
                throw new UsageException($"--header '{h}' is not 'NAME: VALUE'");
            var value = h[(colon + 1)..].Trim();
            if (value.Any(c => c is '\r' or '\n')) throw new UsageException($"--header '{name}': the value has a line break");
            if (name.Equals("Origin", StringComparison.OrdinalIgnoreCase) || name.StartsWith("Sec-WebSocket-", StringComparison.OrdinalIgnoreCase)
                || name.Equals("Upgrade", StringComparison.OrdinalIgnoreCase) || name.Equals("Connection", StringComparison.OrdinalIgnoreCase))
                throw new UsageException($"--header {name}: set by the handshake itself (use --origin / --subprotocol)");
            headers.Add(new(name, value));
        }
        return new WebSocketClientOptions
        {
            Headers = headers,
            Origin = parse.GetValue(Origin),
            Subprotocols = parse.GetValue(Subprotocol) ?? [],
            Connect = connect,
        };
    }

    public WebSocketServerOptions Server(ParseResult parse)
    {
        var path = parse.GetValue(Path);
        if (path is not null && !path.StartsWith('/')) throw new UsageException($"--path '{path}' must start with /");
        var subprotocols = parse.GetValue(Subprotocol) ?? [];
        if (subprotocols.Length > 1) throw new UsageException("a WebSocket server accepts one --subprotocol");
        return new WebSocketServerOptions { Path = path, Subprotocol = subprotocols.FirstOrDefault() };
    }

    public static WebSocketUrl ParseUrl(string text)
    {
        try
        {
            return WebSocketUrl.Parse(text);
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }
    }

    /// <summary>Pipes stdin/stdout through an open WebSocket and reports how it closed; the exit code.</summary>
    public static async Task<int> PumpAsync(WebSocketSession session, WebSocketPumpOptions options, CancellationToken ct)
    {
        var (input, output) = PipeCommandOptions.OpenStdio();
        var result = await WebSocketPump.RunAsync(session.WebSocket, input, output, options, ct);
        PipeCommandOptions.Status($"{result.BytesOut} bytes ({result.MessagesOut} messages) out, {result.BytesIn} bytes ({result.MessagesIn} messages) in");
        if (result.Error is not null) throw new SockException(result.Error);
        var clean = WebSocketCloseCodes.IsClean(result.CloseStatus);
        if (result.ClosedByPeer)
            PipeCommandOptions.Report($"websocket closed by peer: {WebSocketCloseCodes.Describe(result.CloseStatus, result.CloseDescription)}");
        else if (!clean)
            PipeCommandOptions.Report($"websocket closed: {WebSocketCloseCodes.Describe(result.CloseStatus, result.CloseDescription)}");
        return clean ? CommandRunner.Ok : CommandRunner.Failure;
    }
}
