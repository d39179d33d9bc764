using System.CommandLine;
using Sock.Pipes;
using Sock.Pipes.WebSockets;
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
        var listenWs = new Option<bool>("--listen-ws") { Description = "Clients speak WebSocket to us (after --listen-tls, if given): messages relayed as bytes" };
        var toWs = new Option<string?>("--to-ws") { Description = "Connect each client to this WebSocket URL instead of HOST PORT (binary messages)", HelpName = "ws://HOST[:PORT]/PATH" };
        var webSocket = new WebSocketCommandOptions();
        var proxy = new ProxyCommandOptions();

        var command = new Command("forward", "Relay: accept clients on one endpoint and connect each to another (TCP, Unix, UDP, TLS either side).");
        command.Arguments.Add(target);
        foreach (var o in new Option[] { udp, listenUnix, toUnix, listenTls, cert, key, toTls, insecure, pin, maxClients, source, timeout, udpIdle, quiet })
            command.Options.Add(o);
        access.AddTo(command);
        proxy.AddTo(command);
        foreach (var o in new Option[] { listenWs, toWs, webSocket.Path, webSocket.Header, webSocket.Origin, webSocket.Subprotocol }) command.Options.Add(o);
        command.WithExamples(
            "sock forward 8080 example.com 80                 # localhost:8080 reaches example.com:80",
            "sock forward 127.0.0.1 5433 db.internal 5432 --max-clients 20",
            "sock forward --listen-tls --cert c.pem --key k.pem 443 127.0.0.1 8080   # terminate TLS",
            "sock forward 8443 example.com 443 --to-tls       # originate TLS",
            "sock forward --listen-unix /tmp/db.sock 127.0.0.1 5432",
            "sock forward -u 5353 192.168.1.1 53              # UDP, one session per client",
            "sock forward 1080 intranet 22 --proxy socks5://bastion:1080",
            "sock forward --listen-ws --path /ssh 8080 127.0.0.1 22   # or: sock forward ws-listen:8080 tcp:127.0.0.1:22",
            "sock forward 2222 --to-ws wss://gw.example/ssh            # or: sock forward tcp-listen:2222 wss://gw.example/ssh");

        command.SetHandler(async (parse, ct) =>
        {
            var args = parse.GetValue(target) ?? [];
            var (aliasArgs, aliasListenWs, aliasToWs) = ForwardAddresses.Rewrite(args);
            args = aliasArgs;
            var wsListen = parse.GetValue(listenWs) || aliasListenWs;
            var wsUrlText = parse.GetValue(toWs) ?? aliasToWs;
            if (wsUrlText is not null && parse.GetValue(toWs) is not null && aliasToWs is not null) throw new UsageException("--to-ws and a ws:// target exclude each other");
            var lu = parse.GetValue(listenUnix);
            var tu = parse.GetValue(toUnix);
            var isUdp = parse.GetValue(udp);
            if (isUdp && (lu is not null || tu is not null)) throw new UsageException("-u relays UDP; --listen-unix/--to-unix are stream sockets");
            if (isUdp && (parse.GetValue(listenTls) || parse.GetValue(toTls))) throw new UsageException("TLS needs a stream socket, not -u");
            if (wsUrlText is not null && tu is not null) throw new UsageException("--to-ws and --to-unix exclude each other");
            if ((wsListen || wsUrlText is not null) && isUdp) throw new UsageException("WebSocket needs a stream socket, not -u");
            if (!wsListen && parse.GetValue(webSocket.Path) is not null) throw new UsageException("--path needs --listen-ws");
            if (wsUrlText is null && ((parse.GetValue(webSocket.Header)?.Length ?? 0) > 0 || parse.GetValue(webSocket.Origin) is not null))
                throw new UsageException("--header and --origin need --to-ws");
            if (wsUrlText is null && !wsListen && (parse.GetValue(webSocket.Subprotocol)?.Length ?? 0) > 0) throw new UsageException("--subprotocol needs --listen-ws or --to-ws");
            var toNothing = tu is not null || wsUrlText is not null;
            var listenArgs = lu is null ? (!toNothing ? args.Length - 2 : args.Length) : 0;
            var targetArgs = args.Length - listenArgs;
            if (listenArgs is < 0 or > 2 || (lu is null && listenArgs < 1) || targetArgs != (!toNothing ? 2 : 0))
                throw new UsageException("forward needs [ADDR] PORT HOST PORT (leave out the side given by --listen-unix or --to-unix)");

            var listen = lu is not null
                ? new PipeEndpoint { UnixPath = lu }
                : new PipeEndpoint
                {
                    Host = listenArgs == 2 ? args[0] : null,
                    Port = PipeCommandOptions.ParsePort(args[listenArgs - 1], allowZero: true),
                    Udp = isUdp,
                };
            var wsUrl = wsUrlText is null ? null : WebSocketCommandOptions.ParseUrl(wsUrlText);
            var to = wsUrl is not null
                ? new PipeEndpoint { Host = wsUrl.Host, Port = wsUrl.Port }
                : tu is not null
                ? new PipeEndpoint { UnixPath = tu }
                : new PipeEndpoint { Host = args[listenArgs], Port = PipeCommandOptions.ParsePort(args[listenArgs + 1], allowZero: false), Udp = isUdp };

            if (!parse.GetValue(listenTls) && (parse.GetValue(cert) is not null || parse.GetValue(key) is not null))
                throw new UsageException("--cert and --key need --listen-tls");
            if (!parse.GetValue(toTls) && wsUrl is not { Secure: true } && (parse.GetValue(insecure) || parse.GetValue(pin) is not null))
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
            if (wsListen) options = options with { ListenWebSocket = webSocket.Server(parse) };
            if (wsUrl is not null)
            {
                // The URL's scheme decides TLS; --to-tls, --insecure and --pin then apply to wss://.
                if (parse.GetValue(toTls) && !wsUrl.Secure) throw new UsageException("--to-tls with a ws:// URL: use wss://");
                var connect = options.Connect with
                {
                    Tls = wsUrl.Secure ? new TlsClientSettings(wsUrl.Host.Trim('[', ']'), parse.GetValue(insecure), parse.GetValue(pin)) : null,
                };
                options = options with { TargetWebSocket = new WebSocketTarget(wsUrl, webSocket.Client(parse, connect)) };
            }
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
                PipeCommandOptions.Report($"forwarding {(listen.UnixPath ?? Endpoints.Describe(listener.LocalEndPoint))}{(isUdp ? " (UDP)" : wsListen ? " (WebSocket)" : "")} -> {wsUrl?.ToString() ?? to.Display}");
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
