using Sock.Interop.Tests.Infrastructure;
using static Sock.Interop.Tests.Pipes.PipeTestKit;

namespace Sock.Interop.Tests.Pipes;

/// <summary>
/// WebSocket pipes against real peers: Python websockets (Debian's 10.4) as server and client, Node's
/// ws, sock's own chat server, sock on both ends (a 64 MiB binary stream, direct and through HTTP
/// CONNECT proxies), `sock forward` with WebSocket on either side; and bad peers written from RFC 6455
/// with Python's socket module: a 1 GiB frame (streamed, bounded memory) and invalid UTF-8 (close 1007).
/// </summary>
[Collection(CpuSaturating.Name)]
public class WebSocketPipeTests
{
    private static string Python => Peers.DebianPython3;

    /// <summary>
    /// An echo server (websockets.serve). The first message to each client describes its request; "ping-me"
    /// makes the server ping and report the pong; "close-4001" closes with 4001.
    /// </summary>
    private const string EchoServer = """
        import asyncio, sys, websockets
        async def echo(ws, path):
            h = ws.request_headers
            await ws.send(f"path={path} origin={h.get('Origin')} auth={h.get('Authorization')} proto={ws.subprotocol}")
            try:
                async for m in ws:
                    if m == "ping-me":
                        pong = await ws.ping()
                        await asyncio.wait_for(pong, 10)
                        await ws.send("pong received")
                        await ws.close(1000, "done")
                        return
                    elif m == "close-4001":
                        await ws.close(4001, "bye now")
                        return
                    else:
                        await ws.send(m)
            except websockets.ConnectionClosed:
                pass
        async def main():
            async with websockets.serve(echo, "127.0.0.1", int(sys.argv[1]), max_size=None, subprotocols=["chat.v1"]):
                print("ready", flush=True)
                await asyncio.Future()
        asyncio.run(main())
        """;

    private static async Task<(RunningProcess Server, int Port)> EchoServerAsync()
    {
        await RequireWebsocketsAsync();
        var port = FreePort.Tcp();
        var p = RunningProcess.Start(Python, ["-c", EchoServer, port.ToString()]);
        await WaitBoundAsync(port);
        return (p, port);
    }

    private static async Task RequireWebsocketsAsync()
    {
        var (code, _, _) = await Run.Async(Python, "-c", "import websockets");
        if (code != 0) Peers.Require("/nonexistent/python3-websockets", "python3-websockets");
    }

    /// <summary>Runs a shell line to the end; stdout, stderr, exit code. No stack trace may leak.</summary>
    private static async Task<(int Code, string Stdout, string Stderr)> ShAsync(string line, TimeSpan? timeout = null)
    {
        await using var p = Shell(line);
        var code = await p.WaitForExitAsync(timeout ?? Long);
        Assert.DoesNotContain("   at ", p.Stderr, StringComparison.Ordinal);
        return (code, p.Stdout, p.Stderr);
    }

    [Fact]
    public async Task TextLinesHeadersSubprotocolPingsAndCloseCodesWithPythonWebsockets()
    {
        var (server, port) = await EchoServerAsync();
        await using var _ = server;
        // Input held open (a process substitution, which bash does not wait for) so that the server, not the
        // end of our input, ends each session: after the ping's pong it closes with 1000.
        var r = await ShAsync($"{SockExe} connect ws://127.0.0.1:{port}/room?x=1 "
            + "--header 'Authorization: Bearer t0k' --origin http://example.test --subprotocol chat.v1 < <(printf 'hello\\nwörld 中文\\nping-me\\n'; sleep 30)");
        Assert.True(r.Code == 0, r.Stderr + server.Stderr);
        Assert.Equal("path=/room?x=1 origin=http://example.test auth=Bearer t0k proto=chat.v1\nhello\nwörld 中文\npong received\n", r.Stdout);
        Assert.Equal("sock: websocket closed by peer: 1000 normal (done)\n", r.Stderr);

        // Our input ending first: we close (1000), the server answers, nothing to report.
        var ours = await ShAsync($"printf 'bye\\n' | {SockExe} connect ws://127.0.0.1:{port}/");
        Assert.Equal((0, ""), (ours.Code, ours.Stderr));
        Assert.StartsWith("path=/ ", ours.Stdout, StringComparison.Ordinal);

        var closed = await ShAsync($"{SockExe} connect ws://127.0.0.1:{port}/ < <(printf 'a\\nclose-4001\\n'; sleep 30)");
        Assert.Equal(1, closed.Code);
        Assert.Equal("path=/ origin=None auth=None proto=None\na\n", closed.Stdout);
        Assert.Equal("sock: websocket closed by peer: 4001 application code (bye now)\n", closed.Stderr);

        // Input that is not UTF-8 cannot be a text message: a clear error, and --binary sends it.
        var notText = await ShAsync($"printf 'ok\\n\\377\\376\\n' | {SockExe} connect ws://127.0.0.1:{port}/");
        Assert.Equal((1, "sock: input line 2 is not UTF-8: a text message must be (use --binary to send bytes)\n"), (notText.Code, notText.Stderr));
    }

