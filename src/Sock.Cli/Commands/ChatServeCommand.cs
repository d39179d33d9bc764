using System.Runtime.InteropServices;
using System.CommandLine;
using System.Net;
using Sock.Chat;
using Sock.Cli.Chat;
using Sock.Tls;
using Sock.Web;

namespace Sock.Cli.Commands;

/// <summary>`sock chat serve`: the multi-user plain+IRC chat server.</summary>
internal static class ChatServeCommand
{
    public static Command Create()
    {
        var defaults = new ChatServerOptions { ServerName = "x" };
        var bind = new Option<string?>("--bind") { Description = "Address to listen on (default: all interfaces, IPv4 and IPv6)" };
        var port = new Option<int>("--port", "-p") { Description = "TCP port", DefaultValueFactory = _ => ChatServerOptions.DefaultPort };
        var listen = new Option<string[]>("--listen") { HelpName = "[ADDR:]PORT[/tls]", Description = "Listen here too (repeatable), every protocol on each; /tls: TLS only (turns TLS on), as IRC's 6697", AllowMultipleArgumentsPerToken = false };
        var name = new Option<string?>("--name") { Description = "Server name in IRC numerics (default: this host's FQDN)" };
        var tls = new Option<bool>("--tls") { Description = "Also accept TLS on the same port (self-signed unless --cert)" };
        var cert = new Option<string?>("--cert") { Description = "PEM certificate for --tls" };
        var key = new Option<string?>("--key") { Description = "PEM private key for --tls" };
        var password = new Option<string?>("--password") { Description = "Connection password (IRC PASS; plain users must /login PASSWORD first)" };
        var oper = new Option<string[]>("--oper") { Description = "IRC operator account NAME:PASSWORD (repeatable)", AllowMultipleArgumentsPerToken = false };
        var history = new Option<int>("--history") { Description = "Messages kept per room and replayable", DefaultValueFactory = _ => defaults.HistoryLength };
        var db = new Option<string?>("--db") { Description = "Keep history in this SQLite file (survives restarts)" };
        var motd = new Option<string?>("--motd") { Description = "Message of the day shown to IRC clients" };
        var maxClients = new Option<int>("--max-clients") { Description = "Maximum connected clients", DefaultValueFactory = _ => defaults.MaxClients };
        var maxPerAddress = new Option<int>("--max-per-address") { Description = "Connections open at once from one address, IPv6 per /64 (0 = no limit)", DefaultValueFactory = _ => defaults.MaxPerAddress };
        var connectsPerMinute = new Option<int>("--connects-per-minute") { Description = "New connections a minute from one address, IPv6 per /64 (0 = no limit)", DefaultValueFactory = _ => defaults.ConnectsPerMinute };
        var exempt = new Option<string[]>("--exempt") { Description = "Address or CIDR free of the per-address limits (repeatable; 127.0.0.1 and ::1 always are)", HelpName = "CIDR", AllowMultipleArgumentsPerToken = false };
        var announceJoins = new Option<int>("--announce-joins") { Description = "Plain users see joins, parts and quits only in rooms of at most this many members", DefaultValueFactory = _ => defaults.AnnounceJoins };
        var maxQueue = new Option<long>("--max-queue") { Description = "Bytes queued for a client that stops reading before it is disconnected", DefaultValueFactory = _ => defaults.MaxQueueBytes };
        var flood = new Option<double>("--flood") { Description = "Lines per second per client before its lines are delayed (0 = off)" };
        var maxLine = new Option<int>("--max-line") { Description = "Longest line in bytes; longer lines are cut with an error", DefaultValueFactory = _ => defaults.MaxLineBytes };
        var regTimeout = new Option<double>("--registration-timeout") { Description = "Seconds an IRC client has to register", DefaultValueFactory = _ => defaults.RegistrationTimeout.TotalSeconds };
        var pingInterval = new Option<double>("--ping-interval") { Description = "Seconds of IRC silence before a PING (the client then has the same again to answer)", DefaultValueFactory = _ => defaults.PingInterval.TotalSeconds };
        var serverInfo = new Option<string>("--server-info") { Description = "One line about the server, shown by LINKS and WHOIS", DefaultValueFactory = _ => defaults.ServerInfo };
        var servicesServer = new Option<string?>("--services-server") { Description = "Show NickServ/ChanServ on a server of this name, linked in LINKS (as networks with services servers do)" };
        var room = new Option<string>("--room") { Description = "Room plain clients start in", DefaultValueFactory = _ => defaults.DefaultRoom };
        var webOrigin = new Option<string[]>("--web-origin") { Description = "Page origin allowed to open a WebSocket, e.g. https://chat.example (repeatable; default any)", AllowMultipleArgumentsPerToken = false };
        var trustedProxy = new Option<string[]>("--trusted-proxy") { Description = "Reverse proxy CIDR whose X-Forwarded-For names the client (repeatable)", AllowMultipleArgumentsPerToken = false };
        var files = new Option<string?>("--files") { Description = "Directory for files shared over the web (POST /files; logged-in users only)" };
        var maxUpload = new Option<long>("--max-upload") { Description = "Largest file upload in bytes", DefaultValueFactory = _ => new ChatWebOptions().MaxUploadBytes };
        var requireAccount = new Option<bool>("--require-account") { Description = "Accounts-only: users must log in (SASL, NickServ, /login) before they join or talk" };
        var verifyAccounts = new Option<bool>("--verify-accounts") { Description = "New accounts need the verification code the server logs (VERIFY) before they log in" };
        var nickGrace = new Option<double>("--nick-grace") { Description = "Seconds someone not logged in may keep a registered nick", DefaultValueFactory = _ => defaults.NickGrace.TotalSeconds };
        var iterations = new Option<int>("--password-iterations") { Description = "PBKDF2-SHA-256 iterations for new passwords (kept per account)", DefaultValueFactory = _ => defaults.AccountOptions.Iterations };
        var beforeConnect = new Option<bool>("--register-before-connect") { Description = "Allow IRC REGISTER before NICK/USER complete (true/false)", DefaultValueFactory = _ => defaults.AccountOptions.RegisterBeforeConnect };
        var requireEmail = new Option<bool>("--require-email") { Description = "REGISTER needs an e-mail address (checked for form only; no mail is sent)" };
        var config = new Option<string?>("--config") { Description = "Read settings from a JSON file (keys: these flags without --, comments allowed); flags override it" };
        var checkConfig = new Option<string?>("--check-config") { Description = "Validate a config file (and the certificates it names), print the settings, exit" };
        var logFormat = new Option<string>("--log-format") { Description = "Log lines on stderr as text or json (one object per line)", DefaultValueFactory = _ => "text" };
        logFormat.AcceptOnlyFromAmong("text", "json");
        var motdFile = new Option<string?>("--motd-file") { Description = "Message of the day from a file (re-read on SIGHUP)" };
        var cluster = new Option<string?>("--cluster") { Description = "Be one node of a cluster sharing nicks, rooms, history and accounts through this Redis (redis://HOST:PORT, or redis+sentinel://HOST:PORT,…/MASTERNAME)" };
        var nodeId = new Option<string?>("--node-id") { Description = "This node's name in the cluster, kept across its restarts (default: HOSTNAME-PORT)" };
        var multiclient = new Option<string>("--multiclient") { Description = "A logged-in account may connect several devices under its one nick (docs/devices.md)", DefaultValueFactory = _ => "on" };
        multiclient.AcceptOnlyFromAmong("on", "off");
        var alwaysOn = new Option<string>("--always-on") { Description = "Who stays in their rooms, away, when their last device leaves: off, opt-in (NickServ SET ALWAYS-ON ON) or opt-out", DefaultValueFactory = _ => "opt-in" };
        alwaysOn.AcceptOnlyFromAmong("off", "opt-in", "opt-out");
        var maxDevices = new Option<int>("--max-devices-per-account") { Description = "Devices one account may have connected at once", DefaultValueFactory = _ => defaults.MaxDevicesPerAccount };
        var minPassword = new Option<int>("--min-password") { Description = "Shortest password accepted", DefaultValueFactory = _ => defaults.AccountOptions.MinPasswordLength };

        var cmd = new Command("serve", "Run the chat server: plain lines and IRC on one port, shared rooms and nicks.")
        {
            bind, port, listen, name, tls, cert, key, password, oper, history, db, motd, maxClients, maxPerAddress, connectsPerMinute, exempt, announceJoins, maxQueue, flood, maxLine, regTimeout, pingInterval, room, serverInfo, servicesServer,
            requireAccount, verifyAccounts, nickGrace, iterations, minPassword, beforeConnect, requireEmail,
            config, checkConfig, logFormat, motdFile,
            webOrigin, trustedProxy, files, maxUpload, cluster, nodeId, multiclient, maxDevices, alwaysOn,
        };
        var access = new AccessCommandOptions();
        access.AddTo(cmd);
        cmd.WithExamples(
            "sock chat serve                                   # port 4323; then: nc 127.0.0.1 4323",
            "sock chat serve --flood 5 --max-clients 500 --oper admin:s3cret   # a public server",
            "sock chat serve --db chat.db --history 200        # history and accounts survive restarts",
            "sock chat serve --db chat.db --require-account    # accounts-only (register: /msg NickServ REGISTER pw)",
            "sock chat serve --tls --port 6697",
            "sock chat serve --port 6667 --listen 6697/tls --listen 127.0.0.1:8080   # IRC's ports, and a local one for a proxy",
            "sock chat serve --config /etc/sock/chat.json     # kill -HUP reloads it; SIGTERM stops gracefully",
            "sock chat serve --check-config /etc/sock/chat.json",
            "sock chat serve --allow 10.0.0.0/8 --allow fd00::/8 --deny 10.0.0.66",
            "sock chat serve --web-origin https://chat.example --trusted-proxy 10.0.0.0/8   # behind a reverse proxy",
            "sock chat serve --cluster redis://10.0.0.5:6379 --node-id a   # one of several nodes sharing one Redis",
            "sock chat serve --cluster redis+sentinel://10.0.0.5:26379,10.0.0.6:26379,10.0.0.7:26379/chat --node-id a   # Redis behind Sentinel");
        cmd.SetHandler(async (parse, ct) =>
        {
            if (parse.GetValue(checkConfig) is { } checkPath)
            {
                var checkedOptions = Build(ChatConfigFile.Merge(cmd, parse, checkPath));
                Console.Out.WriteLine($"config {checkPath}: ok — port {checkedOptions.Port}{(checkedOptions.Listeners.Count == 0 ? "" : " and " + string.Join(", ", checkedOptions.Listeners))}, server name {checkedOptions.ServerName}, {checkedOptions.Operators.Count} operator(s), "
                    + $"history {(checkedOptions.DatabasePath ?? "in memory")}, TLS {(checkedOptions.Tls is null ? "off" : checkedOptions.Tls.Fingerprint)}");
                return CommandRunner.Ok;
            }
            var configPath = parse.GetValue(config);
            var effective = configPath is null ? parse : ChatConfigFile.Merge(cmd, parse, configPath);
            var options = Build(effective);
            var filter = access.Read(effective);
            var webOptions = BuildWeb(effective);
            await using var server = await ChatServer.StartAsync(options, await ChatBackends.OpenAsync(options, ct));
            server.AccessFilter = filter;
            await using var web = await ChatWebServer.StartAsync(server, webOptions, ct);
            var log = new ServerLog(effective.GetValue(logFormat) == "json");
            var interactive = !Console.IsInputRedirected && !Console.IsOutputRedirected;
            // SIGHUP: read the flags (and the config file, the MOTD file, the certificates) again and apply them.
            using var reload = PosixSignalRegistration.Create(PosixSignal.SIGHUP, signal =>
            {
                signal.Cancel = true;
                try
                {
                    var reloaded = configPath is null ? parse : ChatConfigFile.Merge(cmd, parse, configPath);
                    server.Reload(Build(reloaded));
                    server.AccessFilter = access.Read(reloaded);
                }
                catch (Exception e) when (e is UsageException or SockException or IOException or System.Security.Cryptography.CryptographicException)
                {
                    log.Write($"reload failed, the running settings stay: {e.Message}");
                }
            });
            // SIGTERM is an orderly stop (exit 0): the server tells everyone and drains their queues,
            // so the signal's default (ending the process after a short wait) is cancelled.
            var terminated = false;
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal =>
            {
                signal.Cancel = true;
                terminated = true;
                stop.Cancel();
            });
            // Said only once both signal handlers are in place: a script (or test) that waits for this
            // line and then sends SIGHUP or SIGTERM must reach them, not the signal's default action.
            log.Write(DescriptorLine());
            log.Write($"sock chat: listening on {string.Join(", ", server.ListenAddresses.Select(a => a.TlsOnly ? $"{a} (TLS only)" : a.ToString()))} (plain + IRC + HTTP{(options.Tls is null ? "" : " + TLS " + options.Tls.Fingerprint)}), server name {options.ServerName}, history {(options.ClusterUrl is { } c ? $"in the cluster ({c}, node {options.NodeId})" : options.DatabasePath ?? "in memory")}");
            if (server.Hub.RestoredAlwaysOn > 0) log.Write($"sock chat: {server.Hub.RestoredAlwaysOn} always-on member(s) restored (in their rooms, away, no device)");
            if (interactive)
            {
                var console = new OperatorConsole(server);
                var code = await console.RunAsync(stop.Token);
                return terminated ? CommandRunner.Ok : code;
            }
            server.Log += log.Write;
            await server.RunAsync(stop.Token);
            return terminated ? CommandRunner.Ok : CommandRunner.Interrupted;
        });
        return cmd;

