using System.CommandLine;
using Sock.Pipes;
using Sock.Tls;

namespace Sock.Cli.Commands;

/// <summary>`sock forward [ADDR] PORT HOST PORT`: a relay, like socat TCP-LISTEN:…,fork TCP:….</summary>
internal static class ForwardCommand
{
    public static Command Create()
    {
        var target = new Argument<string[]>("[ADDR] PORT HOST PORT")
        {
            Arity = new ArgumentArity(0, 4),
            Description = "Where to listen (address optional), then where to connect each client; a side given by --listen-unix/--to-unix is left out",
        };
        var udp = new Option<bool>("--udp", "-u") { Description = "UDP on both sides: one session per client address" };
        var listenUnix = new Option<string?>("--listen-unix") { Description = "Listen on a Unix stream socket (@name: abstract) instead of [ADDR] PORT", HelpName = "PATH" };
        var toUnix = new Option<string?>("--to-unix") { Description = "Connect each client to a Unix stream socket instead of HOST PORT", HelpName = "PATH" };
        var listenTls = new Option<bool>("--listen-tls") { Description = "Clients speak TLS to us (terminate); --cert/--key or a self-signed certificate" };
        var cert = new Option<string?>("--cert") { Description = "With --listen-tls: PEM certificate", HelpName = "FILE" };
        var key = new Option<string?>("--key") { Description = "With --listen-tls: PEM private key (default: in the --cert file)", HelpName = "FILE" };
        var toTls = new Option<bool>("--to-tls") { Description = "Speak TLS to the target (originate)" };
        var insecure = new Option<bool>("--insecure") { Description = "With --to-tls: accept any certificate" };
        var pin = new Option<string?>("--pin") { Description = "With --to-tls: accept exactly the certificate with this SHA-256", HelpName = "SHA256" };
        var maxClients = new Option<int?>("--max-clients") { Description = "Relay at most N clients at once; more are refused", HelpName = "N" };
        var source = new Option<string?>("--source", "-s") { Description = "Local address to connect to the target from", HelpName = "ADDR[:PORT]" };
        var timeout = new Option<double?>("--timeout", "-w") { Description = "Give up connecting to the target after S seconds", HelpName = "S" };
        var udpIdle = new Option<double?>("--udp-idle") { Description = "UDP: a session with no datagram for S seconds expires [default: 60]", HelpName = "S" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "No line per connection (errors still reported)" };
        var access = new AccessCommandOptions();
        var proxy = new ProxyCommandOptions();

        var command = new Command("forward", "Relay: accept clients on one endpoint and connect each to another (TCP, Unix, UDP, TLS either side).");
        command.Arguments.Add(target);
        foreach (var o in new Option[] { udp, listenUnix, toUnix, listenTls, cert, key, toTls, insecure, pin, maxClients, source, timeout, udpIdle, quiet })
            command.Options.Add(o);
        access.AddTo(command);
        proxy.AddTo(command);
        command.WithExamples(
            "sock forward 8080 example.com 80                 # localhost:8080 reaches example.com:80",
            "sock forward 127.0.0.1 5433 db.internal 5432 --max-clients 20",
            "sock forward --listen-tls --cert c.pem --key k.pem 443 127.0.0.1 8080   # terminate TLS",
            "sock forward 8443 example.com 443 --to-tls       # originate TLS",
            "sock forward --listen-unix /tmp/db.sock 127.0.0.1 5432",
            "sock forward -u 5353 192.168.1.1 53              # UDP, one session per client",
            "sock forward 1080 intranet 22 --proxy socks5://bastion:1080");

        command.SetHandler(async (parse, ct) =>
        {
            var args = parse.GetValue(target) ?? [];
            var lu = parse.GetValue(listenUnix);
            var tu = parse.GetValue(toUnix);
            var isUdp = parse.GetValue(udp);
            if (isUdp && (lu is not null || tu is not null)) throw new UsageException("-u relays UDP; --listen-unix/--to-unix are stream sockets");
            if (isUdp && (parse.GetValue(listenTls) || parse.GetValue(toTls))) throw new UsageException("TLS needs a stream socket, not -u");
            var listenArgs = lu is null ? (tu is null ? args.Length - 2 : args.Length) : 0;
            var targetArgs = args.Length - listenArgs;
            if (listenArgs is < 0 or > 2 || (lu is null && listenArgs < 1) || targetArgs != (tu is null ? 2 : 0))
                throw new UsageException("forward needs [ADDR] PORT HOST PORT (leave out the side given by --listen-unix or --to-unix)");

            var listen = lu is not null
                ? new PipeEndpoint { UnixPath = lu }
                : new PipeEndpoint
                {
                    Host = listenArgs == 2 ? args[0] : null,
                    Port = PipeCommandOptions.ParsePort(args[listenArgs - 1], allowZero: true),
                    Udp = isUdp,
                };
            var to = tu is not null
                ? new PipeEndpoint { UnixPath = tu }
                : new PipeEndpoint { Host = args[listenArgs], Port = PipeCommandOptions.ParsePort(args[listenArgs + 1], allowZero: false), Udp = isUdp };

            if (!parse.GetValue(listenTls) && (parse.GetValue(cert) is not null || parse.GetValue(key) is not null))
                throw new UsageException("--cert and --key need --listen-tls");
            if (!parse.GetValue(toTls) && (parse.GetValue(insecure) || parse.GetValue(pin) is not null))
                throw new UsageException("--insecure and --pin need --to-tls");
            var max = parse.GetValue(maxClients);
            if (max is <= 0) throw new UsageException("--max-clients wants a positive number");
            var proxySettings = proxy.Read(parse);
            if (proxySettings is not null && (isUdp || tu is not null)) throw new UsageException("--proxy tunnels TCP; it does not apply to -u or --to-unix");
            if (parse.GetValue(pin) is { } p) TlsCertificates.NormalizePin(p);

            var listenTlsSettings = parse.GetValue(listenTls) ? TlsServerSettings.Create(parse.GetValue(cert), parse.GetValue(key)) : null;
            if (listenTlsSettings is { IsSelfSigned: true })
                PipeCommandOptions.Report($"TLS self-signed certificate SHA-256 {listenTlsSettings.Fingerprint}");
            var options = new ForwardOptions
            {
                Target = to,
                Connect = new ConnectSettings
                {
                    Source = parse.GetValue(source) is { } s ? PipeCommandOptions.ParseSource(s) : null,
                    Timeout = PipeCommandOptions.Seconds(parse.GetValue(timeout), "--timeout"),
                    Tls = parse.GetValue(toTls) ? new TlsClientSettings((to.Host ?? "localhost").Trim('[', ']'), parse.GetValue(insecure), parse.GetValue(pin)) : null,
                    Proxy = proxySettings,
                },
                ListenTls = listenTlsSettings,
                MaxClients = max ?? 0,
                Filter = access.Read(parse),
            };
            var beQuiet = parse.GetValue(quiet);
            void Log(string line)
            {
                // --quiet drops the per-connection accounting lines; refusals and failures still show.
                if (!beQuiet || !line.Contains(" bytes up, ", StringComparison.Ordinal) || line.Contains(", receive from", StringComparison.Ordinal) || line.Contains(", send to", StringComparison.Ordinal))
                    PipeCommandOptions.Report(line);
            }

            using var listener = Endpoints.Bind(listen);
            try
            {
                PipeCommandOptions.Report($"forwarding {(listen.UnixPath ?? Endpoints.Describe(listener.LocalEndPoint))}{(isUdp ? " (UDP)" : "")} -> {to.Display}");
                if (isUdp)
                {
                    var idle = PipeCommandOptions.Seconds(parse.GetValue(udpIdle), "--udp-idle") ?? UdpForwarder.DefaultIdleTimeout;
                    await new UdpForwarder(options, Log) { IdleTimeout = idle }.RunAsync(listener, ct);
                }
                else
                {
                    if (parse.GetValue(udpIdle) is not null) throw new UsageException("--udp-idle needs -u");
                    await new Forwarder(options, Log).RunAsync(listener, ct);
                }
                return CommandRunner.Interrupted;
            }
            finally
            {
                if (listen.UnixPath is { } path && !path.StartsWith('@'))
                    try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            }
        });
        return command;
    }
}