    [Fact]
    public async Task SockListenWsServesAPythonWebsocketsClient()
    {
        await RequireWebsocketsAsync();
        var port = FreePort.Tcp();
        // Input that writes nothing: the wrong path ends this listener, and a printf into its closed pipe
        // would add the shell's "Broken pipe" to the stderr checked below.
        await using var listener = Shell($"sleep 20 | {SockExe} listen --ws 127.0.0.1 {port} --path /feed --subprotocol chat.v1");
        await WaitBoundAsync(port);
        const string wrongPath = """
            import asyncio, sys, websockets
            async def main():
                try:
                    async with websockets.connect(f"ws://127.0.0.1:{sys.argv[1]}/wrong"):
                        pass
                except websockets.InvalidStatusCode as e:
                    print("wrong path:", e.status_code)
            asyncio.run(main())
            """;
        const string client = """
            import asyncio, sys, websockets
            async def main():
                async with websockets.connect(f"ws://127.0.0.1:{sys.argv[1]}/feed", subprotocols=["chat.v1"]) as ws:
                    print("subprotocol", ws.subprotocol)
                    await ws.send("hello 中文")
                    await ws.send(b"\x00bytes\xff")
                    print("got", await asyncio.wait_for(ws.recv(), 10))
                    pong = await ws.ping()
                    await asyncio.wait_for(pong, 10)
                    print("pong")
                    await ws.close(1000)
            asyncio.run(main())
            """;
        // The wrong path is refused with 404 and ends the one-client listener (exit 1, the reason on stderr).
        var wrong = await Run.Async(Python, "-c", wrongPath, port.ToString());
        Assert.Equal("wrong path: 404\n", wrong.Stdout);
        Assert.Equal(1, await listener.WaitForExitAsync(Long));
        Assert.Equal("sock: refused a WebSocket upgrade: no WebSocket at /wrong (this one is at /feed) (HTTP 404)\n", listener.Stderr);

        var port2 = FreePort.Tcp();
        await using var second = Shell($"(sleep 1; printf 'reply from sock\\n'; sleep 20) | {SockExe} listen --ws 127.0.0.1 {port2} --path /feed --subprotocol chat.v1");
        await WaitBoundAsync(port2);
        var ok = await Run.Async(Python, "-c", client, port2.ToString());
        Assert.True(ok.Code == 0, ok.Stderr + second.Stderr);
        Assert.Equal("subprotocol chat.v1\ngot reply from sock\npong\n", ok.Stdout);
        Assert.Equal(0, await second.WaitForExitAsync(Long));
        byte[] expected = [.. "hello 中文\n\0bytes"u8, 0xFF];
        Assert.Equal(expected, second.StdoutBytes);
        Assert.StartsWith("sock: websocket connection from 127.0.0.1:", second.Stderr, StringComparison.Ordinal);
        Assert.EndsWith(" to /feed (subprotocol chat.v1)\nsock: websocket closed by peer: 1000 normal\n", second.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SixtyFourMiBBinaryStreamIdenticalDirectAndThroughHttpConnectProxies()
    {
        using var dir = FreePort.TempDir();
        var (file, sha) = RandomFile(dir, 64 * 1024 * 1024, "big.bin");
        await using var tinyproxy = await ProxyPeer.TinyproxyAsync("bob", "s3cret");
        var sockProxyPort = FreePort.Tcp();
        await using var sockProxy = SockCli.Start("proxy", "--http", sockProxyPort.ToString());
        await WaitBoundAsync(sockProxyPort);

        foreach (var via in new[] { "", $"--proxy http://bob:s3cret@{tinyproxy.Address}", $"--proxy 127.0.0.1:{sockProxyPort}" })
        {
            var port = FreePort.Tcp();
            var output = dir.File("out.bin");
            await using var listener = Shell($"{SockExe} listen --ws --binary 127.0.0.1 {port} < /dev/null > {Q(output)}");
            await WaitBoundAsync(port);
            var sent = await ShAsync($"{SockExe} connect --binary {via} ws://127.0.0.1:{port}/ < {Q(file)}", TimeSpan.FromSeconds(120));
            Assert.True(sent.Code == 0, via + ": " + sent.Stderr + listener.Stderr);
            Assert.Equal(0, await listener.WaitForExitAsync(Long));
            Assert.Equal(sha, Hash(await File.ReadAllBytesAsync(output, Ct)));
            Assert.EndsWith("sock: websocket closed by peer: 1000 normal\n", listener.Stderr, StringComparison.Ordinal);
        }
        Assert.Contains("(HTTP CONNECT): ", sockProxy.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NodeWsServerAndClient()
    {
        var node = Peers.Require("node", "nodejs");
        var modules = await Sock.Interop.Tests.Web.NpmPackages.EnsureAsync("ws@8.18.0");
        var env = new Dictionary<string, string?> { ["NODE_PATH"] = modules };
        var port = FreePort.Tcp();
        const string server = """
            const { WebSocketServer } = require('ws');
            const wss = new WebSocketServer({ host: '127.0.0.1', port: +process.argv[1] });
            wss.on('connection', ws => ws.on('message', (data, isBinary) => {
              if (!isBinary && data.toString() === 'bye') ws.close(1001, 'node leaves');
              else ws.send(isBinary ? data : 'node: ' + data.toString(), { binary: isBinary });
            }));
            """;
        await using var nodeServer = RunningProcess.Start(node, ["-e", server, port.ToString()], environment: env);
        await WaitBoundAsync(port);
        var r = await ShAsync($"{SockExe} connect ws://127.0.0.1:{port}/ < <(printf 'one\\ntwo\\nbye\\n'; sleep 30)");
        Assert.Equal((0, "node: one\nnode: two\n", "sock: websocket closed by peer: 1001 going away (node leaves)\n"), (r.Code, r.Stdout, r.Stderr));

        var listenPort = FreePort.Tcp();
        await using var listener = Shell($"(sleep 1; printf 'from sock\\n'; sleep 20) | {SockExe} listen --ws 127.0.0.1 {listenPort}");
        await WaitBoundAsync(listenPort);
        const string client = """
            const WebSocket = require('ws');
            const ws = new WebSocket('ws://127.0.0.1:' + process.argv[1] + '/node');
            ws.on('open', () => { ws.send('from node'); ws.ping(); });
            ws.on('pong', () => console.log('pong'));
            ws.on('message', d => { console.log('got ' + d); ws.close(1000, 'done'); });
            ws.on('close', code => console.log('closed ' + code));
            """;
        await using var nodeClient = RunningProcess.Start(node, ["-e", client, listenPort.ToString()], environment: env);
        Assert.Equal(0, await nodeClient.WaitForExitAsync(Long));
        Assert.Equal("pong\ngot from sock\nclosed 1000\n", nodeClient.Stdout);
        Assert.Equal(0, await listener.WaitForExitAsync(Long));
        Assert.Equal("from node\n", listener.Stdout);
        Assert.EndsWith("sock: websocket closed by peer: 1000 normal (done)\n", listener.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SockChatServeSpeaksIrcOverWebSocketToSockConnect()
    {
        await using var chat = await Sock.Interop.Tests.Chat.ChatServerProcess.StartAsync();
        var r = await ShAsync($"(printf 'NICK wsuser\\nUSER wsuser 0 * :Web Socket\\n'; sleep 3; printf 'QUIT :bye\\n'; sleep 2) | {SockExe} connect ws://127.0.0.1:{chat.Port}/ --subprotocol text.ircv3.net");
        Assert.True(r.Code == 0, r.Stderr);
        Assert.Contains(" 001 wsuser :", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("ERROR :", r.Stdout, StringComparison.Ordinal);
    }

    /// <summary>A server written from RFC 6455 with the socket module: handshake, then whatever the test sends.</summary>
    private const string RawServer = """
        import base64, hashlib, socket, struct, sys, time
        srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        srv.bind(("127.0.0.1", int(sys.argv[1]))); srv.listen(1)
        c, _ = srv.accept()
        head = b""
        while b"\r\n\r\n" not in head: head += c.recv(4096)
        key = [l.split(b":", 1)[1].strip() for l in head.split(b"\r\n") if l.lower().startswith(b"sec-websocket-key:")][0]
        accept = base64.b64encode(hashlib.sha1(key + b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest())
        c.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " + accept + b"\r\n\r\n")
        def close_code():
            c.settimeout(10)
            data = b""
            while len(data) < 2:
                chunk = c.recv(2 - len(data))
                if not chunk: return None
                data += chunk
            n = data[1] & 0x7f
            rest = b""
            while len(rest) < 4 + n: rest += c.recv(4 + n - len(rest))
            mask, payload = rest[:4], bytes(b ^ rest[:4][i % 4] for i, b in enumerate(rest[4:]))
            return (data[0] & 0x0f, struct.unpack(">H", payload[:2])[0] if n >= 2 else None)
        MODE
        """;

    [Fact]
    public async Task InvalidUtf8InATextFrameClosesWith1007()
    {
        var port = FreePort.Tcp();
        var script = RawServer.Replace("MODE", """
            c.sendall(b"\x81\x05ok \xff\xfe")
            print("close frame", close_code(), flush=True)
            """, StringComparison.Ordinal);
        await using var server = RunningProcess.Start(Python, ["-c", script, port.ToString()]);
        await WaitBoundAsync(port);
        var r = await ShAsync($"sleep 5 | {SockExe} connect ws://127.0.0.1:{port}/");
        Assert.Equal((1, "sock: websocket: the peer sent invalid UTF-8 in a text message; closed with 1007 invalid payload\n"), (r.Code, r.Stderr));
        Assert.Equal(0, await server.WaitForExitAsync(Long));
        Assert.Equal("close frame (8, 1007)\n", server.Stdout);
    }

    /// <summary>
    /// A 1 GiB binary frame is streamed through to stdout, never held whole: every byte arrives, and sock's
    /// peak resident memory, read from /proc while the frame's end is in flight, stays far below the frame.
    /// </summary>
    [Fact]
    public async Task OneGiBFrameIsStreamedWithBoundedMemory()
    {
        var port = FreePort.Tcp();
        var script = RawServer.Replace("MODE", """
            c.sendall(b"\x82\x7f" + struct.pack(">Q", 1 << 30))
            chunk = bytes(1 << 20)
            for _ in range(1024): c.sendall(chunk)
            print("sent", flush=True)
            sys.stdin.readline()
            c.sendall(b"\x88\x02\x03\xe8")
            print("close frame", close_code(), flush=True)
            """, StringComparison.Ordinal);
        await using var server = RunningProcess.Start(Python, ["-c", script, port.ToString()]);
        await WaitBoundAsync(port);
        // Input held open (an early EOF would close the WebSocket) by a process substitution, which bash
        // does not wait for: the pipeline ends when sock does, and the sleep ends by itself.
        await using var pipeline = Shell($"{SockExe} connect --binary ws://127.0.0.1:{port}/ < <(sleep 45) | wc -c");
        await server.WaitForStdoutAsync("sent", TimeSpan.FromSeconds(120));
        // sock is a child of the shell running the pipeline; its peak RSS so far covers the whole frame.
        var sockPid = SockChild(pipeline.Id);
        var hwm = PeakResidentKiB(sockPid);
        await server.WriteAsync("go\n");
        Assert.True(await server.WaitForExitAsync(Long) == 0, server.Stderr + pipeline.Stderr);
        Assert.True(await pipeline.WaitForExitAsync(TimeSpan.FromSeconds(120)) == 0, pipeline.Stderr);
        Assert.Equal((1L << 30).ToString(System.Globalization.CultureInfo.InvariantCulture), pipeline.Stdout.Trim());
        Assert.Equal("sock: websocket closed by peer: 1000 normal\n", pipeline.Stderr);
        Assert.True(hwm < 256 * 1024, $"sock's peak RSS was {hwm} KiB while streaming a 1 GiB frame");
        Assert.EndsWith("close frame (8, 1000)\n", server.Stdout, StringComparison.Ordinal);
    }

    private static int SockChild(int shellPid)
    {
        foreach (var child in File.ReadAllText($"/proc/{shellPid}/task/{shellPid}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var pid = int.Parse(child, System.Globalization.CultureInfo.InvariantCulture);
            if (File.ReadAllText($"/proc/{pid}/comm").Trim() == "sock") return pid;
        }
        throw new InvalidOperationException("sock is not running under the pipeline's shell");
    }

    private static long PeakResidentKiB(int pid)
    {
        var line = File.ReadAllLines($"/proc/{pid}/status").Single(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task ForwardWithWebSocketOnEitherSide()
    {
        await RequireWebsocketsAsync();
        // A TCP echo target, a WebSocket→TCP forward in front of it, and a TCP→WebSocket forward in front of that:
        // ncat → tcp-listen → ws:// → ws-listen → tcp echo, and back.
        var echoPort = FreePort.Tcp();
        await using var echo = RunningProcess.Start(Peers.Socat, [$"TCP-LISTEN:{echoPort},bind=127.0.0.1,reuseaddr,fork", "EXEC:cat"]);
        await WaitBoundAsync(echoPort);
        var wsPort = FreePort.Tcp();
        await using var wsSide = SockCli.Start("forward", $"ws-listen:127.0.0.1:{wsPort}", $"tcp:127.0.0.1:{echoPort}", "--path", "/tunnel");
        await WaitBoundAsync(wsPort);
        var tcpPort = FreePort.Tcp();
        await using var tcpSide = SockCli.Start("forward", $"tcp-listen:127.0.0.1:{tcpPort}", $"ws://127.0.0.1:{wsPort}/tunnel");
        await WaitBoundAsync(tcpPort);

        using var dir = FreePort.TempDir();
        var (file, sha) = RandomFile(dir, 4 * 1024 * 1024, "data.bin");
        var r = await ShAsync($"(cat {Q(file)}; sleep 3) | {Q(Peers.Ncat)} 127.0.0.1 {tcpPort} | sha256sum");
        Assert.Equal(0, r.Code);
        Assert.Equal(sha.ToLowerInvariant(), r.Stdout.Split(' ')[0]);

        // A Python websockets client straight into the ws-listen side: binary in, the same bytes back.
        const string client = """
            import asyncio, sys, websockets
            async def main():
                async with websockets.connect(f"ws://127.0.0.1:{sys.argv[1]}/tunnel") as ws:
                    await ws.send(b"through the tunnel")
                    got = b""
                    while len(got) < 18: got += await asyncio.wait_for(ws.recv(), 10)
                    print(got.decode())
            asyncio.run(main())
            """;
        Assert.Equal("through the tunnel\n", await Run.PythonAsync(Python, client.Replace("sys.argv[1]", wsPort.ToString(), StringComparison.Ordinal)));
        await wsSide.WaitForStderrAsync($"-> 127.0.0.1:{echoPort}: 18 bytes up, 18 bytes down", Long);
        Assert.Contains($"forwarding 127.0.0.1:{wsPort} (WebSocket) -> 127.0.0.1:{echoPort}", wsSide.Stderr, StringComparison.Ordinal);
        Assert.Contains($"-> ws://127.0.0.1:{wsPort}/tunnel: 4194304 bytes up, 4194304 bytes down", tcpSide.Stderr, StringComparison.Ordinal);

        // A client that is not WebSocket gets an HTTP error naming why, and the log says so.
        var garbage = await ShAsync($"printf 'hello\\r\\n\\r\\n' | {Q(Peers.Ncat)} 127.0.0.1 {wsPort}");
        Assert.StartsWith("HTTP/1.1 400 Bad Request\r\n", garbage.Stdout, StringComparison.Ordinal);
        await wsSide.WaitForStderrAsync("refused a WebSocket upgrade: not an HTTP request (HTTP 400)", Long);
    }

    [Fact]
    public async Task UsageErrors()
    {
        Assert.Equal(2, (await SockCli.RunAsync("connect", "ws://h:0/")).Code);
        Assert.Equal(2, (await SockCli.RunAsync("connect", "--binary", "127.0.0.1", "80")).Code);
        Assert.Equal(2, (await SockCli.RunAsync("connect", "--text", "--binary", "ws://127.0.0.1:1/")).Code);
        Assert.Equal(2, (await SockCli.RunAsync("connect", "--header", "nocolon", "ws://127.0.0.1:1/")).Code);
        Assert.Equal(2, (await SockCli.RunAsync("listen", "--path", "/x", "8080")).Code);
        Assert.Equal(2, (await SockCli.RunAsync("listen", "--ws", "--keep-open", "8080")).Code);
        Assert.Equal(2, (await SockCli.RunAsync("forward", "ws-listen:8080", "udp:h:1")).Code);
        using var refusing = FreePort.Refusing(out var port);
        var down = await SockCli.RunAsync("connect", $"ws://127.0.0.1:{port}/");
        Assert.Equal((1, $"sock: connect 127.0.0.1:{port}: connection refused (ECONNREFUSED)\n"), (down.Code, down.Stderr));
    }
}
