using System.CommandLine;
using System.Net.Sockets;
using Sock.Pipes;
using Sock.Tls;

namespace Sock.Cli.Commands;

/// <summary>`sock listen`: wait for a client (or many with --keep-open) and pipe stdin/stdout through.</summary>
internal static class ListenCommand
{
    public static Command Create()
    {
        var shared = new PipeCommandOptions();
        var access = new AccessCommandOptions();
        var exec = new ExecCommandOptions();
        var webSocket = new WebSocketCommandOptions();
        var target = new Argument<string[]>("[ADDR] PORT") { Arity = new ArgumentArity(0, 2), Description = "Address to bind (default: all, IPv6 and IPv4) and port; none with -U" };
        var cert = new Option<string?>("--cert") { Description = "TLS: PEM certificate (default: a fresh self-signed one)", HelpName = "FILE" };
        var key = new Option<string?>("--key") { Description = "TLS: PEM private key (default: in the --cert file)", HelpName = "FILE" };
        var verifyClient = new Option<string?>("--verify-client") { Description = "TLS: require a client certificate issued by a CA in this PEM file; its subject is reported", HelpName = "CA" };
        var alpn = new Option<string?>("--alpn") { Description = "TLS: ALPN protocols to accept, comma-separated", HelpName = "LIST" };
        var keepOpen = new Option<bool>("--keep-open", "-k") { Description = "Serve many clients at once; input goes to all of them" };
        var maxClients = new Option<int?>("--max-clients") { Description = "With --keep-open: refuse clients beyond N", HelpName = "N" };
        var stallTimeout = new Option<double?>("--stall-timeout")
        {
            Description = "With --keep-open: drop a client that takes no input for S seconds while the others wait [default: 10]",
            HelpName = "S",
        };
        var command = new Command("listen", "Wait for a connection and pipe stdin/stdout through it (full duplex, half-close on EOF).");
        command.Arguments.Add(target);
        webSocket.AddToListen(command);
        shared.AddTo(command);
        access.AddTo(command);
        exec.AddTo(command);
        foreach (var o in new Option[] { cert, key, verifyClient, alpn, keepOpen, maxClients, stallTimeout }) command.Options.Add(o);
        command.WithExamples(
            "sock listen 4323                      # the article's Server.py, full duplex",
            "sock listen 127.0.0.1 9000 > received.bin",
            "sock listen --keep-open --max-clients 10 4323   # many clients; what you type goes to all",
            "sock listen --tls 8443                # self-signed; prints the SHA-256 to --pin",
            "sock listen -u 9999",
            "sock listen -U /tmp/app.sock",
            "sock listen -U /tmp/log.sock --dgram        # print every datagram (socat UNIX-RECVFROM)",
            "sock listen -U @app --seqpacket             # abstract name, SOCK_SEQPACKET",
            "sock listen --keep-open --exec /bin/cat 7      # an echo server, one cat per client",
            "sock listen --exec /bin/bash --pty 9000         # a shell with a terminal; join with: sock connect --raw HOST 9000",
            "sock listen --keep-open --allow 192.168.1.0/24 --deny 192.168.1.13 4323",
            "sock listen --ws 8080 --path /chat            # WebSocket: a line is a text message (--binary: raw)");

        command.SetHandler(async (parse, ct) =>
        {
            shared.Validate(parse);
            var args = parse.GetValue(target) ?? [];
            var unix = parse.GetValue(shared.Unix);
            PipeEndpoint endpoint;
            if (unix is not null)
            {
                if (args.Length > 0) throw new UsageException("listen -U PATH takes no ADDR PORT");
                endpoint = new PipeEndpoint { UnixPath = unix, UnixType = shared.UnixType(parse) };
            }
            else
            {
                if (args.Length == 0) throw new UsageException("listen needs a PORT (or -U PATH)");
                endpoint = new PipeEndpoint
                {
                    Host = args.Length == 2 ? args[0] : null,
                    Port = PipeCommandOptions.ParsePort(args[^1], allowZero: true),
                    Udp = parse.GetValue(shared.Udp),
                    Family = shared.Family(parse),
                };
            }
            var tlsOn = parse.GetValue(shared.Tls);
            if (!tlsOn && (parse.GetValue(cert) is not null || parse.GetValue(key) is not null))
                throw new UsageException("--cert and --key need --tls");
            if (parse.GetValue(key) is not null && parse.GetValue(cert) is null)
                throw new UsageException("--key needs --cert");
            if (!tlsOn && (parse.GetValue(verifyClient) ?? parse.GetValue(alpn)) is not null)
                throw new UsageException("--verify-client and --alpn need --tls");
            var keep = parse.GetValue(keepOpen);
            var max = parse.GetValue(maxClients);
            if (max is not null && !keep) throw new UsageException("--max-clients needs --keep-open");
            if (max is <= 0) throw new UsageException("--max-clients wants a positive number");
            var filter = access.Read(parse);
            var program = exec.Read(parse);
            if (program is not null && (endpoint.Udp || endpoint.UnixType == SocketType.Dgram)) throw new UsageException("--exec/--sh-exec need a stream socket, not -u");
            var stall = PipeCommandOptions.Seconds(parse.GetValue(stallTimeout), "--stall-timeout");
            if (stall is not null && !keep) throw new UsageException("--stall-timeout needs --keep-open");
            if (keep && (endpoint.Udp || endpoint.UnixType == SocketType.Dgram)) throw new UsageException("--keep-open is for stream sockets; a datagram listener already serves every sender");
            // Given no input at all (`< /dev/null`), a listener is receive-only, as with ncat -l and nc -l.
            var pump = shared.Pump(parse) with { HalfCloseOnEmptyInput = false };

            // Load the certificate before binding, so a bad file fails fast and leaves no socket behind.
            var tls = tlsOn ? TlsServerSettings.Create(parse.GetValue(cert), parse.GetValue(key), parse.GetValue(verifyClient),
                parse.GetValue(alpn)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)) : null;
            if (tls is { IsSelfSigned: true })
                PipeCommandOptions.Report($"TLS self-signed certificate SHA-256 {tls.Fingerprint}");

            using var listener = Endpoints.Bind(endpoint);
            var isWs = parse.GetValue(webSocket.Ws);
            if (!isWs && (parse.GetValue(webSocket.Path) is not null || webSocket.AnyClientFlag(parse)))
                throw new UsageException("--path, --text, --binary and --subprotocol need --ws");
            if (isWs && (keep || program is not null || endpoint.Udp || endpoint.UnixType != SocketType.Stream))
                throw new UsageException("--ws serves one client over a stream socket: no --keep-open, --exec, -u or --dgram (sock forward --listen-ws relays many)");
            var wsServer = isWs ? webSocket.Server(parse) : null;
            var wsPump = isWs ? webSocket.Pump(parse) with { CloseOnEmptyInput = false } : null;
            var created = endpoint.UnixPath is { } up && !UnixAddress.IsAbstract(up) ? up : null;
            var datagrams = endpoint.Udp || endpoint.UnixType == SocketType.Dgram;
            try
            {
                PipeCommandOptions.Status($"listening on {(endpoint.UnixPath ?? Endpoints.Describe(listener.LocalEndPoint))}{(endpoint.Udp ? " (UDP)" : "")}");
                var (input, output) = PipeCommandOptions.OpenStdio();
                if (datagrams)
                {
                    await UdpPipe.ListenAsync(listener, pump, input, output, PipeCommandOptions.Report, ct, filter);
                    return CommandRunner.Ok;
                }
                if (program is not null && keep)
                {
                    await new ExecServer(listener, program, PipeCommandOptions.Report) { Tls = tls, Filter = filter, MaxClients = max ?? 0 }.RunAsync(ct);
                    return CommandRunner.Interrupted;
                }
                if (program is not null)
                {
                    PipeConnection client;
                    try
                    {
                        client = await Endpoints.AcceptAsync(listener, tls, ct, filter, PipeCommandOptions.Report);
                    }
                    finally
                    {
                        listener.Close();
                    }
                    await using (client)
                    {
                        PipeCommandOptions.Report($"connection from {client.Peer}{ClientCertificate(client)}");
                        var ran = await ExecSession.RunAsync(client, program, pump.BufferSize, ct);
                        PipeCommandOptions.Status(ExecServer.Describe(ran));
                        if (ran.Error is not null) throw new SockException(ran.Error);
                    }
                    return CommandRunner.Ok;
                }
                if (keep)
                {
                    using var server = new BroadcastServer(listener, tls, max ?? 0, pump, PipeCommandOptions.Report)
                    {
                        StallTimeout = stall ?? BroadcastServer.DefaultStallTimeout,
                        Filter = filter,
                    };
                    await server.RunAsync(input, output, ct);
                    ct.ThrowIfCancellationRequested();
                    return CommandRunner.Ok;
                }
                PipeConnection connection;
                try
                {
                    connection = await Endpoints.AcceptAsync(listener, tls, ct, filter, PipeCommandOptions.Report);
                }
                finally
                {
                    listener.Close(); // one client, like ncat without -k: later ones are refused
                }
                if (wsServer is not null)
                {
                    await using var session = await Sock.Pipes.WebSockets.WebSocketServer.AcceptAsync(connection, wsServer, ct);
                    PipeCommandOptions.Report($"websocket connection from {connection.Peer} to {session.Path}{(session.Subprotocol is { } sp ? $" (subprotocol {sp})" : "")}");
                    return await WebSocketCommandOptions.PumpAsync(session, wsPump!, ct);
                }
                await using (connection)
                {
                    PipeCommandOptions.Report($"connection from {connection.Peer}{ClientCertificate(connection)}");
                    var result = await DuplexPump.RunAsync(connection, input, output, pump, ct);
                    PipeCommandOptions.Totals(result);
                }
                return CommandRunner.Ok;
            }
            finally
            {
                if (created is not null)
                    try { File.Delete(created); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            }
        });
        return command;
    }

    /// <summary>" (TLS client CN=alice, SHA-256 …)" when --verify-client checked one.</summary>
    private static string ClientCertificate(PipeConnection connection) =>
        TlsServerSettings.DescribeClient(connection.Stream) is { } who ? $" (TLS client {who})" : "";
}
