using System.Net.Sockets;
using System.Text;
using Sock.Interop.Tests.Infrastructure;
using static Sock.Interop.Tests.Pipes.PipeTestKit;


namespace Sock.Interop.Tests.Pipes;

/// <summary>`sock connect` and `sock listen` against each other and against small Python peers.</summary>
public class SockPipeTests
{
    /// <summary>A server that reads until EOF (our half-close), then answers and closes: only works if we keep reading.</summary>
    private const string EchoAfterEof = """
        import socket, sys
        s = socket.socket(); s.bind(('127.0.0.1', int(sys.argv[1]))); s.listen(1)
        c, _ = s.accept(); data = b''
        while True:
            d = c.recv(65536)
            if not d: break
            data += d
        c.sendall(b'got ' + str(len(data)).encode() + b': ' + data); c.close()
        """;

    [Fact]
    public async Task HalfCloseSendsEofAndStillReadsTheReply()
    {
        var port = FreePort.Tcp();
        await using var server = RunningProcess.Start(Peers.Python3, ["-c", EchoAfterEof, port.ToString()]);
        await WaitBoundAsync(port);
        await using var client = SockCli.Start("connect", "127.0.0.1", port.ToString());
        await client.WriteAsync("hello");
        client.CloseStdin();
        Assert.Equal(0, await client.WaitForExitAsync(Short));
        Assert.Equal("got 5: hello", client.Stdout);
        Assert.Equal("", client.Stderr); // not a terminal: no status lines
    }

