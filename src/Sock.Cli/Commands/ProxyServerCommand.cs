using System.CommandLine;
using System.Net.Sockets;
using Sock.Net.Proxy.Server;
using Sock.Pipes;

namespace Sock.Cli.Commands;

/// <summary>`sock proxy --socks PORT --http PORT`: a SOCKS5/SOCKS4a and HTTP CONNECT proxy server (microsocks, tinyproxy).</summary>
internal static class ProxyServerCommand
{
    public static Command Create()
    {
        var socks = new Option<int?>("--socks") { Description = "Serve SOCKS5 (CONNECT, UDP ASSOCIATE) and SOCKS4/4a on this port (0: any free port)", HelpName = "PORT" };
        var http = new Option<int?>("--http") { Description = "Serve HTTP CONNECT on this port (0: any free port)", HelpName = "PORT" };
        var bind = new Option<string?>("--bind", "-b") { Description = "Address to listen on [default: 127.0.0.1; '::' or 0.0.0.0 for every address]", HelpName = "ADDR" };
        var auth = new Option<string?>("--auth") { Description = "Require this user and password (SOCKS5 RFC 1929, HTTP Basic); SOCKS4 is then refused", HelpName = "USER:PASS" };
        var maxClients = new Option<int?>("--max-clients") { Description = "Serve at most N connections at once; more are refused [default: 512]", HelpName = "N" };
        var timeout = new Option<double?>("--timeout", "-w") { Description = "Give up connecting to a target after S seconds [default: 10]", HelpName = "S" };
        var handshake = new Option<double?>("--handshake-timeout") { Description = "Drop a client that has not sent its whole request within S seconds [default: 15]", HelpName = "S" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "No line per connection (refusals and errors still reported)" };
        var access = new AccessCommandOptions();

        var command = new Command("proxy", "A proxy server: SOCKS5 (user/password, CONNECT, UDP ASSOCIATE), SOCKS4/4a and HTTP CONNECT; one log line per connection.");
        foreach (var o in new Option[] { socks, http, bind, auth, maxClients, timeout, handshake, quiet }) command.Options.Add(o);
        access.AddTo(command);
        command.WithExamples(
            "sock proxy --socks 1080                              # curl --socks5-hostname 127.0.0.1:1080 http://example.com/",
            "sock proxy --http 3128 --auth bob:s3cret             # curl -p -x http://bob:s3cret@127.0.0.1:3128 https://example.com/",
            "sock proxy --socks 1080 --http 3128 --bind :: --allow 10.0.0.0/8",
            "sock connect --proxy socks5://127.0.0.1:1080 --proxy http://127.0.0.1:3128 example.com 80   # a chain");

        command.SetHandler(async (parse, ct) =>
        {
            var socksPort = parse.GetValue(socks);
            var httpPort = parse.GetValue(http);
            if (socksPort is null && httpPort is null) throw new UsageException("proxy needs --socks PORT, --http PORT or both");
            foreach (var (port, flag) in new[] { (socksPort, "--socks"), (httpPort, "--http") })
                if (port is < 0 or > 65535) throw new UsageException($"{flag} wants a port number (0-65535)");
            string? user = null, password = null;
            if (parse.GetValue(auth) is { } a)
            {
                var colon = a.IndexOf(':', StringComparison.Ordinal);
                if (colon <= 0) throw new UsageException("--auth wants USER:PASS");
                (user, password) = (a[..colon], a[(colon + 1)..]);
                if (System.Text.Encoding.UTF8.GetByteCount(user) > 255 || System.Text.Encoding.UTF8.GetByteCount(password) > 255)
                    throw new UsageException("--auth: user and password are at most 255 bytes each (RFC 1929)");
            }
            var max = parse.GetValue(maxClients);
            if (max is <= 0) throw new UsageException("--max-clients wants a positive number");
            var defaults = new ProxyServerOptions();
            var options = defaults with
            {
                User = user,
                Password = password,
                Filter = access.Read(parse),
                MaxClients = max ?? defaults.MaxClients,
                ConnectTimeout = PipeCommandOptions.Seconds(parse.GetValue(timeout), "--timeout") ?? defaults.ConnectTimeout,
                HandshakeTimeout = PipeCommandOptions.Seconds(parse.GetValue(handshake), "--handshake-timeout") ?? defaults.HandshakeTimeout,
            };
            var beQuiet = parse.GetValue(quiet);
            void Log(string line)
            {
                // --quiet drops the accounting lines of connections that went well; refusals and failures show.
                if (!beQuiet || !line.Contains(" bytes up, ", StringComparison.Ordinal) || line.Contains(", receive from", StringComparison.Ordinal) || line.Contains(", send to", StringComparison.Ordinal))
                    PipeCommandOptions.Report(line);
            }

            var host = parse.GetValue(bind) ?? "127.0.0.1";
            var listeners = new List<(Socket Socket, string Name)>();
            try
            {
                if (socksPort is { } sp) listeners.Add((Endpoints.Bind(new PipeEndpoint { Host = host, Port = sp }), "SOCKS5/SOCKS4a"));
                if (httpPort is { } hp) listeners.Add((Endpoints.Bind(new PipeEndpoint { Host = host, Port = hp }), "HTTP CONNECT"));
                var server = new ProxyServer(options, Log);
                foreach (var (socket, name) in listeners)
                    PipeCommandOptions.Report($"{name} proxy on {Endpoints.Describe(socket.LocalEndPoint)}{(user is null ? "" : " (user/password required)")}");
                await Task.WhenAll(listeners.Select(l => server.RunAsync(l.Socket, ct)));
                return CommandRunner.Interrupted;
            }
            finally
            {
                foreach (var (socket, _) in listeners) socket.Dispose();
            }
        });
        return command;
    }
}
