using System.Net;
using System.Net.Sockets;
using Sock.Interop.Tests.Infrastructure;
using static Sock.Interop.Tests.Pipes.PipeTestKit;

namespace Sock.Interop.Tests.Pipes;

/// <summary>Every failure the issue lists: one exact line on stderr, the documented exit code, no stack trace.</summary>
public class PipeErrorTests
{
    [Fact]
    public async Task ConnectionRefused()
    {
        using var refusing = FreePort.Refusing(out var port);
        var (code, stdout, stderr) = await SockCli.RunAsync("connect", "127.0.0.1", port.ToString());
        Assert.Equal(1, code);
        Assert.Equal($"sock: connect 127.0.0.1:{port}: connection refused (ECONNREFUSED)\n", stderr);
        Assert.Equal("", stdout);
    }

    [Fact]
    public async Task ResetMidStream()
    {
        // The peer sends a little, then aborts with RST (SO_LINGER 0) instead of a clean FIN.
        var port = FreePort.Tcp();
        await using var peer = RunningProcess.Start(Peers.Python3, ["-c", $$"""
            import socket, struct, time
            s = socket.socket(); s.bind(('127.0.0.1', {{port}})); s.listen(1)
            c, _ = s.accept(); c.sendall(b'partial'); time.sleep(0.3)
            c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0)); c.close()
            """]);
        await WaitBoundAsync(port);
        await using var sock = SockCli.Start("connect", "127.0.0.1", port.ToString());
        Assert.Equal(1, await sock.WaitForExitAsync(Short));
        Assert.Equal($"sock: receive from 127.0.0.1:{port}: connection reset by peer (ECONNRESET)\n", sock.Stderr);
    }

    [Fact]
    public async Task PeerVanishingIsCaughtByIdleTimeout()
    {
        // A peer that stops answering without closing (process frozen, cable pulled): no FIN ever comes.
        var port = FreePort.Tcp();
        await using var peer = RunningProcess.Start(Peers.Ncat, ["-l", "127.0.0.1", port.ToString()]);
        await WaitBoundAsync(port);
        await using var sock = SockCli.Start("connect", "--idle-timeout", "1", "127.0.0.1", port.ToString());
        await sock.WriteAsync("are you there?\n");
        await peer.WaitForStdoutAsync("are you there?\n", Short);
        peer.Signal(19); // SIGSTOP
        try
        {
            Assert.Equal(1, await sock.WaitForExitAsync(Short));
            Assert.Equal("sock: idle timeout: no data for 1s\n", sock.Stderr);
        }
        finally
        {
            peer.Signal(18); // SIGCONT, so it can be killed cleanly
        }
    }

    [Fact]
    public async Task PeerKilledEndsTheSessionCleanly()
    {
        var port = FreePort.Tcp();
        await using var peer = RunningProcess.Start(Peers.Ncat, ["-l", "127.0.0.1", port.ToString()]);
        await WaitBoundAsync(port);
        await using var sock = SockCli.Start("connect", "127.0.0.1", port.ToString());
        await peer.WriteAsync("bye\n");
        await sock.WaitForStdoutAsync("bye\n", Short);
        peer.Signal(9); // the kernel closes its socket with a FIN: an ordinary end of the stream
        Assert.Equal(0, await sock.WaitForExitAsync(Short));
        Assert.Equal("", sock.Stderr);
    }

    [Fact]
    public async Task BrokenStdoutPipeExitsQuietly()
    {
        using var dir = FreePort.TempDir();
        var file = RandomFile(dir, 4 * 1024 * 1024);
        var port = FreePort.Tcp();
        await using var peer = Shell($"exec {Peers.Ncat} -l 127.0.0.1 {port} < {Q(file.Path)}");
        await WaitBoundAsync(port);
        var (code, stdout, stderr) = await Run.Async("/bin/bash", "-c",
            $"{SockExe} connect 127.0.0.1 {port} < /dev/zero | head -c 10 | wc -c; echo \"sock=${{PIPESTATUS[0]}}\"");
        Assert.Equal(0, code);
        Assert.Equal("10\nsock=0\n", stdout);
        Assert.Equal("", stderr);
    }

    [Fact]
    public async Task UdpReplyRefused()
    {
        // Nothing is bound to the port: the kernel answers our datagram with ICMP port unreachable.
        var port = FreePort.Udp();
        await using var sock = SockCli.Start("connect", "-u", "127.0.0.1", port.ToString());
        await sock.WriteAsync("anyone?\n");
        Assert.Equal(1, await sock.WaitForExitAsync(Short));
        Assert.Equal($"sock: receive from 127.0.0.1:{port}: connection refused (ECONNREFUSED)\n", sock.Stderr);
    }

