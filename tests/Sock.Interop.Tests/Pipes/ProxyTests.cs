using Sock.Interop.Tests.Infrastructure;
using static Sock.Interop.Tests.Pipes.PipeTestKit;

namespace Sock.Interop.Tests.Pipes;

/// <summary>
/// `--proxy` through real proxies (microsocks with and without a password, dante, tinyproxy, ncat's
/// HTTP proxy), and through broken ones: garbage, a hang-up mid-reply, silence. Each error is one line.
/// </summary>
public class ProxyTests
{
    /// <summary>A target that greets every client, so a tunnel is proven by the greeting arriving.</summary>
    private static async Task<(RunningProcess Process, int Port)> GreeterAsync()
    {
        var port = FreePort.Tcp();
        // socat, not ncat --sh-exec: ncat may drop the program's output when the client's FIN arrives first.
        var p = RunningProcess.Start(Peers.Socat, [$"TCP-LISTEN:{port},bind=127.0.0.1,reuseaddr,fork", "SYSTEM:echo hello-from-target"]);
        await WaitBoundAsync(port);
        return (p, port);
    }

    /// <summary>
    /// sock connect with its input held open for a while: microsocks does not carry a half-close (a client's
    /// FIN makes it drop the tunnel both ways), so an early EOF could lose the target's greeting. Half a
    /// second was not enough under CI load (the greeting was lost once: a start-up, the proxy's
    /// handshake and the target's reply took longer); the call ends when the target closes anyway.
    /// </summary>
    private static async Task<(int Code, string Stdout, string Stderr)> ConnectAsync(params string[] args)
    {
        await using var p = Shell($"sleep 3 | {SockExe} connect {string.Join(' ', args.Select(Q))}");
        var code = await p.WaitForExitAsync(Long);
        var (stdout, stderr) = (p.Stdout, p.Stderr);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
        return (code, stdout, stderr);
    }

    [Fact]
    public async Task Socks5WithoutAuthCarries16MiBAndNamesResolvedByTheProxy()
    {
        await using var proxy = await ProxyPeer.MicrosocksAsync();
        using var dir = FreePort.TempDir();
        var file = RandomFile(dir);
        var port = FreePort.Tcp();
        await using var receiver = RunningProcess.Start(Peers.Ncat, ["-l", "127.0.0.1", port.ToString()]);
        var (_, s) = await TransferAsync(receiver, () => WaitBoundAsync(port),
            $"{SockExe} connect --proxy socks5://{proxy.Address} 127.0.0.1 {port}", file);
        Assert.Equal(0, s);

        var (greeter, greeterPort) = await GreeterAsync();
        await using var _ = greeter;
        var (code, stdout, stderr) = await ConnectAsync("--proxy", proxy.Address, "--proxy-type", "socks5", "localhost", greeterPort.ToString());
        Assert.True(code == 0, stderr);
        Assert.Equal("hello-from-target\n", stdout);
    }

    [Fact]
    public async Task Socks5UserPassword()
    {
        await using var proxy = await ProxyPeer.MicrosocksAsync("bob", "s3cret");
        var (greeter, port) = await GreeterAsync();
        await using var _ = greeter;

        var ok = await ConnectAsync("--proxy", $"socks5://bob:s3cret@{proxy.Address}", "127.0.0.1", port.ToString());
        Assert.Equal((0, "hello-from-target\n"), (ok.Code, ok.Stdout));
        var flag = await ConnectAsync("--proxy", proxy.Address, "--proxy-type", "socks5", "--proxy-auth", "bob:s3cret", "127.0.0.1", port.ToString());
        Assert.Equal(0, flag.Code);

        var wrong = await ConnectAsync("--proxy", $"socks5://bob:nope@{proxy.Address}", "127.0.0.1", port.ToString());
        Assert.Equal((1, $"sock: proxy {proxy.Address}: authentication failed: user or password rejected (SOCKS5 auth status 2)\n"), (wrong.Code, wrong.Stderr));
        var none = await ConnectAsync("--proxy", $"socks5://{proxy.Address}", "127.0.0.1", port.ToString());
        Assert.Equal((1, $"sock: proxy {proxy.Address}: authentication required (SOCKS5 method 0xFF): give --proxy-auth USER:PASS\n"), (none.Code, none.Stderr));
    }

