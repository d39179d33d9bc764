using System.Net;
using System.Net.Sockets;
using Sock.Interop.Tests.Infrastructure;
using static Sock.Interop.Tests.Pipes.PipeTestKit;

namespace Sock.Interop.Tests.Pipes;

/// <summary>
/// `--allow` / `--deny` on listeners, with real clients bound to 127.0.0.1 or 127.0.0.2 (`nc -s`),
/// and ::1: a refused client is closed at once (it reads EOF) and the refusal is logged.
/// </summary>
public class AccessControlTests
{
    /// <summary>nc from <paramref name="source"/>: sends a line, then prints what it got until the server closes.</summary>
    private static async Task<(int Code, string Stdout)> NcFromAsync(string source, string host, int port, string line)
    {
        await using var p = Shell($"printf {Q(line)} | {Peers.Nc} -N -w 5 -s {source} {host} {port}");
        var code = await p.WaitForExitAsync(Short);
        return (code, p.Stdout);
    }

    [Fact]
    public async Task ListenRefusesOthersAndKeepsWaitingForAnAllowedClient()
    {
        var port = FreePort.Tcp();
        await using var listen = SockCli.Start("listen", "--allow", "127.0.0.1", "127.0.0.1", port.ToString());
        await WaitBoundAsync(port);
        await NcFromAsync("127.0.0.2", "127.0.0.1", port, "from-two\n");
        await listen.WaitForStderrAsync($"sock: refused 127.0.0.2:", Short);
        Assert.Contains(": not in --allow\n", listen.Stderr, StringComparison.Ordinal);
        Assert.False(listen.HasExited);

        await NcFromAsync("127.0.0.1", "127.0.0.1", port, "from-one\n");
        listen.CloseStdin();
        Assert.Equal(0, await listen.WaitForExitAsync(Short));
        Assert.Equal("from-one\n", listen.Stdout);
    }

    [Fact]
    public async Task KeepOpenDenyAndAFileOfRules()
    {
        using var dir = FreePort.TempDir();
        var rules = dir.File("deny.txt");
        File.WriteAllText(rules, "# the second loopback address\n127.0.0.2/32\n");
        var port = FreePort.Tcp();
        await using var listen = SockCli.Start("listen", "-k", "--deny", "@" + rules, "127.0.0.1", port.ToString());
        await WaitBoundAsync(port);
        await NcFromAsync("127.0.0.2", "127.0.0.1", port, "denied\n");
        await listen.WaitForStderrAsync("matches --deny 127.0.0.2/32", Short);
        await NcFromAsync("127.0.0.1", "127.0.0.1", port, "welcome\n");
        await listen.WaitForStdoutAsync("welcome\n", Short);
        Assert.DoesNotContain("denied", listen.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task IPv6Rules()
    {
        var port = FreePort.Tcp(AddressFamily.InterNetworkV6);
        await using var listen = SockCli.Start("listen", "-k", "--allow", "::1/128", "--deny", "127.0.0.0/8", port.ToString());
        await WaitBoundAsync(port);
        await NcFromAsync("127.0.0.1", "127.0.0.1", port, "v4\n");
        await listen.WaitForStderrAsync("sock: refused 127.0.0.1:", Short);
        await NcFromAsync("::1", "::1", port, "v6\n");
        await listen.WaitForStdoutAsync("v6\n", Short);
        Assert.DoesNotContain("v4", listen.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UdpListenDropsDeniedSenders()
    {
        var port = FreePort.Udp();
        await using var listen = SockCli.Start("listen", "-u", "--deny", "127.0.0.2", "127.0.0.1", port.ToString());
        await WaitBoundAsync(port, udp: true);
        await using (var denied = Shell($"printf 'no\\n' | {Peers.Nc} -u -w 1 -s 127.0.0.2 127.0.0.1 {port}")) await denied.WaitForExitAsync(Short);
        await listen.WaitForStderrAsync("sock: refused datagrams from 127.0.0.2:", Short);
        await using (var ok = Shell($"printf 'yes\\n' | {Peers.Nc} -u -w 1 -s 127.0.0.1 127.0.0.1 {port}")) await ok.WaitForExitAsync(Short);
        await listen.WaitForStdoutAsync("yes\n", Short);
        Assert.Equal("yes\n", listen.Stdout);
    }

    [Fact]
    public async Task RecvListenRefusesDeniedSender()
    {
        using var dir = FreePort.TempDir();
        var (path, sha) = RandomFile(dir, 100_000);
        var outDir = Directory.CreateDirectory(dir.File("out")).FullName;
        var port = FreePort.Tcp();
        await using var recv = SockCli.Start("recv", "--listen", port.ToString(), "-o", outDir, "--deny", "127.0.0.2");
        await WaitBoundAsync(port);
        var denied = await NcFromAsync("127.0.0.2", "127.0.0.1", port, "junk");
        await recv.WaitForStderrAsync("sock: refused 127.0.0.2:", Short);
        var (code, _, stderr) = await SockCli.RunAsync("send", path, $"127.0.0.1:{port}");
        Assert.True(code == 0, stderr);
        Assert.Equal(0, await recv.WaitForExitAsync(Short));
        Assert.Equal(sha, Hash(File.ReadAllBytes(Path.Combine(outDir, "payload.bin"))));
    }

    [Fact]
    public async Task ChatServeRefusesAndLogs()
    {
        var port = FreePort.Tcp();
        await using var server = SockCli.Start("chat", "serve", "--bind", "127.0.0.1", "--port", port.ToString(), "--allow", "127.0.0.1/32");
        await WaitBoundAsync(port);
        var denied = await NcFromAsync("127.0.0.2", "127.0.0.1", port, "hello\n");
        Assert.Equal("", denied.Stdout); // closed before any welcome
        await server.WaitForStderrAsync("refused 127.0.0.2:", Short);
        Assert.Contains("not in --allow", server.Stderr, StringComparison.Ordinal);
        var allowed = await NcFromAsync("127.0.0.1", "127.0.0.1", port, "/quit\n");
        Assert.Contains("127.0.0.1", allowed.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("listen", "--allow", "10.0.0.0/33", "9999")]
    [InlineData("listen", "--deny", "example.com", "9999")]
    [InlineData("recv", "127.0.0.1:9", "--allow", "10.0.0.1")]
    public async Task BadRulesAreUsageErrors(params string[] args)
    {
        var (code, _, stderr) = await SockCli.RunAsync(args);
        Assert.Equal(2, code);
        Assert.StartsWith("sock: ", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
    }
}
