using System.CommandLine;
using Sock.Pipes;
using Sock.Tls;

namespace Sock.Cli.Commands;

/// <summary>`sock connect`: stdin → socket, socket → stdout, like `ncat HOST PORT`.</summary>
internal static class ConnectCommand
{
    public static Command Create()
    {
        var shared = new PipeCommandOptions();
        var proxy = new ProxyCommandOptions();
        var exec = new ExecCommandOptions();
        var webSocket = new WebSocketCommandOptions();
        var target = new Argument<string[]>("HOST PORT") { Arity = new ArgumentArity(0, 2), Description = "Host (name, address or [IPv6]) and port; none with -U; or one ws:// or wss:// URL" };
        var insecure = new Option<bool>("--insecure") { Description = "TLS: accept any server certificate" };
        var pin = new Option<string?>("--pin") { Description = "TLS: accept exactly the certificate with this SHA-256", HelpName = "SHA256" };
        var source = new Option<string?>("--source", "-s") { Description = "Local address to connect from", HelpName = "ADDR[:PORT]" };
        var timeout = new Option<double?>("--timeout", "-w") { Description = "Give up connecting after S seconds", HelpName = "S" };
        var sni = new Option<string?>("--sni") { Description = "TLS: server name to send (SNI) and verify, instead of HOST", HelpName = "NAME" };
        var alpn = new Option<string?>("--alpn") { Description = "TLS: ALPN protocols to offer, comma-separated (h2,http/1.1)", HelpName = "LIST" };
        var ca = new Option<string?>("--ca") { Description = "TLS: trust only the CAs in this PEM file", HelpName = "FILE" };
        var cert = new Option<string?>("--cert") { Description = "TLS: client certificate (PEM) for servers that ask", HelpName = "FILE" };
        var key = new Option<string?>("--key") { Description = "TLS: private key of --cert (default: in the --cert file)", HelpName = "FILE" };
        var linger = new Option<double?>("--udp-linger") { Description = "UDP: after input ends, wait S seconds of silence for replies (default 1)", HelpName = "S" };
        var command = new Command("connect", "Connect to a server and pipe stdin/stdout through the connection (full duplex, half-close on EOF).");
        command.Arguments.Add(target);
        shared.AddTo(command);
        proxy.AddTo(command);
        exec.AddTo(command);
        webSocket.AddToConnect(command);
        var raw = new Option<bool>("--raw") { Description = "Local terminal in raw mode (no echo, keys as bytes): for a remote --pty program, as socat's STDIO,raw,echo=0" };
        foreach (var o in new Option[] { insecure, pin, sni, alpn, ca, cert, key, source, timeout, linger, raw }) command.Options.Add(o);
        command.WithExamples(
            "sock connect example.com 80 --crlf          # then type: GET / HTTP/1.0 and an empty line",
            "sock connect 127.0.0.1 4323 < file.bin > reply.bin",
            "sock connect [::1] 8443 --tls --pin AB:CD:…   # trust a self-signed `sock listen --tls`",
            "echo hello | sock connect -u 127.0.0.1 9999",
            "sock connect -U /tmp/app.sock",
            "sock connect -U @app --seqpacket             # abstract name, SOCK_SEQPACKET",
            "echo hi | sock connect -U /tmp/log.sock --dgram",
            "sock connect --sh-exec 'date; hostname' 127.0.0.1 9000   # a program talks to the server",
            "sock connect --proxy 127.0.0.1:1080 --proxy-type socks5 example.com 80   # the proxy resolves the name",
            "sock connect ws://127.0.0.1:8080/chat        # WebSocket: a line is a text message",
            "sock connect wss://echo.example/ --binary --header 'Authorization: Bearer T' < file.bin");

        command.SetHandler(async (parse, ct) =>
        {
            shared.Validate(parse);
            var args = parse.GetValue(target) ?? [];
            var unix = parse.GetValue(shared.Unix);
            if (args.Length == 1 && Sock.Pipes.WebSockets.WebSocketUrl.Looks(args[0]))
            {
                if (unix is not null || parse.GetValue(shared.Udp) || exec.Read(parse) is not null)
                    throw new UsageException("a ws:// URL is a TCP connection: no -U, -u or --exec");
                var url = WebSocketCommandOptions.ParseUrl(args[0]);
                if (!url.Secure && (parse.GetValue(insecure) || parse.GetValue(pin) is not null || parse.GetValue(ca) is not null))
                    throw new UsageException("--insecure, --pin and --ca are for wss:// URLs");
                if (parse.GetValue(pin) is { } wsPin) TlsCertificates.NormalizePin(wsPin);
                var wsSettings = new ConnectSettings
                {
                    Source = parse.GetValue(source) is { } ws ? PipeCommandOptions.ParseSource(ws) : null,
                    Timeout = PipeCommandOptions.Seconds(parse.GetValue(timeout), "--timeout"),
                    Proxy = proxy.Read(parse),
                    Tls = url.Secure ? new TlsClientSettings(parse.GetValue(sni) ?? url.Host.Trim('[', ']'), parse.GetValue(insecure), parse.GetValue(pin))
                    {
                        Ca = parse.GetValue(ca) is { } caPath ? TlsCertificates.LoadCaBundle(caPath) : null,
                    } : null,
                };
                var pumpOptions = webSocket.Pump(parse);
                await using var session = await Sock.Pipes.WebSockets.WebSocketClient.ConnectAsync(url, webSocket.Client(parse, wsSettings), ct);
                PipeCommandOptions.Status($"connected to {url} ({session.Connection.Peer}{(session.Subprotocol is { } sp ? $", subprotocol {sp}" : "")})");
                return await WebSocketCommandOptions.PumpAsync(session, pumpOptions, ct);
            }
            if (webSocket.AnyClientFlag(parse))
                throw new UsageException("--text, --binary, --header, --origin and --subprotocol need a ws:// or wss:// URL");
            PipeEndpoint endpoint;
            if (unix is not null)
            {
                if (args.Length > 0) throw new UsageException("connect -U PATH takes no HOST PORT");
                endpoint = new PipeEndpoint { UnixPath = unix, UnixType = shared.UnixType(parse) };
            }
            else
            {
                if (args.Length != 2) throw new UsageException("connect needs HOST PORT (or -U PATH, or a ws:// URL)");
                endpoint = new PipeEndpoint
                {
                    Host = args[0],
                    Port = PipeCommandOptions.ParsePort(args[1], allowZero: false),
                    Udp = parse.GetValue(shared.Udp),
                    Family = shared.Family(parse),
                };
            }
            var tls = parse.GetValue(shared.Tls);
            if (!tls && (parse.GetValue(insecure) || parse.GetValue(pin) is not null))
                throw new UsageException("--insecure and --pin need --tls");
            if (parse.GetValue(insecure) && parse.GetValue(pin) is not null)
                throw new UsageException("--insecure and --pin exclude each other");
            if (parse.GetValue(pin) is { } p) TlsCertificates.NormalizePin(p); // a malformed pin is a usage error, before connecting
            if (!tls && (parse.GetValue(sni) ?? parse.GetValue(alpn) ?? parse.GetValue(ca) ?? parse.GetValue(cert) ?? parse.GetValue(key)) is not null)
                throw new UsageException("--sni, --alpn, --ca, --cert and --key need --tls");
            if (parse.GetValue(key) is not null && parse.GetValue(cert) is null) throw new UsageException("--key needs --cert");
            var settings = new ConnectSettings
            {
                Source = parse.GetValue(source) is { } s ? PipeCommandOptions.ParseSource(s) : null,
                Timeout = PipeCommandOptions.Seconds(parse.GetValue(timeout), "--timeout"),
                Proxy = proxy.Read(parse),
                Tls = tls ? new TlsClientSettings(parse.GetValue(sni) ?? (endpoint.Host ?? "localhost").Trim('[', ']'), parse.GetValue(insecure), parse.GetValue(pin))
                {
                    Alpn = parse.GetValue(alpn)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                    Ca = parse.GetValue(ca) is { } caFile ? TlsCertificates.LoadCaBundle(caFile) : null,
                    ClientCertificate = parse.GetValue(cert) is { } certFile ? TlsCertificates.LoadPem(certFile, parse.GetValue(key)) : null,
                } : null,
            };
            var program = exec.Read(parse);
            if (program is not null && (endpoint.Udp || endpoint.UnixType == System.Net.Sockets.SocketType.Dgram)) throw new UsageException("--exec/--sh-exec need a stream socket, not -u");
            var pump = shared.Pump(parse);
            if (program is not null)
            {
                await using var session = await Endpoints.ConnectAsync(endpoint, settings, ct);
                PipeCommandOptions.Status($"connected to {session.Peer}; running {program}");
                var ran = await ExecSession.RunAsync(session, program, pump.BufferSize, ct);
                PipeCommandOptions.Status(ExecServer.Describe(ran));
                return ran.Error is null ? CommandRunner.Ok : throw new SockException(ran.Error);
            }
            var (input, output) = PipeCommandOptions.OpenStdio();

            if (settings.Proxy is not null && (endpoint.Udp || endpoint.UnixPath is not null))
                throw new UsageException("--proxy tunnels TCP; it does not apply to -u or -U");
            if (endpoint.UnixType == System.Net.Sockets.SocketType.Dgram)
            {
                var wait = PipeCommandOptions.Seconds(parse.GetValue(linger), "--udp-linger") ?? TimeSpan.FromSeconds(1);
                PipeCommandOptions.Totals(await UdpPipe.ConnectUnixAsync(endpoint.UnixPath!, pump, wait, input, output, PipeCommandOptions.Status, ct));
                return CommandRunner.Ok;
            }
            if (endpoint.Udp)
            {
                var wait = PipeCommandOptions.Seconds(parse.GetValue(linger), "--udp-linger") ?? TimeSpan.FromSeconds(1);
                var udp = await UdpPipe.ConnectAsync(endpoint, settings, pump, wait, input, output, PipeCommandOptions.Status, ct);
                PipeCommandOptions.Totals(udp);
                return CommandRunner.Ok;
            }

            await using var connection = await Endpoints.ConnectAsync(endpoint, settings, ct);
            PipeCommandOptions.Status(connection.TlsFingerprint is { } fp
                ? $"connected to {connection.Peer} (TLS, server certificate SHA-256 {fp}{(connection.Stream is System.Net.Security.SslStream { NegotiatedApplicationProtocol: var ap } && ap.Protocol.Length > 0 ? $", ALPN {ap}" : "")})"
                : $"connected to {connection.Peer}");
            PumpResult result;
            using (parse.GetValue(raw) ? RawTerminal.Enter() : null)
                result = await DuplexPump.RunAsync(connection, input, output, pump, ct);
            PipeCommandOptions.Totals(result);
            return CommandRunner.Ok;
        });
        return command;
    }
}
