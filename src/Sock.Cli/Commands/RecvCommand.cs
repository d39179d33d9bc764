using System.CommandLine;
using Sock.Transfer;

namespace Sock.Cli.Commands;

/// <summary>`sock recv --listen PORT | HOST:PORT [-o DIR]`: receive what `sock send` sends, verified, into a directory.</summary>
internal static class RecvCommand
{
    public static Command Create()
    {
        var target = new Argument<string?>("HOST:PORT|CODE") { Arity = ArgumentArity.ZeroOrOne, Description = "Connect to a listening `sock send` (omit with --listen); with --wormhole, the code (asked for when omitted)" };
        var listen = TransferCli.Listen();
        var output = new Option<string?>("--output", "-o") { HelpName = "DIR|FILE", Description = "Directory to save into (default: current); with --raw, the file to write (default: stdout)" };
        var overwrite = new Option<bool>("--overwrite") { Description = "Replace existing files instead of saving as 'name (1).ext'" };
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
        var codeStdin = new Option<bool>("--code-stdin") { Description = "With --wormhole: read the code from standard input (for scripts)" };
        var command = new Command("recv", "Receive files from `sock send` (verified, resumable: run the same command again after an interruption), or bare bytes with --raw")
        {
            target, listen, output, overwrite, raw, tls, insecure, pin, cert, key, json,
        };
        proxy.AddTo(command);
        access.AddTo(command);
        wormhole.AddTo(command);
        command.Options.Add(codeStdin);
        command.WithExamples(
            "sock recv --listen 9000 -o downloads/",
            "sock recv --wormhole -o downloads/      # asks for the code; from: wormhole send FILE, or sock send --wormhole",
            "sock recv 192.168.1.20:9000             # from: sock send FILE --listen 9000",
            "sock recv --raw --listen 9000 -o backup.tar   # from: nc -N HOST 9000 < backup.tar");
        command.SetHandler(async (parse, ct) =>
        {
            if (parse.GetValue(wormhole.Wormhole))
            {
                if (parse.GetValue(listen) is not null || parse.GetValue(raw)) throw new UsageException("--wormhole takes a code, not --listen or --raw");
                if (parse.GetValue(codeStdin) && parse.GetValue(target) is not null) throw new UsageException("give the code or --code-stdin, not both");
                return await WormholeCli.ReceiveAsync(parse.GetValue(target), parse.GetValue(codeStdin), wormhole.Read(parse),
                    new ReceiveOptions(parse.GetValue(output) ?? ".", parse.GetValue(overwrite)), parse.GetValue(json), ct);
            }
            wormhole.CheckUnused(parse);
            if (parse.GetValue(codeStdin)) throw new UsageException("--code-stdin goes with --wormhole");
            var connect = parse.GetValue(target) is { } t ? TransferCli.ParseEndpoint(t) : null;
            var side = TransferCli.ReadSide(parse, connect, listen, tls, insecure, pin, cert, key) with { Proxy = proxy.Read(parse), Filter = access.Read(parse) };
            if (side.Filter is { IsEmpty: false } && side.Connect is not null) throw new UsageException("--allow/--deny are for --listen");
            if (side.Proxy is not null && side.Connect is null) throw new UsageException("--proxy is for the connecting side, not --listen");
            var asJson = parse.GetValue(json);
            var progress = new TransferProgress();
            var outPath = parse.GetValue(output);

            if (parse.GetValue(raw))
                return await ReceiveRawAsync(side, outPath, parse.GetValue(overwrite), asJson, progress, ct);

            var options = new ReceiveOptions(outPath ?? ".", parse.GetValue(overwrite));
            var summary = await TransferCli.WithConnectionAsync(side, async c =>
            {
                var s = await TransferCli.WithProgressAsync(progress, asJson, "receiving", () => TransferReceiver.ReceiveAsync(c.Stream, options, progress, ct));
                s.Peer = c.Peer;
                await c.CloseGracefullyAsync();
                return s;
            }, ct);
            return TransferCli.Finish(summary, asJson);
        });
        return command;
    }

    private static async Task<int> ReceiveRawAsync(TransferCli.Side side, string? outPath, bool overwrite, bool json, TransferProgress progress, CancellationToken ct)
    {
        if (outPath is null && json) throw new UsageException("--raw --json needs -o FILE (stdout carries the data)");
        var summary = new TransferSummary { Direction = "receive", Raw = true };
        await TransferCli.WithConnectionAsync(side, async c =>
        {
            long n;
            string? saved = null;
            if (outPath is null)
            {
                await using var stdout = Console.OpenStandardOutput();
                n = await RawTransfer.ReceiveAsync(c, stdout, progress, ct);
            }
            else
            {
                // Same rule as verified transfers: bytes go to FILE.part, renamed only when the sender closed cleanly.
                using var part = PartFile.Open(PartFile.ChooseTarget(Path.GetFullPath(outPath), overwrite), overwrite, resume: false);
                await using (var file = new FileStream(part.Handle, FileAccess.ReadWrite, 1, isAsync: false))
                    n = await TransferCli.WithProgressAsync(progress, json, "receiving", () => RawTransfer.ReceiveAsync(c, file, progress, ct));
                saved = part.Commit();
            }
            summary.Entries.Add(new FileOutcome(outPath ?? "-", EntryKind.File, n) { Transferred = n, Status = FileStatus.Ok, SavedAs = saved });
            summary.Peer = c.Peer;
            return n;
        }, ct);
        summary.Elapsed = progress.Clock.Elapsed;
        return TransferCli.Finish(summary, json);
    }
}