    [Fact]
    public async Task DanteRulesetRefusalAndSocks4()
    {
        using var blocked = FreePort.Refusing(out var blockedPort);
        await using var proxy = await ProxyPeer.DanteAsync(blockedPort);
        var (greeter, port) = await GreeterAsync();
        await using var _ = greeter;

        var ok = await ConnectAsync("--proxy", proxy.Address, "--proxy-type", "socks5", "127.0.0.1", port.ToString());
        Assert.True(ok.Code == 0, ok.Stderr + proxy.Stderr);
        Assert.Equal("hello-from-target\n", ok.Stdout);
        var v4 = await ConnectAsync("--proxy", $"socks4://{proxy.Address}", "127.0.0.1", port.ToString());
        Assert.Equal((0, "hello-from-target\n"), (v4.Code, v4.Stdout));

        var refused = await ConnectAsync("--proxy", proxy.Address, "--proxy-type", "socks5", "127.0.0.1", blockedPort.ToString());
        Assert.Equal((1, $"sock: proxy {proxy.Address} refused: connection not allowed by ruleset (SOCKS5 reply 2)\n"), (refused.Code, refused.Stderr));
        var refused4 = await ConnectAsync("--proxy", proxy.Address, "--proxy-type", "socks4", "127.0.0.1", blockedPort.ToString());
        Assert.Equal((1, $"sock: proxy {proxy.Address} refused: request rejected or failed (SOCKS4 reply 91)\n"), (refused4.Code, refused4.Stderr));
    }

    [Fact]
    public async Task HttpConnectThroughTinyproxyWithBasicAuth()
    {
        await using var proxy = await ProxyPeer.TinyproxyAsync("bob", "s3cret");
        var (greeter, port) = await GreeterAsync();
        await using var _ = greeter;

        var ok = await ConnectAsync("--proxy", proxy.Address, "--proxy-auth", "bob:s3cret", "127.0.0.1", port.ToString());
        Assert.True(ok.Code == 0, ok.Stderr);
        Assert.Equal("hello-from-target\n", ok.Stdout);
        var none = await ConnectAsync("--proxy", proxy.Address, "127.0.0.1", port.ToString());
        Assert.Equal((1, $"sock: proxy {proxy.Address} refused: authentication required or rejected (HTTP 407 Proxy Authentication Required)\n"), (none.Code, none.Stderr));
    }

