using System.CommandLine;
using Sock.Transfer;
using Sock.Wormhole;

namespace Sock.Cli.Commands;

/// <summary>The `--wormhole` side of send and recv: magic-wormhole's mailbox and transit, rendered like the other transfers.</summary>
internal static class WormholeCli
{
    /// <summary>magic-wormhole's public transit relay, its default too.</summary>
    public const string DefaultTransitHelper = "tcp:transit.magic-wormhole.io:4001";

    internal sealed class Options
    {
        public Option<bool> Wormhole { get; } = new("--wormhole") { Description = "Speak magic-wormhole's protocol: a code phrase, its mailbox server and transit relay (talks to `wormhole send`/`receive`)" };
        public Option<string?> Url { get; } = new("--wormhole-url") { HelpName = "URL", Description = "The mailbox server for --wormhole (default: $SOCK_WORMHOLE, else magic-wormhole's public one)" };
        public Option<string?> TransitHelper { get; } = new("--transit-helper") { HelpName = "tcp:HOST:PORT", Description = "The transit relay for --wormhole (default: magic-wormhole's public one)" };
        public Option<bool> NoListen { get; } = new("--no-listen") { Description = "With --wormhole: offer no direct connection (the other side or the relay connects)" };

        public void AddTo(Command command)
        {
            command.Options.Add(Wormhole);
            command.Options.Add(Url);
            command.Options.Add(TransitHelper);
            command.Options.Add(NoListen);
        }

        /// <summary>Rejects the wormhole-only options without --wormhole.</summary>
        public void CheckUnused(ParseResult parse)
        {
            if (parse.GetValue(Url) is not null || parse.GetValue(TransitHelper) is not null || parse.GetValue(NoListen))
                throw new UsageException("--wormhole-url, --transit-helper and --no-listen go with --wormhole");
        }

        public WormholeOptions Read(ParseResult parse)
        {
            var env = Environment.GetEnvironmentVariable("SOCK_WORMHOLE");
            var url = parse.GetValue(Url) ?? (string.IsNullOrEmpty(env) ? WormholeSession.DefaultMailboxUrl : env);
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("ws" or "wss"))
                throw new UsageException($"bad mailbox URL '{url}' (ws://HOST:PORT/v1)");
            var helper = parse.GetValue(TransitHelper) ?? DefaultTransitHelper;
            var relay = TransitHint.Parse(helper) ?? throw new UsageException($"bad --transit-helper '{helper}' (tcp:HOST:PORT)");
            return new WormholeOptions(uri, [relay], Listen: !parse.GetValue(NoListen));
        }
    }

    /// <summary>Prints the code and the path taken on stderr (the code even with --json: the other person needs it).</summary>
    private sealed class Events(bool json, bool sending) : IWormholeEvents
    {
        public void Code(string code)
        {
            if (!sending) return;
            Console.Error.WriteLine($"sock: wormhole code is: {code}");
            Console.Error.WriteLine($"sock: on the other computer run: sock recv --wormhole {code}   (or: wormhole receive {code})");
        }

        public void Status(string line)
        {
            if (!json) Console.Error.WriteLine($"sock: {line}");
        }
    }

    public static async Task<int> SendAsync(List<string> paths, string? code, WormholeOptions options, bool json, CancellationToken ct)
    {
        if (paths.Count != 1) throw new UsageException("--wormhole sends one file or directory (magic-wormhole offers one at a time)");
        if (code is not null && WormholeSession.NameplateOf(code) is null) throw new UsageException($"'{code}' is not a wormhole code (like 7-guitarist-revenge)");
        if (!Path.Exists(paths[0])) throw new SockException($"{paths[0]}: no such file or directory");
        var progress = new TransferProgress();
        var summary = await TransferCli.WithProgressAsync(progress, json, "sending",
            () => WormholeTransfer.SendAsync(paths[0], code, options, new Events(json, sending: true), progress, ct));
        return TransferCli.Finish(summary, json);
    }

    public static async Task<int> ReceiveAsync(string? code, bool codeFromStdin, WormholeOptions options, ReceiveOptions receive, bool json, CancellationToken ct)
    {
        code = (code ?? await AskForCodeAsync(codeFromStdin, ct)).Trim();
        if (WormholeSession.NameplateOf(code) is null) throw new UsageException($"'{code}' is not a wormhole code (like 7-guitarist-revenge)");
        var progress = new TransferProgress();
        var (summary, text) = await TransferCli.WithProgressAsync(progress, json, "receiving",
            () => WormholeTransfer.ReceiveAsync(code, options, receive, new Events(json, sending: false), progress, ct));
        if (text is not null)
        {
            Console.Out.WriteLine(text);
            return CommandRunner.Ok;
        }
        return TransferCli.Finish(summary, json);
    }

    /// <summary>The code from the terminal (or standard input with --code-stdin), so it never sits on the command line.</summary>
    private static async Task<string> AskForCodeAsync(bool fromStdin, CancellationToken ct)
    {
        if (!fromStdin && Console.IsInputRedirected)
            throw new UsageException("give the wormhole code: sock recv --wormhole CODE, or --code-stdin to read it from standard input");
        if (!fromStdin) await Console.Error.WriteAsync("Enter wormhole code: ");
        var line = await Console.In.ReadLineAsync(ct);
        if (string.IsNullOrWhiteSpace(line)) throw new UsageException("no wormhole code given");
        return line;
    }
}
