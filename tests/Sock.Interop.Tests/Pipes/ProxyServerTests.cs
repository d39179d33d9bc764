using Sock.Interop.Tests.Infrastructure;
using static Sock.Interop.Tests.Pipes.PipeTestKit;

namespace Sock.Interop.Tests.Pipes;

/// <summary>
/// `sock proxy` with real clients: curl (SOCKS5 with names resolved by the proxy, SOCKS4a, HTTP CONNECT),
/// ncat's SOCKS5 client, a Python UDP ASSOCIATE client written with the stdlib socket module, user/password
/// right and wrong, clients speaking garbage or stalling, and chains: sock → microsocks → tinyproxy → target
/// and sock's own proxy as a hop.
/// </summary>
public class ProxyServerTests
{
    private static string Curl => Peers.Require("curl", "curl");

    /// <summary>`sock proxy` on two free loopback ports (SOCKS and HTTP), started and bound.</summary>
    private sealed class SockProxy : IAsyncDisposable
    {
        public RunningProcess Process { get; }
        public int Socks { get; }
        public int Http { get; }
        public string Log => Process.Stderr;

        private SockProxy(RunningProcess process, int socks, int http) => (Process, Socks, Http) = (process, socks, http);

        public static async Task<SockProxy> StartAsync(params string[] extra)
        {
            var (socks, http) = (FreePort.Tcp(), FreePort.Tcp());
            var p = SockCli.Start(["proxy", "--socks", socks.ToString(), "--http", http.ToString(), .. extra]);
            var proxy = new SockProxy(p, socks, http);
            try
            {
                await WaitBoundAsync(socks);
                await WaitBoundAsync(http);
            }
            catch
            {
                await proxy.DisposeAsync();
                throw;
            }
            return proxy;
        }

        /// <summary>Waits for the log line that contains <paramref name="text"/> (lines come as connections end).</summary>
        public Task LoggedAsync(string text) => Process.WaitForStderrAsync(text, Long);

        public ValueTask DisposeAsync() => Process.DisposeAsync();
    }

    /// <summary>A real HTTP server (Python's http.server) serving one file of random bytes.</summary>
    private static async Task<(RunningProcess Server, int Port, string Sha256)> HttpServerAsync(TempDir dir)
    {
        var (_, sha) = RandomFile(dir, 1024 * 1024, "file.bin");
        var port = FreePort.Tcp();
        var server = RunningProcess.Start(Peers.Python3, ["-m", "http.server", "--bind", "127.0.0.1", "--directory", dir.Path, port.ToString()]);
        await WaitBoundAsync(port);
        return (server, port, sha);
    }

    private static async Task<(int Code, byte[] Body, string Stderr)> CurlAsync(params string[] args)
    {
        await using var p = RunningProcess.Start(Curl, ["-sS", "--max-time", "20", .. args]);
        p.CloseStdin();
        var code = await p.WaitForExitAsync(Long);
        return (code, p.StdoutBytes, p.Stderr);
    }

    private static async Task<(RunningProcess Process, int Port)> GreeterAsync()
    {
        var port = FreePort.Tcp();
        var p = RunningProcess.Start(Peers.Socat, [$"TCP-LISTEN:{port},bind=127.0.0.1,reuseaddr,fork", "SYSTEM:echo hello-from-target"]);
        await WaitBoundAsync(port);
        return (p, port);
    }