    [Fact]
    public async Task HttpConnectThroughNcat()
    {
        await using var proxy = await ProxyPeer.NcatHttpAsync();
        var (greeter, port) = await GreeterAsync();
        await using var _ = greeter;
        var ok = await ConnectAsync("--proxy", $"http://{proxy.Address}", "127.0.0.1", port.ToString());
        Assert.Equal((0, "hello-from-target\n"), (ok.Code, ok.Stdout));

        using var closed = FreePort.Refusing(out var closedPort);
        var refused = await ConnectAsync("--proxy", proxy.Address, "127.0.0.1", closedPort.ToString());
        Assert.Equal(1, refused.Code);
        Assert.StartsWith($"sock: proxy {proxy.Address} refused: could not connect (HTTP 5", refused.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EnvironmentOnlyWithProxyEnv()
    {
        await using var proxy = await ProxyPeer.MicrosocksAsync();
        var (greeter, port) = await GreeterAsync();
        await using var _ = greeter;
        var env = new Dictionary<string, string?> { ["ALL_PROXY"] = $"socks5://{proxy.Address}" };
        await using (var p = RunningProcess.Start(SockCli.Path, ["connect", "--proxy", "env", "127.0.0.1", port.ToString()], environment: env))
        {
            await Task.Delay(500, Ct); // microsocks drops the tunnel on an early FIN (see ConnectAsync)
            p.CloseStdin();
            Assert.Equal(0, await p.WaitForExitAsync(Short));
            Assert.Equal("hello-from-target\n", p.Stdout);
        }
        // Without --proxy env the variable is ignored: a direct connection to a refusing port says so.
        using var closed = FreePort.Refusing(out var closedPort);
        await using var direct = RunningProcess.Start(SockCli.Path, ["connect", "127.0.0.1", closedPort.ToString()], environment: env);
        direct.CloseStdin();
        Assert.Equal(1, await direct.WaitForExitAsync(Short));
        Assert.Equal($"sock: connect 127.0.0.1:{closedPort}: connection refused (ECONNREFUSED)\n", direct.Stderr);
    }

    [Fact]
    public async Task GarbageReplies()
    {
        await using var garbage = await ProxyPeer.ScriptedAsync("printf 'SSH-2.0-OpenSSH_9.2\\r\\n'; sleep 2");
        var socks = await ConnectAsync("--proxy", garbage.Address, "--proxy-type", "socks5", "127.0.0.1", "80");
        Assert.Equal((1, $"sock: proxy {garbage.Address}: SOCKS5 reply has version 83, expected 5 (got \"SS\")\n"), (socks.Code, socks.Stderr));
        var http = await ConnectAsync("--proxy", garbage.Address, "127.0.0.1", "80");
        Assert.Equal((1, $"sock: proxy {garbage.Address}: HTTP proxy reply is not HTTP (got \"S\")\n"), (http.Code, http.Stderr));

        await using var wrongKind = await ProxyPeer.ScriptedAsync("printf 'HTTP/1.0 400 Bad Request\\r\\n\\r\\n'");
        var mixed = await ConnectAsync("--proxy", wrongKind.Address, "--proxy-type", "socks4", "127.0.0.1", "80");
        Assert.Equal(1, mixed.Code);
        Assert.StartsWith($"sock: proxy {wrongKind.Address}: SOCKS4 reply is HTTP (an HTTP proxy? try --proxy-type http)", mixed.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProxyHangsUpMidReply()
    {
        // Answers the greeting with "no auth", then sends two bytes of the CONNECT reply and hangs up.
        await using var proxy = await ProxyPeer.ScriptedAsync("head -c 3 >/dev/null; printf '\\005\\000'; head -c 10 >/dev/null; printf '\\005\\000'");
        var r = await ConnectAsync("--proxy", proxy.Address, "--proxy-type", "socks5", "127.0.0.1", "80");
        Assert.Equal((1, $"sock: proxy {proxy.Address} closed the connection in the middle of its SOCKS5 reply (after 2 bytes: 0500)\n"), (r.Code, r.Stderr));

        await using var silent = await ProxyPeer.ScriptedAsync("head -c 3 >/dev/null");
        var s = await ConnectAsync("--proxy", silent.Address, "--proxy-type", "socks5", "127.0.0.1", "80");
        Assert.Equal((1, $"sock: proxy {silent.Address} closed the connection during the SOCKS5 handshake (no reply)\n"), (s.Code, s.Stderr));
    }

    [Fact]
    public async Task ProxyThatNeverAnswersTimesOut()
    {
        await using var proxy = await ProxyPeer.ScriptedAsync("sleep 20");
        var r = await ConnectAsync("--timeout", "1", "--proxy", proxy.Address, "127.0.0.1", "80");
        Assert.Equal((1, $"sock: proxy {proxy.Address}: no HTTP reply within 1s (ETIMEDOUT)\n"), (r.Code, r.Stderr));
    }

    [Fact]
    public async Task ProxyDownAndUsageErrors()
    {
        using var refusing = FreePort.Refusing(out var port);
        var down = await ConnectAsync("--proxy", $"127.0.0.1:{port}", "127.0.0.1", "80");
        Assert.Equal((1, $"sock: proxy 127.0.0.1:{port}: connection refused (ECONNREFUSED)\n"), (down.Code, down.Stderr));
        Assert.Equal(2, (await ConnectAsync("--proxy", "h:0", "127.0.0.1", "80")).Code);
        Assert.Equal(2, (await ConnectAsync("--proxy-type", "socks5", "127.0.0.1", "80")).Code);
        Assert.Equal(2, (await ConnectAsync("--proxy", "h:1", "-u", "127.0.0.1", "80")).Code);
        var v6 = await ConnectAsync("--proxy", "socks4://127.0.0.1:1", "::1", "80");
        Assert.Equal((2, "sock: SOCKS4 cannot carry the IPv6 address ::1: use --proxy-type socks5\n"), (v6.Code, v6.Stderr));
    }

    [Fact]
    public async Task ProbeThroughProxyTellsOpenFromClosed()
    {
        await using var proxy = await ProxyPeer.MicrosocksAsync();
        var (greeter, port) = await GreeterAsync();
        await using var _ = greeter;
        using var closed = FreePort.Refusing(out var closedPort);
        var (code, stdout, stderr) = await SockCli.RunAsync("probe", "--proxy", $"socks5://{proxy.Address}", "127.0.0.1", port.ToString(), closedPort.ToString(), "--json");
        Assert.True(code == 0, stderr);
        Assert.Contains($"\"port\": {port},\n    \"state\": \"open\"", stdout, StringComparison.Ordinal);
        Assert.Contains($"\"port\": {closedPort},\n    \"state\": \"closed\",\n    \"errno\": 111", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAndRecvThroughProxy()
    {
        await using var proxy = await ProxyPeer.MicrosocksAsync();
        using var dir = FreePort.TempDir();
        var (path, sha) = RandomFile(dir, 4 * 1024 * 1024);
        var outDir = Directory.CreateDirectory(dir.File("out")).FullName;
        var port = FreePort.Tcp();
        await using var recv = SockCli.Start("recv", "--listen", port.ToString(), "-o", outDir);
        await WaitBoundAsync(port);
        var (code, _, stderr) = await SockCli.RunAsync("send", path, $"127.0.0.1:{port}", "--proxy", $"socks5://{proxy.Address}");
        Assert.True(code == 0, stderr);
        Assert.Equal(0, await recv.WaitForExitAsync(Short));
        Assert.Equal(sha, Hash(File.ReadAllBytes(Path.Combine(outDir, "payload.bin"))));

        // And the other way: the sender listens, the receiver reaches it through the proxy.
        var port2 = FreePort.Tcp();
        var outDir2 = Directory.CreateDirectory(dir.File("out2")).FullName;
        await using var send = SockCli.Start("send", path, "--listen", port2.ToString());
        await WaitBoundAsync(port2);
        var r = await SockCli.RunAsync("recv", $"127.0.0.1:{port2}", "-o", outDir2, "--proxy", proxy.Address, "--proxy-type", "socks5");
        Assert.True(r.Code == 0, r.Stderr);
        Assert.Equal(0, await send.WaitForExitAsync(Short));
        Assert.Equal(sha, Hash(File.ReadAllBytes(Path.Combine(outDir2, "payload.bin"))));
    }

    [Fact]
    public async Task ChatJoinThroughProxy()
    {
        await using var proxy = await ProxyPeer.MicrosocksAsync();
        await using var server = await ChatClient.IrcServer.StartAsync("ngircd");
        using var home = new TempDir();
        await using var alice = ChatClient.ChatProcess.Plain(server.Address, "alice", home, "--proxy", $"socks5://{proxy.Address}");
        await alice.WaitForStdoutAsync("you joined #lobby", ChatClient.ChatProcess.Wait);
        await alice.WriteAsync("/quit\n");
        Assert.Equal(0, await alice.WaitForExitAsync(ChatClient.ChatProcess.Wait));
    }
}