    [Fact]
    public async Task FullDuplex16MiBEachWaySimultaneously()
    {
        using var dir = FreePort.TempDir();
        var a = RandomFile(dir, name: "a.bin");
        var b = RandomFile(dir, name: "b.bin");
        var port = FreePort.Tcp();
        await using var listen = Shell($"{SockExe} listen 127.0.0.1 {port} < {Q(a.Path)} > {Q(dir.File("at-client-side.bin"))}");
        await WaitBoundAsync(port);
        await using var connect = Shell($"{SockExe} connect 127.0.0.1 {port} < {Q(b.Path)} > {Q(dir.File("at-server-side.bin"))}");
        Assert.Equal(0, await connect.WaitForExitAsync(Long));
        Assert.Equal(0, await listen.WaitForExitAsync(Long));
        Assert.Equal(b.Sha256, Hash(File.ReadAllBytes(dir.File("at-client-side.bin"))));
        Assert.Equal(a.Sha256, Hash(File.ReadAllBytes(dir.File("at-server-side.bin"))));
        Assert.Contains($"sock: connection from 127.0.0.1:", listen.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ipv6BracketLiteralAndSourcePort()
    {
        var port = FreePort.Tcp(AddressFamily.InterNetworkV6);
        var sourcePort = FreePort.Tcp(AddressFamily.InterNetworkV6);
        await using var listen = SockCli.Start("listen", "-6", "::1", port.ToString());
        await WaitBoundAsync(port);
        await using var connect = SockCli.Start("connect", "[::1]", port.ToString(), "--source", $"[::1]:{sourcePort}");
        await connect.WriteAsync("über ✓\n");
        await listen.WaitForStdoutAsync("über ✓\n", Short);
        await listen.WaitForStderrAsync($"sock: connection from [::1]:{sourcePort}", Short);
        await listen.WriteAsync("back\n");
        await connect.WaitForStdoutAsync("back\n", Short);
        connect.CloseStdin();
        Assert.Equal(0, await listen.WaitForExitAsync(Short)); // the client's EOF ends the listener
        listen.CloseStdin();
        Assert.Equal(0, await connect.WaitForExitAsync(Short));
    }

    [Fact]
    public async Task CrlfTurnsLineFeedsIntoCrLf()
    {
        var port = FreePort.Tcp();
        await using var listen = SockCli.Start("listen", "127.0.0.1", port.ToString());
        await WaitBoundAsync(port);
        await using var connect = SockCli.Start("connect", "--crlf", "127.0.0.1", port.ToString());
        await connect.WriteAsync("HELO a\nMAIL b\r\n");
        connect.CloseStdin();
        Assert.Equal(0, await listen.WaitForExitAsync(Short));
        Assert.Equal("HELO a\r\nMAIL b\r\n", listen.Stdout);
    }

    [Fact]
    public async Task KeepOpenServesManyClientsAndBroadcastsInput()
    {
        var port = FreePort.Tcp();
        await using var listen = SockCli.Start("listen", "--keep-open", "--max-clients", "2", "127.0.0.1", port.ToString());
        await WaitBoundAsync(port);
        await using var one = SockCli.Start("connect", "127.0.0.1", port.ToString());
        await listen.WaitForStderrAsync("sock: connection from 127.0.0.1:", Short);
        await using var two = RunningProcess.Start(Peers.Ncat, ["127.0.0.1", port.ToString()]);
        await WaitForCountAsync(listen, "sock: connection from 127.0.0.1:", 2);
        await one.WriteAsync("from one\n");
        await two.WriteAsync("from two\n");
        await listen.WaitForStdoutAsync("from one\n", Short);
        await listen.WaitForStdoutAsync("from two\n", Short);
        await listen.WriteAsync("to everyone\n");
        await one.WaitForStdoutAsync("to everyone\n", Short);
        await two.WaitForStdoutAsync("to everyone\n", Short);

        // A third client is over --max-clients: closed at once, reported with its address.
        await using var three = SockCli.Start("connect", "127.0.0.1", port.ToString());
        Assert.Equal(0, await three.WaitForExitAsync(Short));
        await listen.WaitForStderrAsync("sock: refused 127.0.0.1:", Short);

        one.CloseStdin();
        Assert.Equal(0, await one.WaitForExitAsync(Short));
        await listen.WaitForStderrAsync(" disconnected", Short);
        Assert.False(listen.HasExited); // still serving
        await two.WriteAsync("still here\n");
        await listen.WaitForStdoutAsync("still here\n", Short);
    }

    /// <summary>Connects with a tiny receive buffer and never reads: its buffers fill after a few KiB.</summary>
    private const string NeverReads = """
        import socket, sys, time
        s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.connect(('127.0.0.1', int(sys.argv[1]))); time.sleep(60)
        """;

    [Fact]
    public async Task KeepOpenDropsAClientThatStopsReadingAndTheOthersGetEverything()
    {
        var port = FreePort.Tcp();
        await using var listen = SockCli.Start("listen", "--keep-open", "--stall-timeout", "1", "127.0.0.1", port.ToString());
        await WaitBoundAsync(port);
        await using var stalled = RunningProcess.Start(Peers.Python3, ["-c", NeverReads, port.ToString()]);
        await listen.WaitForStderrAsync("sock: connection from 127.0.0.1:", Short);
        await using var reader = RunningProcess.Start(Peers.Ncat, ["--recv-only", "127.0.0.1", port.ToString()]);
        await WaitForCountAsync(listen, "sock: connection from 127.0.0.1:", 2);

        // 16 MiB: far more than the stalled client's socket buffers hold.
        var data = new byte[16 << 20];
        new Random(7).NextBytes(data);
        var feed = Task.Run(async () =>
        {
            await listen.StandardInput.WriteAsync(data, Ct);
            await listen.StandardInput.FlushAsync(Ct);
        }, Ct);
        await listen.WaitForStderrAsync("dropped: took no data for 1s", Short);
        await feed.WaitAsync(Long, Ct);
        var deadline = DateTime.UtcNow + Long;
        while (reader.StdoutBytes.Length < data.Length && DateTime.UtcNow < deadline) await Task.Delay(50, Ct);
        Assert.Equal(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(data)),
            Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(reader.StdoutBytes)));
        Assert.False(listen.HasExited); // still serving the reader
        Assert.Single(listen.Stderr.Split(" dropped: ")[1..]); // reported once, not again as "lost"
    }

