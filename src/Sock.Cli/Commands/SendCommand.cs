using System.CommandLine;
using Sock.Transfer;

namespace Sock.Cli.Commands;

/// <summary>`sock send PATH… HOST:PORT | --listen PORT`: verified, resumable file and tree transfer.</summary>
internal static class SendCommand
{
    public static Command Create()
    {
        var args = new Argument<string[]>("PATH… [HOST:PORT]") { Arity = ArgumentArity.OneOrMore, Description = "Files or directories to send, then HOST:PORT unless --listen" };
        var listen = TransferCli.Listen();
        var hash = new Option<string>("--hash") { HelpName = "xxh128|sha256", Description = "Integrity hash: xxh128 (default) or sha256", DefaultValueFactory = _ => "xxh128" };
        var limit = new Option<string?>("--limit-rate") { HelpName = "RATE", Description = "Send at most this many bytes per second (suffixes K, M, G: 500K, 10M)" };
        var raw = TransferCli.Raw();
        var tls = TransferCli.Tls();
        var insecure = TransferCli.Insecure();
        var pin = TransferCli.Pin();
        var cert = TransferCli.Cert();
        var key = TransferCli.Key();
        var json = CommonOptions.Json();
        var proxy = new ProxyCommandOptions();
        var access = new AccessCommandOptions();
        var wormhole = new WormholeCli.Options();
        var code = new Option<string?>("--code") { HelpName = "CODE", Description = "With --wormhole: use this code instead of a new one (both sides type it)" };
        var command = new Command("send", "Send files and directory trees to `sock recv` (verified, resumable), or bare bytes with --raw")
        {
            args, listen, hash, limit, raw, tls, insecure, pin, cert, key, json,
        };
        proxy.AddTo(command);
        access.AddTo(command);
        wormhole.AddTo(command);
        command.Options.Add(code);
        command.WithExamples(
            "sock send report.pdf photos/ 192.168.1.20:9000",
            "sock send --wormhole photos/               # prints a code; then: wormhole receive CODE, or sock recv --wormhole CODE",
            "sock send big.iso --listen 9000            # the receiver connects: sock recv HOST:9000",
            "sock send --raw backup.tar 127.0.0.1:9000  # to: nc -l 9000 > backup.tar",
            "tar c dir | sock send --raw - HOST:9000");
        command.SetHandler(async (parse, ct) =>
        {
            var values = parse.GetValue(args)!.ToList();
            if (parse.GetValue(wormhole.Wormhole))
                return await WormholeCli.SendAsync(values, parse.GetValue(code), wormhole.Read(parse), parse.GetValue(json), ct);
            wormhole.CheckUnused(parse);
            if (parse.GetValue(code) is not null) throw new UsageException("--code goes with --wormhole");
            TransferCli.Endpoint? connect = null;
            if (parse.GetValue(listen) is null)
            {
                if (values.Count < 2) throw new UsageException("give PATH… HOST:PORT, or PATH… --listen PORT");
                connect = TransferCli.ParseEndpoint(values[^1]);
                values.RemoveAt(values.Count - 1);
            }
            else if (values[^1].Contains(':', StringComparison.Ordinal) && !Path.Exists(values[^1]))
            {
                throw new UsageException("give either HOST:PORT or --listen PORT, not both");
            }
            var side = TransferCli.ReadSide(parse, connect, listen, tls, insecure, pin, cert, key) with { Proxy = proxy.Read(parse), Filter = access.Read(parse) };
            if (side.Filter is { IsEmpty: false } && side.Connect is not null) throw new UsageException("--allow/--deny are for --listen");
            if (side.Proxy is not null && side.Connect is null) throw new UsageException("--proxy is for the connecting side, not --listen");
            var kind = FileHasher.Parse(parse.GetValue(hash)!);
            var asJson = parse.GetValue(json);
            var rate = ParseRate(parse.GetValue(limit));
            var progress = new TransferProgress();

            if (parse.GetValue(raw))
            {
                if (values.Count != 1) throw new UsageException("--raw sends exactly one file, or - for standard input");
                if (values[0] != "-" && !File.Exists(values[0])) throw new SockException($"{values[0]}: no such file");
                var sent = await TransferCli.WithConnectionAsync(side, c => TransferCli.WithProgressAsync(progress, asJson, "sending",
                    () => RawTransfer.SendAsync(c, values[0], progress, ct)), ct);
                var summary = new TransferSummary { Direction = "send", Raw = true, Elapsed = progress.Clock.Elapsed };
                summary.Entries.Add(new FileOutcome(values[0], EntryKind.File, sent) { Transferred = sent, Status = FileStatus.Ok });
                return TransferCli.Finish(summary, asJson);
            }

            var entries = Manifest.FromPaths(values, skipped => Console.Error.WriteLine($"sock: skipping symlink {skipped}"));
            var result = await TransferCli.WithConnectionAsync(side, async c =>
            {
                var s = await TransferCli.WithProgressAsync(progress, asJson, "sending", () => TransferSender.SendAsync(c.Stream, entries, new SendOptions(kind, rate), progress, ct));
                s.Peer = c.Peer;
                await c.CloseGracefullyAsync();
                return s;
            }, ct);
            return TransferCli.Finish(result, asJson);
        });
        return command;
    }

    private static long ParseRate(string? text)
    {
        if (string.IsNullOrEmpty(text)) return 0;
        var multiplier = char.ToUpperInvariant(text[^1]) switch { 'K' => 1L << 10, 'M' => 1L << 20, 'G' => 1L << 30, _ => 1L };
        var digits = multiplier == 1 ? text : text[..^1];
        if (!double.TryParse(digits, System.Globalization.CultureInfo.InvariantCulture, out var value) || value <= 0)
            throw new UsageException($"bad --limit-rate '{text}' (e.g. 500K, 10M)");
        return (long)(value * multiplier);
    }
}