    [Fact]
    public async Task CurlAndNcatThroughSocks5Socks4aAndHttpConnect()
    {
        using var dir = FreePort.TempDir();
        var (server, port, sha) = await HttpServerAsync(dir);
        await using var _ = server;
        await using var proxy = await SockProxy.StartAsync();
        var url = $"http://localhost:{port}/file.bin";

        var socks5 = await CurlAsync("--socks5-hostname", $"127.0.0.1:{proxy.Socks}", url);
        Assert.True(socks5.Code == 0, socks5.Stderr + proxy.Log);
        Assert.Equal(sha, Hash(socks5.Body));
        await proxy.LoggedAsync($"-> localhost:{port} (SOCKS5 CONNECT): ");

        var socks4a = await CurlAsync("--socks4a", $"127.0.0.1:{proxy.Socks}", url);
        Assert.True(socks4a.Code == 0, socks4a.Stderr + proxy.Log);
        Assert.Equal(sha, Hash(socks4a.Body));
        await proxy.LoggedAsync($"-> localhost:{port} (SOCKS4a CONNECT): ");

        var connect = await CurlAsync("-p", "-x", $"http://127.0.0.1:{proxy.Http}", url);
        Assert.True(connect.Code == 0, connect.Stderr + proxy.Log);
        Assert.Equal(sha, Hash(connect.Body));
        await proxy.LoggedAsync($"-> localhost:{port} (HTTP CONNECT): ");
        // The log line counts the bytes: the whole file (and the response head) came down.
        var line = proxy.Log.Split('\n').Single(l => l.Contains("(HTTP CONNECT)", StringComparison.Ordinal));
        var down = long.Parse(line.Split(" bytes down")[0].Split(' ')[^1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(down, 1024 * 1024, 1024 * 1024 + 4096);

        // Without -p curl sends a plain GET to the proxy: refused with the reason, not a hang.
        var plain = await CurlAsync("-x", $"http://127.0.0.1:{proxy.Http}", "-o", "/dev/null", "-w", "%{http_code}", url);
        Assert.Equal("405", System.Text.Encoding.ASCII.GetString(plain.Body));
        await proxy.LoggedAsync("HTTP GET is not CONNECT (405)");

        var (greeter, greeterPort) = await GreeterAsync();
        await using var __ = greeter;
        await using var ncat = Shell($"sleep 1 | {Q(Peers.Ncat)} --proxy 127.0.0.1:{proxy.Socks} --proxy-type socks5 127.0.0.1 {greeterPort}");
        Assert.Equal(0, await ncat.WaitForExitAsync(Long));
        Assert.Equal("hello-from-target\n", ncat.Stdout);
        Assert.DoesNotContain("   at ", proxy.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UserPasswordRightAndWrong()
    {
        using var dir = FreePort.TempDir();
        var (server, port, sha) = await HttpServerAsync(dir);
        await using var _ = server;
        await using var proxy = await SockProxy.StartAsync("--auth", "bob:s3cret");
        var url = $"http://127.0.0.1:{port}/file.bin";

        var ok = await CurlAsync("--socks5-hostname", $"bob:s3cret@127.0.0.1:{proxy.Socks}", url);
        Assert.True(ok.Code == 0, ok.Stderr + proxy.Log);
        Assert.Equal(sha, Hash(ok.Body));
        var wrong = await CurlAsync("--socks5-hostname", $"bob:nope@127.0.0.1:{proxy.Socks}", url);
        Assert.Equal(97, wrong.Code); // curl: CURLE_PROXY, "User was rejected by the SOCKS5 server"
        await proxy.LoggedAsync("SOCKS5 authentication failed for user 'bob'");
        var none = await CurlAsync("--socks5-hostname", $"127.0.0.1:{proxy.Socks}", url);
        Assert.Equal(97, none.Code);
        await proxy.LoggedAsync("SOCKS5 client offered no user/password authentication (--auth is set)");
        var socks4 = await CurlAsync("--socks4a", $"127.0.0.1:{proxy.Socks}", url);
        Assert.NotEqual(0, socks4.Code);
        await proxy.LoggedAsync("SOCKS4 carries no password and --auth is set (reply 91)");

        var httpOk = await CurlAsync("-p", "-x", $"http://bob:s3cret@127.0.0.1:{proxy.Http}", url);
        Assert.True(httpOk.Code == 0, httpOk.Stderr);
        Assert.Equal(sha, Hash(httpOk.Body));
        var httpWrong = await CurlAsync("-p", "-x", $"http://bob:nope@127.0.0.1:{proxy.Http}", url);
        Assert.Equal(56, httpWrong.Code); // CURLE_RECV_ERROR: "CONNECT tunnel failed, response 407"
        Assert.Contains("407", httpWrong.Stderr, StringComparison.Ordinal);
        await proxy.LoggedAsync("HTTP authentication failed for user 'bob' (407)");

        // sock's own client against sock's server, both ways of giving credentials.
        var (greeter, greeterPort) = await GreeterAsync();
        await using var __ = greeter;
        var client = await SockConnectAsync("--proxy", $"socks5://bob:s3cret@127.0.0.1:{proxy.Socks}", "127.0.0.1", greeterPort.ToString());
        Assert.Equal((0, "hello-from-target\n"), (client.Code, client.Stdout));
        var bad = await SockConnectAsync("--proxy", $"127.0.0.1:{proxy.Http}", "--proxy-auth", "bob:nope", "127.0.0.1", greeterPort.ToString());
        Assert.Equal((1, $"sock: proxy 127.0.0.1:{proxy.Http} refused: authentication required or rejected (HTTP 407 Proxy Authentication Required)\n"), (bad.Code, bad.Stderr));
    }

    /// <summary>
    /// UDP ASSOCIATE with a client written from RFC 1928 with Python's socket module: three datagrams to
    /// a UDP echo target and back, each answer carrying the target's address in its header.
    /// </summary>
    [Fact]
    public async Task UdpAssociateWithAPythonClient()
    {
        await using var proxy = await SockProxy.StartAsync("--auth", "bob:s3cret");
        const string script = """
            import socket, struct, sys, threading
            echo = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            echo.bind(("127.0.0.1", 0))
            def serve():
                for _ in range(3):
                    data, peer = echo.recvfrom(65535)
                    echo.sendto(data.upper(), peer)
            threading.Thread(target=serve, daemon=True).start()
            control = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
            control.sendall(b"\x05\x01\x02")
            assert control.recv(2) == b"\x05\x02"
            control.sendall(b"\x01\x03bob\x06s3cret")
            assert control.recv(2) == b"\x01\x00"
            control.sendall(b"\x05\x03\x00\x01" + socket.inet_aton("0.0.0.0") + struct.pack(">H", 0))
            reply = control.recv(10)
            assert reply[:4] == b"\x05\x00\x00\x01", reply
            relay = (socket.inet_ntoa(reply[4:8]), struct.unpack(">H", reply[8:10])[0])
            udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            udp.settimeout(10)
            target = echo.getsockname()
            for i in range(3):
                header = b"\x00\x00\x00\x01" + socket.inet_aton(target[0]) + struct.pack(">H", target[1])
                udp.sendto(header + b"ping %d" % i, relay)
                data, sender = udp.recvfrom(65535)
                assert sender == relay, sender
                assert data[:4] == b"\x00\x00\x00\x01", data
                addr, port = socket.inet_ntoa(data[4:8]), struct.unpack(">H", data[8:10])[0]
                print(addr, port == target[1], data[10:].decode())
            control.close()
            """;
        var output = await Run.PythonAsync(Peers.Python3, script.Replace("sys.argv[1]", proxy.Socks.ToString(), StringComparison.Ordinal));
        Assert.Equal("127.0.0.1 True PING 0\n127.0.0.1 True PING 1\n127.0.0.1 True PING 2\n", output);
        await proxy.LoggedAsync("(SOCKS5 UDP ASSOCIATE via 127.0.0.1:");
        Assert.Contains("3 datagrams (18 bytes) up, 3 datagrams (18 bytes) down", proxy.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GarbageStallsAndDeniedClients()
    {
        await using var proxy = await SockProxy.StartAsync("--handshake-timeout", "1", "--deny", "127.0.0.2");

        // Text garbage on either port: an HTTP 400 that says what to speak, and a log line.
        await using (var p = Shell($"printf 'hello there\\r\\n\\r\\n' | {Q(Peers.Ncat)} 127.0.0.1 {proxy.Socks}"))
        {
            await p.WaitForExitAsync(Long);
            Assert.StartsWith("HTTP/1.1 400 Bad Request\r\n", p.Stdout, StringComparison.Ordinal);
            Assert.Contains("sock proxy: not a SOCKS or HTTP request (got \"hello there", p.Stdout, StringComparison.Ordinal);
        }
        await proxy.LoggedAsync(": not a SOCKS or HTTP request (got \"hello there");

        // A SOCKS5 request with an address type that does not exist: the connection is closed, the log says why.
        const string badAtyp = """
            import socket, sys
            s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
            s.sendall(b"\x05\x01\x00")
            print(s.recv(2).hex())
            s.sendall(b"\x05\x01\x00\x09garbage")
            print(repr(s.recv(100)))
            """;
        Assert.Equal("0500\nb''\n", await Run.PythonAsync(Peers.Python3, badAtyp.Replace("sys.argv[1]", proxy.Socks.ToString(), StringComparison.Ordinal)));
        await proxy.LoggedAsync("SOCKS5 address type 9 is not 1, 3 or 4");

        // An endless HTTP head stops at 16 KiB with a 400, not a growing buffer.
        const string endless = """
            import socket, sys
            s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
            s.sendall(b"CONNECT a:1 HTTP/1.1\r\n" + b"X-Pad: " + b"a" * 100000)
            data = b""
            while True:
                chunk = s.recv(4096)
                if not chunk: break
                data += chunk
            print(data.split(b"\r\n")[0].decode())
            """;
        Assert.Equal("HTTP/1.1 400 Bad Request\n", await Run.PythonAsync(Peers.Python3, endless.Replace("sys.argv[1]", proxy.Http.ToString(), StringComparison.Ordinal)));
        await proxy.LoggedAsync("HTTP request head is longer than 16384 bytes");

        // Half a request, then silence: dropped after the handshake timeout.
        const string stall = """
            import socket, sys, time
            s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
            s.sendall(b"\x05\x02")
            start = time.monotonic()
            print(repr(s.recv(10)), time.monotonic() - start < 8)
            """;
        Assert.Equal("b'' True\n", await Run.PythonAsync(Peers.Python3, stall.Replace("sys.argv[1]", proxy.Socks.ToString(), StringComparison.Ordinal)));
        await proxy.LoggedAsync("no complete proxy request within 1 s (after 2 bytes)");

        // An address --deny names is closed at accept.
        var (greeter, greeterPort) = await GreeterAsync();
        await using var _ = greeter;
        var denied = await CurlAsync("--interface", "127.0.0.2", "--socks5", $"127.0.0.1:{proxy.Socks}", $"telnet://127.0.0.1:{greeterPort}");
        Assert.NotEqual(0, denied.Code);
        await proxy.LoggedAsync("refused 127.0.0.2:");
        Assert.Contains(": matches --deny 127.0.0.2/32", proxy.Log, StringComparison.Ordinal);

        // A target that refuses: SOCKS5 reply 5 reaches sock's client as the words.
        using var closed = FreePort.Refusing(out var closedPort);
        var refused = await SockConnectAsync("--proxy", $"socks5://127.0.0.1:{proxy.Socks}", "127.0.0.1", closedPort.ToString());
        Assert.Equal((1, $"sock: proxy 127.0.0.1:{proxy.Socks} refused: connection refused (SOCKS5 reply 5)\n"), (refused.Code, refused.Stderr));
        await proxy.LoggedAsync($"-> 127.0.0.1:{closedPort} (SOCKS5 CONNECT): connect 127.0.0.1:{closedPort}: connection refused (ECONNREFUSED) (reply 5)");
        Assert.DoesNotContain("   at ", proxy.Log, StringComparison.Ordinal);

        Assert.Equal(2, (await SockCli.RunAsync("proxy")).Code);
        Assert.Equal(2, (await SockCli.RunAsync("proxy", "--socks", "1080", "--auth", "nocolon")).Code);
    }

    [Fact]
    public async Task ChainsThroughMicrosocksTinyproxyAndSocksOwnProxy()
    {
        var (greeter, port) = await GreeterAsync();
        await using var _ = greeter;
        await using var microsocks = await ProxyPeer.MicrosocksAsync();
        await using var tinyproxy = await ProxyPeer.TinyproxyAsync("bob", "s3cret");
        await using var sockProxy = await SockProxy.StartAsync();

        // sock connect → microsocks → tinyproxy → target: each hop reached through the one before.
        var chain = await SockConnectAsync("--proxy", $"socks5://{microsocks.Address}", "--proxy", $"http://bob:s3cret@{tinyproxy.Address}", "127.0.0.1", port.ToString());
        Assert.True(chain.Code == 0, chain.Stderr + tinyproxy.Stderr);
        Assert.Equal("hello-from-target\n", chain.Stdout);

        // sock's own proxy as the middle hop (SOCKS4a), then tinyproxy.
        var middle = await SockConnectAsync("--proxy", $"socks4a://127.0.0.1:{sockProxy.Socks}", "--proxy", $"http://bob:s3cret@{tinyproxy.Address}", "127.0.0.1", port.ToString());
        Assert.True(middle.Code == 0, middle.Stderr + sockProxy.Log);
        Assert.Equal("hello-from-target\n", middle.Stdout);
        await sockProxy.LoggedAsync($"-> {tinyproxy.Address} (SOCKS4 CONNECT)");

        // microsocks, then sock's HTTP CONNECT proxy as the last hop.
        var last = await SockConnectAsync("--proxy", microsocks.Address, "--proxy", $"127.0.0.1:{sockProxy.Http}", "--proxy-type", "socks5", "127.0.0.1", port.ToString());
        // --proxy-type applies to every hop; sock's HTTP port tells SOCKS5 from HTTP by the first byte, so this works too.
        Assert.True(last.Code == 0, last.Stderr + sockProxy.Log);
        Assert.Equal("hello-from-target\n", last.Stdout);
        var mixed = await SockConnectAsync("--proxy", $"socks5://{microsocks.Address}", "--proxy", $"http://127.0.0.1:{sockProxy.Http}", "127.0.0.1", port.ToString());
        Assert.True(mixed.Code == 0, mixed.Stderr + sockProxy.Log);
        Assert.Equal("hello-from-target\n", mixed.Stdout);
        await sockProxy.LoggedAsync($"-> 127.0.0.1:{port} (HTTP CONNECT)");

        // A hop that refuses is named: the second hop's wrong password.
        var wrong = await SockConnectAsync("--proxy", $"socks5://{microsocks.Address}", "--proxy", $"http://bob:nope@{tinyproxy.Address}", "127.0.0.1", port.ToString());
        // (tinyproxy answers a wrong password with 401, a missing one with 407.)
        Assert.Equal(1, wrong.Code);
        Assert.StartsWith($"sock: proxy {tinyproxy.Address} refused: ", wrong.Stderr, StringComparison.Ordinal);
        Assert.Contains("(HTTP 4", wrong.Stderr, StringComparison.Ordinal);
    }

    /// <summary>sock connect with its input held open (microsocks drops a tunnel on the client's early FIN).</summary>
    private static async Task<(int Code, string Stdout, string Stderr)> SockConnectAsync(params string[] args)
    {
        await using var p = Shell($"sleep 2 | {SockExe} connect {string.Join(' ', args.Select(Q))}");
        var code = await p.WaitForExitAsync(Long);
        Assert.DoesNotContain("   at ", p.Stderr, StringComparison.Ordinal);
        return (code, p.Stdout, p.Stderr);
    }
}
