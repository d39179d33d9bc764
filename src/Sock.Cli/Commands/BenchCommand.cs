using System.CommandLine;
using System.Text.Json.Serialization;
using Sock.Chat;
using Sock.Chat.Bench;

namespace Sock.Cli.Commands;

/// <summary>`sock bench`: load generators for sock's servers and their peers.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var bench = new Command("bench", "Load generators: measure a server (sock's or a peer's) under load.");
        bench.Subcommands.Add(Chat());
        return bench;
    }

    private static Command Chat()
    {
        var target = new Argument<string>("HOST[:PORT]") { Description = "Chat server to load (default port 4323)", DefaultValueFactory = _ => "127.0.0.1" };
        var clients = new Option<int>("--clients", "-n") { Description = "Connected clients, all in one room", DefaultValueFactory = _ => 10 };
        var senders = new Option<int>("--senders", "-m") { Description = "How many of them send (0 = idle clients only)", DefaultValueFactory = _ => 10 };
        var messages = new Option<int>("--messages", "-k") { Description = "Messages per sender", DefaultValueFactory = _ => 100 };
        var size = new Option<int>("--size", "-s") { Description = "Bytes per message (marker included)", DefaultValueFactory = _ => 100 };
        var irc = new Option<bool>("--irc") { Description = "Speak IRC (NICK/USER/JOIN/PRIVMSG) instead of plain lines" };
        var rate = new Option<double>("--rate") { Description = "Messages per second per sender (default: as fast as possible)" };
        var room = new Option<string>("--room") { Description = "IRC channel to use", DefaultValueFactory = _ => "#bench" };
        var hold = new Option<double>("--hold") { Description = "Idle runs: seconds to keep the connections open" };
        var quiet = new Option<double>("--quiet") { Description = "Stop waiting after this many seconds without a delivery", DefaultValueFactory = _ => 10 };
        var connectTimeout = new Option<double>("--connect-timeout") { Description = "Seconds each client may take to connect and register, and again to join (a join storm of thousands into one room needs more)", DefaultValueFactory = _ => 30 };
        var login = new Option<string?>("--login") { Description = "IRC: log each client in as account bN with this (benchmark) password: REGISTER on first use, SASL PLAIN after" };
        var websocket = new Option<bool>("--websocket") { Description = "IRC over WebSocket (ws://HOST:PORT/, text.ircv3.net) instead of TCP, as web clients connect" };
        var json = CommonOptions.Json();
        var cmd = new Command("chat", "Load a chat server (sock, an IRC server, ncat --chat): N clients, M senders, K messages of S bytes; reports lost, corrupt, deliveries/s and latency.")
        {
            target, clients, senders, messages, size, irc, rate, room, hold, quiet, connectTimeout, login, websocket, json,
        };
        var also = new Option<string[]>("--also") { Description = "Another server of the same chat (a cluster node): clients are spread over all of them in turn (repeatable)", AllowMultipleArgumentsPerToken = false };
        cmd.Options.Add(also);
        cmd.WithExamples(
            "sock bench chat 127.0.0.1:4323 --irc -n 100 -m 10 -k 500",
            "sock bench chat 127.0.0.1:4001 --also 127.0.0.1:4002 --also 127.0.0.1:4003 --irc -n 100 -m 10 -k 500   # a cluster's nodes",
            "sock bench chat 127.0.0.1:4323 --irc --websocket -n 100 -m 10 -k 500   # web users (IRC over WebSocket)",
            "sock bench chat 127.0.0.1:4323 -n 10 -m 10 -k 2000         # plain lines (also works against ncat --chat)",
            "sock bench chat 127.0.0.1:4323 -n 10000 -m 0 --hold 10     # idle connections",
            "sock bench chat 127.0.0.1:4323 --irc -n 10000 -m 10 -k 50 --connect-timeout 300   # a join storm of 10,000, then fan-out to them");
        cmd.SetHandler(async (parse, ct) =>
        {
            var (host, port) = SplitTarget(parse.GetValue(target)!);
            var options = new ChatLoadOptions
            {
                Host = host,
                Port = port,
                Protocol = parse.GetValue(irc) ? BenchProtocol.Irc : BenchProtocol.Plain,
                Clients = parse.GetValue(clients),
                Senders = parse.GetValue(senders),
                Messages = parse.GetValue(messages),
                Size = parse.GetValue(size),
                Rate = parse.GetValue(rate),
                Room = parse.GetValue(room)!,
                Hold = TimeSpan.FromSeconds(parse.GetValue(hold)),
                Quiet = TimeSpan.FromSeconds(parse.GetValue(quiet)),
                ConnectTimeout = TimeSpan.FromSeconds(parse.GetValue(connectTimeout)),
                LoginPassword = parse.GetValue(login),
                WebSocket = parse.GetValue(websocket),
                Others = [.. (parse.GetValue(also) ?? []).Select(SplitTarget)],
            };
            if (options.LoginPassword is not null && options.Protocol != BenchProtocol.Irc) throw new UsageException("--login needs --irc");
            if (options.WebSocket && options.Protocol != BenchProtocol.Irc) throw new UsageException("--websocket needs --irc (the WebSocket transport carries IRC)");
            if (options.ConnectTimeout <= TimeSpan.Zero) throw new UsageException("--connect-timeout must be more than 0");
            if (options.Clients < 1) throw new UsageException("--clients must be at least 1");
            if (options.Senders < 0 || options.Senders > options.Clients) throw new UsageException("--senders must be between 0 and --clients");
            var asJson = parse.GetValue(json);
            var generator = new ChatLoadGenerator(options);
            if (!asJson) generator.Progress += line => Console.Error.WriteLine($"bench: {line}");
            var r = await generator.RunAsync(ct);
            if (asJson)
            {
                Output.WriteJson(r, BenchJsonContext.Default.ChatLoadResult);
            }
            else
            {
                Console.WriteLine($"connected      {r.Connected}/{r.Clients}");
                if (options.Protocol == BenchProtocol.Irc && options.Senders > 0)
                    Console.WriteLine($"join storm     {r.JoinSeconds:0.00} s to the last 366, room quiet {r.QuietSeconds:0.00} s later; bench CPU {r.BenchJoinCpuSeconds:0.00} s");
                if (options.Senders > 0)
                {
                    Console.WriteLine($"expected       {r.Expected}");
                    Console.WriteLine($"delivered      {r.Delivered}");
                    Console.WriteLine($"lost           {r.Lost}");
                    Console.WriteLine($"corrupt        {r.Corrupt}   (split, merged or mis-attributed lines)");
                    Console.WriteLine($"out of order   {r.OutOfOrder}");
                    if (r.Replayed > 0) Console.WriteLine($"replayed       {r.Replayed}   (an earlier run's messages, replayed by the server on JOIN; not counted)");
                    Console.WriteLine($"seconds        {r.Seconds:0.000}");
                    Console.WriteLine($"deliveries/s   {r.DeliveriesPerSecond:0}");
                    Console.WriteLine($"latency p50    {r.P50Ms:0.0} ms");
                    Console.WriteLine($"latency p99    {r.P99Ms:0.0} ms");
                    if (r.Delivered > 0) Console.WriteLine($"bench CPU      {r.BenchSendCpuSeconds:0.00} s while sending ({r.BenchSendCpuSeconds * 1e6 / r.Delivered:0.00} µs per delivery)");
                }
            }
            return r.Connected == r.Clients && r.Lost == 0 && r.Corrupt == 0 ? CommandRunner.Ok : CommandRunner.Failure;
        });
        return cmd;
    }

    private static (string Host, int Port) SplitTarget(string target)
    {
        var colon = target.LastIndexOf(':');
        if (colon > 0 && target.IndexOf(':', StringComparison.Ordinal) == colon)
        {
            if (!int.TryParse(target[(colon + 1)..], out var p) || p is < 1 or > 65535) throw new UsageException($"bad port in '{target}'");
            return (target[..colon], p);
        }
        if (target.StartsWith('[') && target.Contains("]:", StringComparison.Ordinal))
        {
            var end = target.IndexOf("]:", StringComparison.Ordinal);
            if (!int.TryParse(target[(end + 2)..], out var p) || p is < 1 or > 65535) throw new UsageException($"bad port in '{target}'");
            return (target[1..end], p);
        }
        return (target, ChatServerOptions.DefaultPort);
    }
}

[JsonSerializable(typeof(ChatLoadResult))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
internal sealed partial class BenchJsonContext : JsonSerializerContext;
