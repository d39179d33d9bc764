using Sock.Interop.Tests.Infrastructure;
using static Sock.Interop.Tests.Pipes.PipeTestKit;

namespace Sock.Interop.Tests.Pipes;

/// <summary>The article's other Unix socket types: datagram (socat UNIX-SENDTO/RECVFROM), SOCK_SEQPACKET (python3) and abstract names.</summary>
public class UnixSocketTypeTests
{
    private static async Task WaitForUnixNameAsync(string name)
    {
        var deadline = DateTime.UtcNow + Short;
        while (!File.ReadLines("/proc/net/unix").Any(l => l.EndsWith(" " + name, StringComparison.Ordinal)))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"no Unix socket {name}");
            await Task.Delay(20, Ct);
        }
    }

    [Fact]
    public async Task DatagramListenReceivesFromSocatSendto()
    {
        using var dir = FreePort.TempDir();
        var path = dir.File("dgram.sock");
        await using var listen = SockCli.Start("listen", "-U", path, "--dgram");
        await WaitForUnixNameAsync(path);
        await using (var socat = Shell($"printf 'one datagram\\n' | {Peers.Socat} - UNIX-SENDTO:{path}")) Assert.Equal(0, await socat.WaitForExitAsync(Short));
        await listen.WaitForStdoutAsync("one datagram\n", Short);
    }

    [Fact]
    public async Task DatagramConnectSendsToSocatRecvfromAndGetsTheReply()
    {
        using var dir = FreePort.TempDir();
        var path = dir.File("recv.sock");
        await using var socat = RunningProcess.Start(Peers.Socat, [$"UNIX-RECVFROM:{path}", "SYSTEM:read x; echo \"re: $x\""]);
        await WaitForUnixNameAsync(path);
        await using var client = Shell($"printf 'ping\\n' | {SockExe} connect -U {Q(path)} --dgram");
        Assert.Equal(0, await client.WaitForExitAsync(Short));
        Assert.Equal("re: ping\n", client.Stdout);
    }

    [Fact]
    public async Task SeqPacketWithPythonPeersKeepsRecords()
    {
        using var dir = FreePort.TempDir();
        var path = dir.File("seq.sock");
        await using var server = RunningProcess.Start(Peers.Python3, ["-c", $$"""
            import socket
            s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET); s.bind({{Q(path)}}); s.listen(1)
            c, _ = s.accept()
            sizes = []
            while True:
                b = c.recv(1 << 20)
                if not b: break
                sizes.append(len(b)); print('record', flush=True)
            c.send(b'first record\n'); c.send(b'second record\n'); c.close()
            print(len(sizes), sum(sizes), flush=True)
            """]);
        await WaitUnixListeningAsync(path);
        await using var client = SockCli.Start("connect", "-U", path, "--seqpacket");
        await client.WriteAsync("abc");
        await server.WaitForStdoutAsync("record\n", Short);
        await client.WriteAsync("defgh");
        client.CloseStdin();
        Assert.Equal(0, await client.WaitForExitAsync(Short));
        Assert.Equal("first record\nsecond record\n", client.Stdout);
        Assert.Equal(0, await server.WaitForExitAsync(Short));
        Assert.EndsWith("record\nrecord\n2 8\n", server.Stdout, StringComparison.Ordinal); // two records, 3 + 5 bytes: boundaries kept

        // And sock listening, a Python client sending three records.
        var path2 = dir.File("seq2.sock");
        await using var listen = SockCli.Start("listen", "-U", path2, "--seqpacket");
        await WaitUnixListeningAsync(path2);
        var got = await Run.PythonAsync(Peers.Python3, $$"""
            import socket
            c = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET); c.connect({{Q(path2)}})
            for r in (b'r1\n', b'r2\n', b'r3\n'): c.send(r)
            c.shutdown(socket.SHUT_WR)
            print(c.recv(100) == b'', end='')
            """);
        Assert.Equal("True", got);
        listen.CloseStdin();
        Assert.Equal(0, await listen.WaitForExitAsync(Short));
        Assert.Equal("r1\nr2\nr3\n", listen.Stdout);
    }

    [Fact]
    public async Task AbstractNamesBothWays()
    {
        var name = $"sock-test-{Guid.NewGuid():N}";
        await using var server = RunningProcess.Start(Peers.Python3, ["-c", $$"""
            import socket
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.bind('\0{{name}}'); s.listen(1)
            c, _ = s.accept(); c.sendall(b'abstract hello\n'); c.close()
            """]);
        await WaitForUnixNameAsync("@" + name);
        var (code, stdout, stderr) = await SockCli.RunAsync("connect", "-U", "@" + name);
        Assert.True(code == 0, stderr);
        Assert.Equal("abstract hello\n", stdout);

        var name2 = name + "-2";
        await using var listen = SockCli.Start("listen", "-U", "@" + name2);
        await WaitForUnixNameAsync("@" + name2);
        await using (var socat = Shell($"printf 'via socat\\n' | {Peers.Socat} - ABSTRACT-CONNECT:{name2}")) await socat.WaitForExitAsync(Short);
        listen.CloseStdin();
        Assert.Equal(0, await listen.WaitForExitAsync(Short));
        Assert.Equal("via socat\n", listen.Stdout);
    }

    [Theory]
    [InlineData("connect", "--dgram", "127.0.0.1", "9")]
    [InlineData("listen", "-U", "/tmp/x", "--dgram", "--seqpacket")]
    [InlineData("listen", "-U", "/tmp/x", "--dgram", "--keep-open")]
    public async Task UsageErrors(params string[] args) => Assert.Equal(2, (await SockCli.RunAsync(args)).Code);
}
