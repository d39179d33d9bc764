using System.CommandLine;
using System.Net;
using Sock.Wormhole.Server;

namespace Sock.Cli.Commands;

/// <summary>`sock relay [--port 4000]`: a self-hosted magic-wormhole mailbox server and transit relay on one port.</summary>
internal static class RelayCommand
{
    public static Command Create()
    {
        var port = new Option<int>("--port", "-p") { HelpName = "PORT", Description = "TCP port for both the mailbox (ws://HOST:PORT/v1) and the transit relay (tcp:HOST:PORT); 0 = any free one", DefaultValueFactory = _ => 4000 };
        var bind = new Option<string?>("--bind") { HelpName = "ADDR", Description = "Listen on this address only (default: all)" };
        var perAddress = new Option<int>("--per-address") { HelpName = "N", Description = "At most N connections from one client address", DefaultValueFactory = _ => 32 };
        var logFormat = new Option<string>("--log-format") { HelpName = "text|json", Description = "Log lines as text or JSON objects", DefaultValueFactory = _ => "text" };
        var command = new Command("relay", "Run a rendezvous and relay server for `sock send/recv --wormhole` and magic-wormhole clients: the mailbox protocol and a transit relay on one port; it sees only ciphertext and sizes")
        {
            port, bind, perAddress, logFormat,
        };
        command.WithExamples(
            "sock relay --port 4000",
            "sock send --wormhole FILE --wormhole-url ws://HOST:4000/v1 --transit-helper tcp:HOST:4000",
            "wormhole --relay-url ws://HOST:4000/v1 --transit-helper tcp:HOST:4000 send FILE");
        command.SetHandler(async (parse, ct) =>
        {
            var p = parse.GetValue(port);
            if (p is < 0 or > 65535) throw new UsageException($"bad port {p} (0-65535)");
            var limit = parse.GetValue(perAddress);
            if (limit < 1) throw new UsageException("--per-address must be at least 1");
            var format = parse.GetValue(logFormat);
            if (format is not ("text" or "json")) throw new UsageException("--log-format is text or json");
            IPAddress? address = null;
            if (parse.GetValue(bind) is { } b && !IPAddress.TryParse(b, out address)) throw new UsageException($"bad --bind address '{b}'");
            var log = new ServerLog(format == "json");
            using var server = new RelayServer(p, address, new RelayOptions(limit), log.Write);
            Console.Error.WriteLine($"sock: relay listening on port {server.Port} (mailbox ws://HOST:{server.Port}/v1, transit tcp:HOST:{server.Port})");
            await server.RunAsync(ct);
            return CommandRunner.Ok;
        });
        return command;
    }
}