    [Fact]
    public async Task UdpSockToSockBothWays()
    {
        var port = FreePort.Udp();
        await using var listen = SockCli.Start("listen", "-u", "127.0.0.1", port.ToString());
        await WaitBoundAsync(port, udp: true);
        await using var connect = SockCli.Start("connect", "-u", "127.0.0.1", port.ToString());
        await connect.WriteAsync("ping\n");
        await listen.WaitForStdoutAsync("ping\n", Short);
        await listen.WaitForStderrAsync("sock: datagrams from 127.0.0.1:", Short);
        await listen.WriteAsync("pong\n");
        await connect.WaitForStdoutAsync("pong\n", Short);
        connect.CloseStdin(); // then one quiet second and the client ends
        Assert.Equal(0, await connect.WaitForExitAsync(Short));
    }

    [Fact]
    public async Task UnixSocketStaleFileIsReplacedButARegularFileIsNot()
    {
        using var dir = FreePort.TempDir();
        var path = dir.File("s.sock");
        // A socket file left behind by a process that bound it and died without unlinking it.
        await Run.PythonAsync(Peers.Python3, $"import socket; s = socket.socket(socket.AF_UNIX); s.bind({Q(path)}); s.listen(1)");
        Assert.True(File.Exists(path));
        await using (var listen = SockCli.Start("listen", "-U", path))
        {
            await WaitUnixListeningAsync(path);
            // A second listener on a live socket must not steal it.
            var (code, _, stderr) = await SockCli.RunAsync("listen", "-U", path);
            Assert.Equal(1, code);
            Assert.Equal($"sock: listen {path}: address already in use (EADDRINUSE)\n", stderr);
            await using var connect = SockCli.Start("connect", "-U", path);
            await connect.WriteAsync("over unix\n");
            connect.CloseStdin();
            Assert.Equal(0, await listen.WaitForExitAsync(Short));
            Assert.Equal("over unix\n", listen.Stdout);
        }
        Assert.False(File.Exists(path)); // the listener removes its socket file

        var regular = dir.File("notes.txt");
        File.WriteAllText(regular, "keep me");
        var (c2, _, e2) = await SockCli.RunAsync("listen", "-U", regular);
        Assert.Equal(1, c2);
        Assert.Equal($"sock: listen {regular}: file exists and is not a socket (EEXIST)\n", e2);
        Assert.Equal("keep me", File.ReadAllText(regular));
    }

    [Fact]
    public async Task TlsSelfSignedFingerprintPinAndVerification()
    {
        var port = FreePort.Tcp();
        await using var listen = SockCli.Start("listen", "--keep-open", "--tls", "127.0.0.1", port.ToString());
        await listen.WaitForStderrAsync("sock: TLS self-signed certificate SHA-256 ", Short);
        await WaitBoundAsync(port);
        var fingerprint = listen.Stderr.Split("SHA-256 ")[1].Split('\n')[0].Trim();
        Assert.Matches("^([0-9A-F]{2}:){31}[0-9A-F]{2}$", fingerprint);

        // Normal verification refuses a self-signed certificate and says how to trust it.
        var (code, _, stderr) = await SockCli.RunAsync("connect", "--tls", "127.0.0.1", port.ToString());
        Assert.Equal(1, code);
        Assert.StartsWith("sock: TLS handshake with 127.0.0.1: certificate not trusted", stderr, StringComparison.Ordinal);
        Assert.Contains(fingerprint, stderr, StringComparison.Ordinal);

        var wrong = string.Concat(Enumerable.Repeat("00", 32));
        (code, _, stderr) = await SockCli.RunAsync("connect", "--tls", "--pin", wrong, "127.0.0.1", port.ToString());
        Assert.Equal(1, code);
        Assert.Contains("does not match the pinned one", stderr, StringComparison.Ordinal);

        await using var pinned = SockCli.Start("connect", "--tls", "--pin", fingerprint.Replace(":", "", StringComparison.Ordinal).ToLowerInvariant(), "127.0.0.1", port.ToString());
        await pinned.WriteAsync("secret\n");
        await listen.WaitForStdoutAsync("secret\n", Short);
        await listen.WriteAsync("ok\n");
        await pinned.WaitForStdoutAsync("ok\n", Short);
    }