    [Fact]
    public async Task UnixSocketMissing()
    {
        using var dir = FreePort.TempDir();
        var path = dir.File("nobody-here.sock");
        var (code, _, stderr) = await SockCli.RunAsync("connect", "-U", path);
        Assert.Equal(1, code);
        Assert.Equal($"sock: connect {path}: no such file or directory (ENOENT)\n", stderr);
    }

    [Fact]
    public async Task PortInUse()
    {
        using var holder = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        holder.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        holder.Listen(1);
        var port = ((IPEndPoint)holder.LocalEndPoint!).Port;
        var (code, _, stderr) = await SockCli.RunAsync("listen", "127.0.0.1", port.ToString());
        Assert.Equal(1, code);
        Assert.Equal($"sock: listen 127.0.0.1:{port}: address already in use (EADDRINUSE)\n", stderr);
    }

    [Fact]
    public async Task PermissionDeniedOnALowPortForAnUnprivilegedUser()
    {
        // We run as root in CI, so drop to `nobody` with setpriv for the real EACCES from bind().
        var setpriv = Peers.Require("setpriv", "util-linux");
        if (Environment.UserName != "root") Assert.Skip("needs root to switch to nobody");
        var (code, _, stderr) = await Run.Async(setpriv, "--reuid=nobody", "--regid=nogroup", "--clear-groups",
            SockCli.Path, "listen", "127.0.0.1", "80");
        Assert.Equal(1, code);
        Assert.Equal("sock: listen 127.0.0.1:80: permission denied (EACCES)\n", stderr);
    }

    [Fact]
    public async Task UnreadableCertificate()
    {
        using var dir = FreePort.TempDir();
        var missing = dir.File("missing.pem");
        var (code, _, stderr) = await SockCli.RunAsync("listen", "--tls", "--cert", missing, "127.0.0.1", FreePort.Tcp().ToString());
        Assert.Equal(1, code);
        Assert.StartsWith($"sock: cannot load certificate {missing}: ", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));

        var garbage = dir.File("garbage.pem");
        File.WriteAllText(garbage, "not a certificate\n");
        (code, _, stderr) = await SockCli.RunAsync("listen", "--tls", "--cert", garbage, "127.0.0.1", FreePort.Tcp().ToString());
        Assert.Equal(1, code);
        Assert.StartsWith($"sock: cannot load certificate {garbage}: ", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
    }

    [Theory]
    [InlineData("connect 127.0.0.1", "connect needs HOST PORT (or -U PATH, or a ws:// URL)")]
    [InlineData("connect 127.0.0.1 70000", "'70000' is not a port number (1-65535)")]
    [InlineData("connect -4 -6 ::1 80", "-4 and -6 exclude each other")]
    [InlineData("connect --pin AB 127.0.0.1 80", "--insecure and --pin need --tls")]
    [InlineData("connect -u --tls 127.0.0.1 80", "--tls works over TCP or Unix sockets, not UDP")]
    [InlineData("listen --max-clients 3 9000", "--max-clients needs --keep-open")]
    [InlineData("listen --stall-timeout 3 9000", "--stall-timeout needs --keep-open")]
    [InlineData("listen -k --stall-timeout 0 9000", "--stall-timeout wants a positive number of seconds, not 0")]
    [InlineData("listen --cert c.pem 9000", "--cert and --key need --tls")]
    [InlineData("connect --source nonsense 127.0.0.1 80", "--source 'nonsense' is not ADDR or ADDR:PORT (IPv6 as [ADDR]:PORT)")]
    public async Task BadUsageIsExit2WithOneLine(string args, string message)
    {
        var (code, stdout, stderr) = await SockCli.RunAsync(args.Split(' '));
        Assert.Equal(2, code);
        Assert.Equal($"sock: {message}\n", stderr);
        Assert.Equal("", stdout);
    }

    [Fact]
    public async Task ConnectTimeout()
    {
        // A listener whose accept queue is full drops further SYNs, so a connect hangs until --timeout.
        using var full = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        full.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        full.Listen(0);
        var port = ((IPEndPoint)full.LocalEndPoint!).Port;
        var fillers = new List<Socket>();
        try
        {
            for (var i = 0; i < 8; i++)
            {
                var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { Blocking = false };
                fillers.Add(s);
                try { s.Connect(IPAddress.Loopback, port); } catch (SocketException) { }
            }
            var (code, _, stderr) = await SockCli.RunAsync("connect", "--timeout", "0.5", "127.0.0.1", port.ToString());
            Assert.Equal(1, code);
            Assert.Equal($"sock: connect 127.0.0.1:{port}: timed out after 0.5s (ETIMEDOUT)\n", stderr);
        }
        finally
        {
            foreach (var s in fillers) s.Dispose();
        }
    }
}