        ChatServerOptions Build(ParseResult parse)
        {
            IPAddress? address = null;
            if (parse.GetValue(bind) is { } b && !IPAddress.TryParse(b, out address))
                throw new UsageException($"--bind: '{b}' is not an IP address");
            var p = parse.GetValue(port);
            if (p is < 0 or > 65535) throw new UsageException($"--port: {p} is out of range 0-65535");
            var opers = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var o in parse.GetValue(oper) ?? [])
            {
                var colon = o.IndexOf(':', StringComparison.Ordinal);
                if (colon <= 0 || colon == o.Length - 1) throw new UsageException($"--oper: '{o}' must be NAME:PASSWORD");
                opers[o[..colon]] = o[(colon + 1)..];
            }
            if (parse.GetValue(maxPerAddress) < 0) throw new UsageException("--max-per-address: must be 0 (no limit) or positive");
            if (parse.GetValue(connectsPerMinute) < 0) throw new UsageException("--connects-per-minute: must be 0 (no limit) or positive");
            if (parse.GetValue(announceJoins) < 0) throw new UsageException("--announce-joins: must be 0 (never) or positive");
            var exempts = new List<IPNetwork>(ChatServerOptions.DefaultLimitExempt);
            foreach (var rule in parse.GetValue(exempt) ?? [])
            {
                try { exempts.Add(Sock.Net.AddressFilter.ParseRule(rule)); }
                catch (ArgumentException e) { throw new UsageException($"--exempt {e.Message}"); }
            }
            // A trusted reverse proxy carries many clients on its own address: it is exempt too.
            exempts.AddRange(BuildWeb(parse).TrustedProxies);
            if (parse.GetValue(maxQueue) < 1024) throw new UsageException("--max-queue: at least 1024 bytes");
            if (parse.GetValue(maxLine) < 64) throw new UsageException("--max-line: at least 64 bytes");
            if (parse.GetValue(maxDevices) < 1) throw new UsageException("--max-devices-per-account: at least 1");
            if (parse.GetValue(flood) < 0) throw new UsageException("--flood: must be 0 (off) or positive");
            if (parse.GetValue(iterations) < Sock.Chat.Accounts.PasswordVerifier.MinimumIterations)
                throw new UsageException($"--password-iterations: at least {Sock.Chat.Accounts.PasswordVerifier.MinimumIterations} (RFC 7677)");
            var listeners = new List<ChatListenAddress>();
            foreach (var l in parse.GetValue(listen) ?? [])
                listeners.Add(ChatListenAddress.TryParse(l, out var listenError) ?? throw new UsageException($"--listen {listenError}"));
            // A TLS-only listener is TLS on: self-signed unless --cert, as with --tls.
            var tlsOn = parse.GetValue(tls) || listeners.Any(l => l.TlsOnly);
            if ((parse.GetValue(cert) is not null || parse.GetValue(key) is not null) && !tlsOn)
                throw new UsageException("--cert/--key need --tls (or a --listen PORT/tls)");
            var motdText = parse.GetValue(motd);
            if (parse.GetValue(motdFile) is { } motdPath)
            {
                if (motdText is not null) throw new UsageException("--motd and --motd-file: give one");
                try { motdText = File.ReadAllText(motdPath).TrimEnd('\r', '\n'); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new UsageException($"--motd-file: {e.Message}"); }
            }
            var options = new ChatServerOptions
            {
                BindAddress = address,
                Port = p,
                Listeners = listeners,
                // The sts cap sends clients to the TLS-only port when there is one (IRCv3 sts: port=).
                StsPort = listeners.FirstOrDefault(l => l.TlsOnly)?.Port,
                ServerName = parse.GetValue(name) ?? ChatServerOptions.DefaultServerName(),
                Password = parse.GetValue(password),
                Operators = opers,
                HistoryLength = Math.Max(0, parse.GetValue(history)),
                HistoryReplay = Math.Min(defaults.HistoryReplay, Math.Max(0, parse.GetValue(history))),
                DatabasePath = parse.GetValue(db),
                Motd = motdText ?? defaults.Motd,
                ServerInfo = parse.GetValue(serverInfo) ?? defaults.ServerInfo,
                ServicesServer = parse.GetValue(servicesServer) is { Length: > 0 } services ? services : null,
                MaxClients = parse.GetValue(maxClients),
                MaxPerAddress = parse.GetValue(maxPerAddress),
                ConnectsPerMinute = parse.GetValue(connectsPerMinute),
                LimitExempt = exempts,
                AnnounceJoins = parse.GetValue(announceJoins),
                MaxQueueBytes = parse.GetValue(maxQueue),
                FloodLinesPerSecond = parse.GetValue(flood),
                MaxLineBytes = parse.GetValue(maxLine),
                RegistrationTimeout = TimeSpan.FromSeconds(parse.GetValue(regTimeout)),
                PingInterval = TimeSpan.FromSeconds(parse.GetValue(pingInterval)),
                PingTimeout = TimeSpan.FromSeconds(parse.GetValue(pingInterval)),
                DefaultRoom = parse.GetValue(room)!.StartsWith('#') ? parse.GetValue(room)! : "#" + parse.GetValue(room),
                RequireAccount = parse.GetValue(requireAccount),
                NickGrace = TimeSpan.FromSeconds(Math.Max(0, parse.GetValue(nickGrace))),
                Multiclient = parse.GetValue(multiclient) == "on",
                MaxDevicesPerAccount = parse.GetValue(maxDevices),
                AlwaysOn = parse.GetValue(alwaysOn) switch { "off" => Sock.Chat.Devices.AlwaysOnPolicy.Off, "opt-out" => Sock.Chat.Devices.AlwaysOnPolicy.OptOut, _ => Sock.Chat.Devices.AlwaysOnPolicy.OptIn },
                AccountOptions = new Sock.Chat.Accounts.AccountOptions
                {
                    Iterations = parse.GetValue(iterations),
                    MinPasswordLength = Math.Max(1, parse.GetValue(minPassword)),
                    VerifyAccounts = parse.GetValue(verifyAccounts),
                    RegisterBeforeConnect = parse.GetValue(beforeConnect),
                    RequireEmail = parse.GetValue(requireEmail),
                },
                Tls = tlsOn ? TlsServerSettings.Create(parse.GetValue(cert), parse.GetValue(key)) : null,
                ClusterUrl = parse.GetValue(cluster),
                NodeId = parse.GetValue(cluster) is null ? null : parse.GetValue(nodeId) ?? $"{Environment.MachineName}-{p}",
            };
            if (options.ClusterUrl is not null && options.DatabasePath is not null)
                throw new UsageException("--db and --cluster: a cluster keeps history and accounts in Redis; give one");
            if (options.NodeId is { } id && (id.Length > 32 || !id.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_' or '.')))
                throw new UsageException("--node-id: up to 32 letters, digits, '-', '_' or '.'");
            if (options.ClusterUrl is { } url) _ = Sock.Chat.Cluster.ClusterNode.ParseUrl(url);
            return options;
        }

        // One descriptor per client: the usual soft limit (1024) would stop the server long before
        // --max-clients, so it is raised to the hard limit, which an unprivileged process may do.
        static string DescriptorLine()
        {
            Sock.Net.FileLimits.PrepareForExhaustion();
            return Sock.Net.FileLimits.RaiseToHard() switch
            {
                null => "open files: no limit to raise on this system",
                { Error: { } error } r => $"open files: limit {r.Before} (hard {r.Hard}); raising it failed: {error}",
                { } r when r.After > r.Before => $"open files: limit raised from {r.Before} to {r.After} (the hard limit)",
                { } r => $"open files: limit {r.After} (already the hard limit)",
            };
        }

        ChatWebOptions BuildWeb(ParseResult parse)
        {
            var proxies = new List<IPNetwork>();
            foreach (var cidr in parse.GetValue(trustedProxy) ?? [])
            {
                var text = cidr.Contains('/', StringComparison.Ordinal) ? cidr : cidr + (cidr.Contains(':', StringComparison.Ordinal) ? "/128" : "/32");
                if (!IPNetwork.TryParse(text, out var network)) throw new UsageException($"--trusted-proxy: '{cidr}' is not an address or CIDR");
                proxies.Add(network);
            }
            if (parse.GetValue(maxUpload) < 1) throw new UsageException("--max-upload: at least 1 byte");
            var origins = (parse.GetValue(webOrigin) ?? []).Select(o => o.TrimEnd('/')).ToList();
            foreach (var o in origins)
                if (!Uri.TryCreate(o, UriKind.Absolute, out var u) || u.Scheme is not ("http" or "https") || u.PathAndQuery != "/")
                    throw new UsageException($"--web-origin: '{o}' must be an origin such as https://chat.example");
            return new ChatWebOptions { AllowedOrigins = origins, TrustedProxies = proxies, FilesDirectory = parse.GetValue(files), MaxUploadBytes = parse.GetValue(maxUpload) };
        }
    }
}
