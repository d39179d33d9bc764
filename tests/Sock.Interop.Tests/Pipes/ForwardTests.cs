using System.Text;
using Sock.Interop.Tests.Infrastructure;
using static Sock.Interop.Tests.Pipes.PipeTestKit;

namespace Sock.Interop.Tests.Pipes;

/// <summary>`sock forward` between real peers: ncat, nc, socat, python3 and openssl on either end.</summary>
public class ForwardTests
{
    private static async Task<(RunningProcess Process, int Port)> ForwardAsync(params string[] args)
    {
        var port = FreePort.Tcp();
        var p = SockCli.Start(["forward", "127.0.0.1", port.ToString(), .. args]);
        await p.WaitForStderrAsync("sock: forwarding ", Short);
        return (p, port);
    }

    [Theory]
    [InlineData("nc", "ncat")]
    [InlineData("socat", "nc")]
    [InlineData("ncat", "socat")]
    public async Task PeersOnBothEnds16MiB(string client, string server)
    {
        using var dir = FreePort.TempDir();
        var file = RandomFile(dir);
        var target = FreePort.Tcp();
        await using var receiver = Shell(server switch
        {
            "ncat" => $"exec {Peers.Ncat} -l 127.0.0.1 {target}",
            "nc" => $"exec {Peers.Nc} -l 127.0.0.1 {target}",
            _ => $"exec {Peers.Socat} TCP-LISTEN:{target},bind=127.0.0.1,reuseaddr STDIO",
        });
        await WaitBoundAsync(target);
        var (fwd, port) = await ForwardAsync("127.0.0.1", target.ToString());
        await using var _ = fwd;
        var sender = client switch
        {
            "nc" => $"{Peers.Nc} -N 127.0.0.1 {port}",
            "socat" => $"{Peers.Socat} STDIO TCP:127.0.0.1:{port}",
            _ => $"{Peers.Ncat} 127.0.0.1 {port}",
        };
        var (r, s) = await TransferAsync(receiver, () => Task.CompletedTask, sender, file);
        Assert.Equal(0, s);
        await fwd.WaitForStderrAsync($" bytes up, ", Short);
        Assert.Contains($"-> 127.0.0.1:{target}: {Payload} bytes up, 0 bytes down, ", fwd.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OneGiBStreamIsByteIdentical()
    {
        using var dir = FreePort.TempDir();
        var target = FreePort.Tcp();
        await using var receiver = Shell($"{Peers.Ncat} -l 127.0.0.1 {target} --recv-only | sha256sum > {Q(dir.File("got"))}");
        await WaitBoundAsync(target);
        var (fwd, port) = await ForwardAsync("127.0.0.1", target.ToString());
        await using var _ = fwd;
        await using var sender = Shell($"head -c 1073741824 /dev/urandom | tee >(sha256sum > {Q(dir.File("sent"))}) | {Peers.Nc} -N 127.0.0.1 {port}");
        Assert.Equal(0, await sender.WaitForExitAsync(TimeSpan.FromSeconds(120)));
        Assert.Equal(0, await receiver.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        for (var i = 0; i < 50 && !File.Exists(dir.File("sent")) || new FileInfo(dir.File("sent")).Length == 0; i++) await Task.Delay(100, Ct);
        Assert.Equal(File.ReadAllText(dir.File("sent")), File.ReadAllText(dir.File("got")));
        await fwd.WaitForStderrAsync("1073741824 bytes up, 0 bytes down", Short);
    }

    /// <summary>Each side half-closes in turn; the other still talks, through the relay.</summary>
    [Fact]
    public async Task HalfCloseCarriedBothWays()
    {
        var target = FreePort.Tcp();
        // Target: reads to EOF, then answers with what it counted, then reads again to see our FIN.
        await using var server = RunningProcess.Start(Peers.Python3, ["-c", $$"""
            import socket
            s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1', {{target}})); s.listen(1)
            c, _ = s.accept()
            got = b''
            while True:
                b = c.recv(65536)
                if not b: break
                got += b
            c.sendall(b'counted %d\n' % len(got)); c.shutdown(socket.SHUT_WR)
            c2, _ = s.accept()
            c2.sendall(b'server first\n'); c2.shutdown(socket.SHUT_WR)
            rest = b''
            while True:
                b = c2.recv(65536)
                if not b: break
                rest += b
            print(rest.decode(), end='', flush=True)
            """]);
        await WaitBoundAsync(target);
        var (fwd, port) = await ForwardAsync("127.0.0.1", target.ToString());
        await using var _ = fwd;

        // Client half-closes first: the answer still comes back.
        await using (var nc = Shell($"printf 'abcdefghij' | {Peers.Nc} -N 127.0.0.1 {port}"))
        {
            Assert.Equal(0, await nc.WaitForExitAsync(Short));
            Assert.Equal("counted 10\n", nc.Stdout);
        }
        // Server half-closes first: the client reads its EOF, then still sends.
        var reply = await Run.PythonAsync(Peers.Python3, $$"""
            import socket
            c = socket.create_connection(('127.0.0.1', {{port}}))
            got = b''
            while True:
                b = c.recv(100)
                if not b: break
                got += b
            c.sendall(b'client after eof\n'); c.shutdown(socket.SHUT_WR); c.recv(1)
            print(got.decode(), end='')
            """);
        Assert.Equal("server first\n", reply);
        Assert.Equal(0, await server.WaitForExitAsync(Short));
        Assert.Equal("client after eof\n", server.Stdout);
    }

    [Fact]
    public async Task TwoHundredConcurrentClients()
    {
        var target = FreePort.Tcp();
        await using var echo = RunningProcess.Start(Peers.Socat, [$"TCP-LISTEN:{target},bind=127.0.0.1,reuseaddr,fork,backlog=512", "EXEC:/bin/cat"]);
        await WaitBoundAsync(target);
        var (fwd, port) = await ForwardAsync("127.0.0.1", target.ToString(), "--quiet");
        await using var _ = fwd;
        var ok = await Run.PythonAsync(Peers.Python3, $$"""
            import socket, threading
            ok = []
            def one(i):
                c = socket.create_connection(('127.0.0.1', {{port}}), timeout=20)
                data = (b'client %d ' % i) * 1000
                c.sendall(data); c.shutdown(socket.SHUT_WR)
                got = b''
                while True:
                    b = c.recv(65536)
                    if not b: break
                    got += b
                if got == data: ok.append(i)
            ts = [threading.Thread(target=one, args=(i,)) for i in range(200)]
            for t in ts: t.start()
            for t in ts: t.join()
            print(len(ok))
            """);
        Assert.Equal("200\n", ok);
        Assert.DoesNotContain(" bytes up", fwd.Stderr, StringComparison.Ordinal); // --quiet
    }

    [Fact]
    public async Task TlsTerminationCheckedWithOpensslAndOrigination()
    {
        var target = FreePort.Tcp();
        await using var greeter = RunningProcess.Start(Peers.Ncat, ["-l", "-k", "127.0.0.1", target.ToString(), "--sh-exec", "echo plain-target"]);
        await WaitBoundAsync(target);
        var port = FreePort.Tcp();
        await using var fwd = SockCli.Start("forward", "--listen-tls", "127.0.0.1", port.ToString(), "127.0.0.1", target.ToString());
        await fwd.WaitForStderrAsync("sock: forwarding ", Short);
        Assert.Contains("sock: TLS self-signed certificate SHA-256 ", fwd.Stderr, StringComparison.Ordinal);
        await using (var s = RunningProcess.Start(Peers.Openssl, ["s_client", "-connect", $"127.0.0.1:{port}", "-quiet"]))
        {
            await s.WaitForStdoutAsync("plain-target", Short);
            s.CloseStdin();
            await s.WaitForExitAsync(Short);
        }

        // Originate: plain clients, a TLS target (ncat --ssl).
        var tlsTarget = FreePort.Tcp();
        await using var tlsServer = RunningProcess.Start(Peers.Ncat, ["--ssl", "-l", "-k", "127.0.0.1", tlsTarget.ToString(), "--sh-exec", "echo tls-target"]);
        await WaitBoundAsync(tlsTarget);
        var (fwd2, port2) = await ForwardAsync("--to-tls", "--insecure", "127.0.0.1", tlsTarget.ToString());
        await using var _ = fwd2;
        await using var nc = Shell($"{Peers.Nc} -N 127.0.0.1 {port2} < /dev/null");
        Assert.Equal(0, await nc.WaitForExitAsync(Short));
        Assert.Equal("tls-target\n", nc.Stdout);
    }

    [Fact]
    public async Task UnixListenerAndUnixTarget()
    {
        using var dir = FreePort.TempDir();
        var target = FreePort.Tcp();
        await using var greeter = RunningProcess.Start(Peers.Ncat, ["-l", "-k", "127.0.0.1", target.ToString(), "--sh-exec", "echo via-unix"]);
        await WaitBoundAsync(target);
        var path = dir.File("fwd.sock");
        await using var fwd = SockCli.Start("forward", "--listen-unix", path, "127.0.0.1", target.ToString());
        await WaitUnixListeningAsync(path);
        // The client's input stays open a moment: an immediate EOF, carried through as a half-close,
        // races ncat's --sh-exec child for the reply (ncat may end the connection first).
        await using (var client = Shell($"sleep 1 | {Peers.Socat} - UNIX-CONNECT:{path}"))
        {
            Assert.Equal(0, await client.WaitForExitAsync(Short));
            Assert.Equal("via-unix\n", client.Stdout);
        }

        // And TCP in, Unix out: socat serves the Unix socket.
        var upath = dir.File("target.sock");
        await using var unixServer = RunningProcess.Start(Peers.Socat, [$"UNIX-LISTEN:{upath},fork", "SYSTEM:echo unix-target"]);
        await WaitUnixListeningAsync(upath);
        var port = FreePort.Tcp();
        await using var fwd2 = SockCli.Start("forward", "--to-unix", upath, "127.0.0.1", port.ToString());
        await fwd2.WaitForStderrAsync("sock: forwarding ", Short);
        await using var nc = Shell($"sleep 1 | {Peers.Nc} -N 127.0.0.1 {port}");
        Assert.Equal(0, await nc.WaitForExitAsync(Short));
        Assert.Equal("unix-target\n", nc.Stdout);
    }

    [Fact]
    public async Task UdpSessionsAndIdleExpiry()
    {
        var target = FreePort.Udp();
        await using var echo = RunningProcess.Start(Peers.Socat, [$"UDP-LISTEN:{target},bind=127.0.0.1,reuseaddr,fork", "EXEC:/bin/cat"]);
        await WaitBoundAsync(target, udp: true);
        var port = FreePort.Udp();
        await using var fwd = SockCli.Start("forward", "-u", "--udp-idle", "0.5", "127.0.0.1", port.ToString(), "127.0.0.1", target.ToString());
        await fwd.WaitForStderrAsync("sock: forwarding ", Short);
        await using var nc = Shell($"printf 'dgram one\\n' | {Peers.Nc} -u -w 1 127.0.0.1 {port}");
        await nc.WaitForExitAsync(Short);
        Assert.Equal("dgram one\n", nc.Stdout);
        await fwd.WaitForStderrAsync("10 bytes up, 10 bytes down", Short);
        Assert.Contains("expired after 0.5s idle", fwd.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MaxClientsAndARefusingTarget()
    {
        var target = FreePort.Tcp();
        await using var slow = RunningProcess.Start(Peers.Ncat, ["-l", "-k", "127.0.0.1", target.ToString(), "--sh-exec", "sleep 5"]);
        await WaitBoundAsync(target);
        var (fwd, port) = await ForwardAsync("--max-clients", "1", "127.0.0.1", target.ToString());
        await using var _ = fwd;
        await using var first = Shell($"sleep 3 | {Peers.Nc} 127.0.0.1 {port}");
        await Task.Delay(500, Ct);
        await using (var second = Shell($"{Peers.Nc} -N -w 2 127.0.0.1 {port} < /dev/null")) await second.WaitForExitAsync(Short);
        await fwd.WaitForStderrAsync(": 1 clients already connected (--max-clients)", Short);

        using var refusing = FreePort.Refusing(out var closed);
        var (fwd2, port2) = await ForwardAsync("127.0.0.1", closed.ToString());
        await using var __ = fwd2;
        await using (var c = Shell($"{Peers.Nc} -N -w 2 127.0.0.1 {port2} < /dev/null")) await c.WaitForExitAsync(Short);
        await fwd2.WaitForStderrAsync($"-> 127.0.0.1:{closed}: connect 127.0.0.1:{closed}: connection refused (ECONNREFUSED)", Short);
    }

    [Theory]
    [InlineData("forward", "8080")]
    [InlineData("forward", "8080", "host")]
    [InlineData("forward", "-u", "--to-tls", "1", "h", "2")]
    [InlineData("forward", "--pin", "AB", "1", "h", "2")]
    [InlineData("forward", "1", "h", "0")]
    public async Task UsageErrors(params string[] args)
    {
        var (code, _, stderr) = await SockCli.RunAsync(args);
        Assert.Equal(2, code);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
    }
}
