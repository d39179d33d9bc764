using System.Net.WebSockets;
using System.Text;
using Sock.Interop.Tests.Chat;
using Sock.Interop.Tests.Infrastructure;
using Sock.Web;

namespace Sock.Interop.Tests.Web;

/// <summary>IRC over WebSocket (IRCv3): real WebSocket clients chatting with IRC users over TCP.</summary>
public class WebSocketIrcTests
{
    // Registers, joins #web, says one line, then prints what the TCP user answers and the frame type.
    private const string PythonClient = """
        import asyncio, sys, websockets
        port, proto, nick = int(sys.argv[1]), sys.argv[2], sys.argv[3]
        async def main():
            kw = {"subprotocols": [proto]} if proto != "none" else {}
            async with websockets.connect(f"ws://127.0.0.1:{port}/", **kw) as ws:
                print("subprotocol", ws.subprotocol, flush=True)
                await ws.send(f"NICK {nick}"); await ws.send(f"USER {nick} 0 * :py")
                async def until(text):
                    while True:
                        m = await asyncio.wait_for(ws.recv(), 10)
                        line = m.decode() if isinstance(m, bytes) else m
                        assert not line.endswith("\r\n"), "a frame carries no CRLF"
                        if line.startswith("PING"): await ws.send("PONG" + line[4:])
                        if text in line: return line, type(m).__name__
                await until(" 001 ")
                await ws.send("JOIN #web")
                await until(" 366 ")
                await ws.send("PRIVMSG #web :你好 from ws 🎉")
                line, kind = await until("PRIVMSG #web :")
                print("got", kind, line, flush=True)
                await ws.send("QUIT :bye")
        asyncio.run(main())
        """;

