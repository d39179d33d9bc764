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
        var hash = new Option<string>("--hash") { Description = "Integrity hash: xxh128 (default) or sha256", DefaultValueFactory = _ => "xxh128" };
        var raw = TransferCli.Raw();
        var tls = TransferCli.Tls();
        var insecure = TransferCli.Insecure();
        var pin = TransferCli.Pin();
        var cert = TransferCli.Cert();
        var key = TransferCli.Key();
        var json = CommonOptions.Json();
        var command = new Command("send", "Send files and directory trees to `sock recv` (verified, resumable), or bare bytes with --raw")
        {
            args, listen, hash, raw, tls, insecure, pin, cert, key, json,
        }.WithExamples(
            "sock send report.pdf photos/ 192.168.1.20:9000",
            "sock send big.iso --listen 9000            # the receiver connects: sock recv HOST:9000",
            "sock send --raw backup.tar 127.0.0.1:9000  # to: nc -l 9000 > backup.tar",
            "tar c dir | sock send --raw - HOST:9000");
        command.SetHandler(async (parse, ct) =>
        {
            var values = parse.GetValue(args)!.ToList();
            TransferCli.Endpoint? connect = null;
            if (parse.GetValue(listen) is null)
            {
                if (values.Count < 2) throw new UsageException("give PATH… HOST:PORT, or PATH… --listen PORT");
                connect = TransferCli.ParseEndpoint(values[^1]);
                values.RemoveAt(values.Count - 1);
            }
            var side = TransferCli.ReadSide(parse, connect, listen, tls, insecure, pin, cert, key);
            var kind = FileHasher.Parse(parse.GetValue(hash)!);
            var asJson = parse.GetValue(json);
            var progress = new TransferProgress();

            if (parse.GetValue(raw))
            {
                if (values.Count != 1) throw new UsageException("--raw sends exactly one file, or - for standard input");
                if (values[0] != "-" && !File.Exists(values[0])) throw new SockException($"{values[0]}: no such file");
                var sent = await TransferCli.WithConnectionAsync(side, c => TransferCli.WithProgressAsync(progress, asJson, "sending",
                    () => RawTransfer.SendAsync(c, values[0], progress, ct)), ct);
                var summary = new TransferSummary { Direction = "raw", Elapsed = progress.Clock.Elapsed };
                summary.Entries.Add(new FileOutcome(values[0], EntryKind.File, sent) { Transferred = sent, Status = FileStatus.Ok });
                return TransferCli.Finish(summary, asJson);
            }

            var entries = Manifest.FromPaths(values, skipped => Console.Error.WriteLine($"sock: skipping symlink {skipped}"));
            var result = await TransferCli.WithConnectionAsync(side, async c =>
            {
                var s = await TransferCli.WithProgressAsync(progress, asJson, "sending", () => TransferSender.SendAsync(c.Stream, entries, kind, progress, ct));
                s.Peer = c.Peer;
                await c.ShutdownSendAsync();
                return s;
            }, ct);
            return TransferCli.Finish(result, asJson);
        });
        return command;
    }
}