    [Fact]
    public async Task TlsWithCertificateFiles()
    {
        using var dir = FreePort.TempDir();
        var cert = TestCertificate.Write(dir);
        var port = FreePort.Tcp();
        await using var listen = SockCli.Start("listen", "--tls", "--cert", cert.Cert, "--key", cert.Key, "127.0.0.1", port.ToString());
        await WaitBoundAsync(port);
        await using var connect = SockCli.Start("connect", "--tls", "--pin", cert.Fingerprint, "localhost", port.ToString());
        await connect.WriteAsync("with files\n");
        connect.CloseStdin();
        Assert.Equal(0, await listen.WaitForExitAsync(Short));
        Assert.Equal("with files\n", listen.Stdout);
        Assert.DoesNotContain("self-signed", listen.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeepOpenTlsOnTheDefaultDualStackAddress()
    {
        // No address: every IPv6 and IPv4 address. One ncat --ssl client over IPv4, one sock over IPv6.
        var port = FreePort.Tcp(AddressFamily.InterNetworkV6);
        await using var listen = SockCli.Start("listen", "--keep-open", "--tls", port.ToString());
        await WaitBoundAsync(port);
        await using var ncat = RunningProcess.Start(Peers.Ncat, ["--ssl", "127.0.0.1", port.ToString()]);
        await listen.WaitForStderrAsync("sock: connection from 127.0.0.1:", Short);
        await using var sock = SockCli.Start("connect", "--tls", "--insecure", "::1", port.ToString());
        await listen.WaitForStderrAsync("sock: connection from [::1]:", Short);
        await ncat.WriteAsync("v4 via ncat\n");
        await sock.WriteAsync("v6 via sock\n");
        await listen.WaitForStdoutAsync("v4 via ncat\n", Short);
        await listen.WaitForStdoutAsync("v6 via sock\n", Short);
        await listen.WriteAsync("to both\n");
        await ncat.WaitForStdoutAsync("to both\n", Short);
        await sock.WaitForStdoutAsync("to both\n", Short);
    }

    [Fact]
    public async Task StatusLinesOnlyOnATerminal()
    {
        // script(1) gives sock a pseudo-terminal; the same command without one printed nothing extra (see HalfClose…).
        var script = Peers.Require("script", "util-linux");
        var port = FreePort.Tcp();
        await using var server = RunningProcess.Start(Peers.Python3, ["-c", EchoAfterEof, port.ToString()]);
        await WaitBoundAsync(port);
        var (code, stdout, _) = await Run.Async(script, "-qec", $"printf abc | {SockExe} connect 127.0.0.1 {port}", "/dev/null");
        Assert.Equal(0, code);
        Assert.Contains($"sock: connected to 127.0.0.1:{port}", stdout, StringComparison.Ordinal);
        Assert.Contains("got 3: abc", stdout, StringComparison.Ordinal);
        Assert.Contains("sock: 3 bytes out, 10 bytes in", stdout, StringComparison.Ordinal);
    }

    private static async Task WaitForCountAsync(RunningProcess p, string text, int count)
    {
        var deadline = DateTime.UtcNow + Short;
        while (p.Stderr.Split(text).Length - 1 < count)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"'{text}' not seen {count} times: {p.Stderr}");
            await Task.Delay(20, Ct);
        }
    }
}