    [Theory]
    [InlineData("text.ircv3.net", "str")]
    [InlineData("binary.ircv3.net", "bytes")]
    [InlineData("none", "str")]
    public async Task PythonWebsocketsClientChatsWithATcpIrcUser(string subprotocol, string frames)
    {
        var python = Peers.DebianPython3;
        await RequirePythonModuleAsync(python, "websockets", "python3-websockets");
        await using var server = await ChatServerProcess.StartAsync();
        using var tcp = await server.IrcAsync("tcpuser", "#web");
        await using var py = RunningProcess.Start(python, ["-c", PythonClient, server.Port.ToString(), subprotocol, "pyuser"]);
        await tcp.ExpectAsync(":pyuser!pyuser@127.0.0.1 JOIN #web", 15);
        Assert.Contains(":你好 from ws 🎉", await tcp.ExpectAsync("PRIVMSG #web :", 10));
        await tcp.SendAsync("PRIVMSG #web :hello web 中文\r\n");
        Assert.Equal(0, await py.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        Assert.Contains($"subprotocol {(subprotocol == "none" ? "None" : subprotocol)}", py.Stdout);
        Assert.Contains($"got {frames} :tcpuser!tcpuser@127.0.0.1 PRIVMSG #web :hello web 中文", py.Stdout);
        await tcp.ExpectAsync(":pyuser!pyuser@127.0.0.1 QUIT :Quit: bye", 5);
    }

    [Fact]
    public async Task IrcFrameworkOverWebSocketRegistersJoinsAndChats()
    {
        var node = Peers.Require("node", "nodejs");
        var modules = await NpmPackages.EnsureAsync("irc-framework@4.14.0");
        await using var server = await ChatServerProcess.StartAsync();
        using var tcp = await server.IrcAsync("tcpuser", "#web");
        var script = """
            const IRC = require('irc-framework');
            const c = new IRC.Client();
            c.connect({ host: '127.0.0.1', port: +process.argv[1], nick: 'fwuser', username: 'fw', gecos: 'framework',
              transport: require('irc-framework/src/transports/websocket'), websocket_protocol: 'text.ircv3.net' });
            c.on('registered', () => { console.log('REGISTERED'); c.join('#web'); });
            c.on('join', e => { if (e.nick === 'fwuser') { console.log('JOINED'); c.say('#web', 'hi from irc-framework 你好'); } });
            c.on('message', e => { if (e.nick === 'tcpuser') { console.log('MSG ' + e.message + ' time=' + (e.time ? 'yes' : 'no')); c.quit('done'); } });
            c.on('close', () => process.exit(0));
            setTimeout(() => { console.log('TIMEOUT'); process.exit(1); }, 20000);
            """;
        await using var proc = RunningProcess.Start(node, ["--experimental-websocket", "-e", script, server.Port.ToString()],
            environment: new Dictionary<string, string?> { ["NODE_PATH"] = modules });
        await tcp.ExpectAsync(":fwuser!fw@127.0.0.1 JOIN #web", 20);
        await tcp.ExpectAsync("PRIVMSG #web :hi from irc-framework 你好", 10);
        await tcp.SendAsync("PRIVMSG #web :welcome, framework\r\n");
        Assert.Equal(0, await proc.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        Assert.Contains("REGISTERED", proc.Stdout);
        Assert.Contains("MSG welcome, framework time=yes", proc.Stdout); // it negotiated server-time over the WebSocket
    }

    [Fact]
    public async Task InvalidUtf8InATextFrameIsClosedWith1007AndChatGoesOn()
    {
        await using var server = await InProcessWebServer.StartAsync();
        using var tcp = await server.IrcAsync("tcpuser", "#web");
        using var ws = await WsClient.ConnectAsync(server.Port, "text.ircv3.net");
        await ws.SendTextAsync("NICK bad");
        await ws.SendAsync(new byte[] { (byte)'U', (byte)'S', 0xff, 0xfe, (byte)'R' }, WebSocketMessageType.Text, true, CancellationToken.None);
        Assert.Equal(WebSocketCloseStatus.InvalidPayloadData, await ws.WaitCloseAsync());
        using var other = await server.IrcAsync("other", "#web");
        await other.SendAsync("PRIVMSG #web :after the bad frame\r\n");
        await tcp.ExpectAsync("after the bad frame");
    }

    [Fact]
    public async Task BinaryFramesCarryUtf8AndInvalidBytesGetTheServersUtf8OnlyRefusal()
    {
        await using var server = await InProcessWebServer.StartAsync();
        using var tcp = await server.IrcAsync("tcpuser", "#web");
        using var ws = await WsClient.ConnectAsync(server.Port, "binary.ircv3.net");
        Assert.Equal("binary.ircv3.net", ws.SubProtocol);
        await ws.SendTextAsync("NICK bin");
        await ws.SendTextAsync("USER bin 0 * :b");
        var (welcome, type) = await ws.ExpectAsync(" 001 ");
        Assert.Equal(WebSocketMessageType.Binary, type);
        await ws.SendTextAsync("JOIN #web");
        await ws.ExpectAsync(" 366 ");
        await ws.SendAsync(Encoding.UTF8.GetBytes("PRIVMSG #web :caf\u00e9 ").Concat(new byte[] { 0xff }).ToArray(), WebSocketMessageType.Binary, true, CancellationToken.None);
        // Binary frames are not checked by the WebSocket; the IRC side's UTF8ONLY refuses the line.
        Assert.Contains("INVALID_UTF8", (await ws.ExpectAsync("FAIL ")).Text);
        await ws.SendAsync(Encoding.UTF8.GetBytes("PRIVMSG #web :caf\u00e9 au lait"), WebSocketMessageType.Binary, true, CancellationToken.None);
        Assert.EndsWith("café au lait", await tcp.ExpectAsync("PRIVMSG #web :caf"));
    }

    [Fact]
    public async Task AFrameLongerThanALineIsClosedWith1009()
    {
        await using var server = await InProcessWebServer.StartAsync();
        using var ws = await WsClient.ConnectAsync(server.Port, "text.ircv3.net");
        await ws.SendTextAsync("PRIVMSG x :" + new string('a', 9000));
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, await ws.WaitCloseAsync());
    }

    [Fact]
    public async Task WebOriginAllowListRefusesOtherPagesWith403()
    {
        await using var server = await InProcessWebServer.StartAsync(new ChatWebOptions { AllowedOrigins = ["https://chat.example"] });
        const string upgrade = "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
        Assert.StartsWith("HTTP/1.1 403", await RawHttp.SendAsync(server.Port, upgrade + "Origin: https://evil.example\r\n\r\n", 3));
        Assert.StartsWith("HTTP/1.1 101", await RawHttp.SendAsync(server.Port, upgrade + "Origin: https://chat.example\r\n\r\n", 1));
        using var ws = await WsClient.ConnectAsync(server.Port, origin: "https://chat.example");
        Assert.Equal(WebSocketState.Open, ws.State);
    }

    [Fact]
    public async Task MalformedUpgradesAre400()
    {
        await using var server = await InProcessWebServer.StartAsync();
        Assert.StartsWith("HTTP/1.1 400", await RawHttp.SendAsync(server.Port,
            "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n", 3)); // no key
        Assert.StartsWith("HTTP/1.1 400", await RawHttp.SendAsync(server.Port,
            "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 8\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n", 3));
        Assert.StartsWith("HTTP/1.1 400", await RawHttp.SendAsync(server.Port,
            "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: short\r\n\r\n", 3));
        Assert.Equal(0, server.Chat.Hub.MemberCount);
    }

    [Theory]
    [InlineData(true, "203.0.113.9")]
    [InlineData(false, "127.0.0.1")]
    public async Task XForwardedForNamesTheClientOnlyFromATrustedProxy(bool trusted, string host)
    {
        var options = trusted ? new ChatWebOptions { TrustedProxies = [System.Net.IPNetwork.Parse("127.0.0.0/8")] } : new ChatWebOptions();
        await using var server = await InProcessWebServer.StartAsync(options);
        using var ws = new ClientWebSocket();
        ws.Options.SetRequestHeader("X-Forwarded-For", "203.0.113.9");
        await ws.ConnectAsync(new Uri($"ws://127.0.0.1:{server.Port}/"), CancellationToken.None);
        await ws.SendTextAsync("NICK fwd");
        await ws.SendTextAsync("USER fwd 0 * :f");
        var (welcome, _) = await ws.ExpectAsync(" 001 ");
        Assert.EndsWith($"fwd!fwd@{host}", welcome);
    }

    [Fact]
    public async Task AFloodOfFramesDoesNotStopChatForOthers()
    {
        await using var server = await InProcessWebServer.StartAsync();
        using var a = await server.IrcAsync("ann", "#x");
        using var b = await server.IrcAsync("bob", "#x");
        using var ws = await WsClient.ConnectAsync(server.Port, "text.ircv3.net");
        await ws.SendTextAsync("NICK flooder");
        await ws.SendTextAsync("USER f 0 * :f");
        await ws.ExpectAsync(" 001 ");
        var drain = Task.Run(async () =>
        {
            try { while (ws.State == WebSocketState.Open) await WsClient.ReceiveAsync(ws, CancellationToken.None); }
            catch (WebSocketException) { }
        }, TestContext.Current.CancellationToken);
        var flood = Task.Run(async () =>
        {
            for (var i = 0; i < 50_000 && ws.State == WebSocketState.Open; i++)
                await ws.SendTextAsync($"PRIVMSG #nowhere :{i}");
        }, TestContext.Current.CancellationToken);
        for (var i = 0; i < 20; i++)
        {
            await a.SendAsync($"PRIVMSG #x :during flood {i}\r\n");
            await b.ExpectAsync($"during flood {i}", 10);
        }
        await flood.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        ws.Abort();
    }

    private static async Task RequirePythonModuleAsync(string python, string module, string package)
    {
        var (code, _, _) = await Run.Async(python, "-c", $"import {module}");
        if (code == 0) return;
        Peers.Require("/nonexistent/" + module, package);
    }
}

/// <summary>npm packages for tests, installed once per machine into the temp folder (node finds them through NODE_PATH).</summary>
public static class NpmPackages
{
    private static readonly SemaphoreSlim Gate = new(1, 1);

    /// <summary>Returns the node_modules folder holding <paramref name="spec"/> (name@version).</summary>
    public static async Task<string> EnsureAsync(string spec)
    {
        var npm = Peers.Require("npm", "npm");
        var dir = Path.Combine(Path.GetTempPath(), "sock-test-npm-" + spec.Replace('@', '-').Replace('/', '-'));
        var modules = Path.Combine(dir, "node_modules");
        var name = spec[..spec.LastIndexOf('@')];
        await Gate.WaitAsync();
        try
        {
            if (File.Exists(Path.Combine(modules, name, "package.json"))) return modules;
            Directory.CreateDirectory(dir);
            await using var p = RunningProcess.Start(npm, ["install", "--no-audit", "--no-fund", "--prefix", dir, spec]);
            var code = await p.WaitForExitAsync(TimeSpan.FromMinutes(5));
            if (code != 0)
            {
                var reason = $"npm install {spec} failed ({code}): {p.Stderr}";
                if (Peers.InCi) Assert.Fail(reason);
                Assert.Skip(reason);
            }
            return modules;
        }
        finally
        {
            Gate.Release();
        }
    }
}
