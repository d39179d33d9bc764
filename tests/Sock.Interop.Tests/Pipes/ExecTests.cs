using Sock.Interop.Tests.Infrastructure;
using static Sock.Interop.Tests.Pipes.PipeTestKit;

namespace Sock.Interop.Tests.Pipes;

/// <summary>`--exec` / `--sh-exec` on listen and connect, with nc and ncat on the other end.</summary>
public class ExecTests
{
    [Fact]
    public async Task ListenExecCatEchoes16MiB()
    {
        using var dir = FreePort.TempDir();
        var file = RandomFile(dir);
        var port = FreePort.Tcp();
        await using var listen = SockCli.Start("listen", "--exec", "/bin/cat", "127.0.0.1", port.ToString());
        await WaitBoundAsync(port);
        await using var client = Shell($"{Peers.Nc} -N 127.0.0.1 {port} < {Q(file.Path)}");
        Assert.Equal(0, await client.WaitForExitAsync(Long));
        Assert.Equal(file.Sha256, Hash(client.StdoutBytes));
        Assert.Equal(0, await listen.WaitForExitAsync(Short));
    }

    [Fact]
    public async Task KeepOpenRunsOneProgramPerClientAndStderrStaysOurs()
    {
        var port = FreePort.Tcp();
        await using var listen = SockCli.Start("listen", "-k", "--sh-exec", "echo hi $SOCK_PEER; echo oops >&2; exit 3", "127.0.0.1", port.ToString());
        await WaitBoundAsync(port);
        for (var i = 0; i < 2; i++)
        {
            await using var nc = Shell($"{Peers.Nc} -N 127.0.0.1 {port} < /dev/null");
            Assert.Equal(0, await nc.WaitForExitAsync(Short));
            Assert.StartsWith("hi 127.0.0.1:", nc.Stdout, StringComparison.Ordinal);
            Assert.DoesNotContain("oops", nc.Stdout, StringComparison.Ordinal);
        }
        await listen.WaitForStderrAsync("closed: program exited with 3", Short);
        Assert.Contains("oops", listen.Stderr, StringComparison.Ordinal);
        Assert.False(listen.HasExited);
    }

    [Fact]
    public async Task ProgramThatExitsEarlyClosesTheClient()
    {
        using var dir = FreePort.TempDir();
        var file = RandomFile(dir);
        var port = FreePort.Tcp();
        await using var listen = SockCli.Start("listen", "--sh-exec", "head -c 5", "127.0.0.1", port.ToString());
        await WaitBoundAsync(port);
        await using var client = Shell($"{Peers.Ncat} 127.0.0.1 {port} < {Q(file.Path)}");
        await client.WaitForExitAsync(Short);
        Assert.Equal(5, client.StdoutBytes.Length);
        Assert.Equal(0, await listen.WaitForExitAsync(Short));
    }

    [Fact]
    public async Task ProgramThatNeverReadsStillEnds()
    {
        using var dir = FreePort.TempDir();
        var file = RandomFile(dir);
        var port = FreePort.Tcp();
        await using var listen = SockCli.Start("listen", "-k", "--sh-exec", "sleep 1; echo bye", "127.0.0.1", port.ToString());
        await WaitBoundAsync(port);
        await using var client = Shell($"{Peers.Ncat} 127.0.0.1 {port} < {Q(file.Path)}");
        await client.WaitForStdoutAsync("bye\n", Short);
        await client.WaitForExitAsync(Short);
        await listen.WaitForStderrAsync("closed: program exited with 0", Short);
    }

    [Fact]
    public async Task ConnectExecTalksToTheServer()
    {
        var port = FreePort.Tcp();
        await using var server = Shell($"printf 'question\\n' | {Peers.Ncat} -l 127.0.0.1 {port}");
        await WaitBoundAsync(port);
        var (code, stdout, stderr) = await SockCli.RunAsync("connect", "--sh-exec", "read q; echo \"answer to $q\"", "127.0.0.1", port.ToString());
        Assert.True(code == 0, stderr);
        Assert.Equal("", stdout);
        await server.WaitForExitAsync(Short);
        Assert.Equal("answer to question\n", server.Stdout);
    }

    [Theory]
    [InlineData("listen", "--exec", "'unclosed", "9999")]
    [InlineData("listen", "--exec", "cat", "--sh-exec", "cat", "9999")]
    [InlineData("listen", "-u", "--exec", "cat", "9999")]
    public async Task UsageErrors(params string[] args)
    {
        var (code, _, stderr) = await SockCli.RunAsync(args);
        Assert.Equal(2, code);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public async Task MissingProgramIsOneLine()
    {
        var port = FreePort.Tcp();
        await using var listen = SockCli.Start("listen", "--exec", "/nonexistent/prog", "127.0.0.1", port.ToString());
        await WaitBoundAsync(port);
        await using (var nc = Shell($"{Peers.Nc} -N 127.0.0.1 {port} < /dev/null")) await nc.WaitForExitAsync(Short);
        Assert.Equal(1, await listen.WaitForExitAsync(Short));
        Assert.StartsWith("sock: exec /nonexistent/prog: ", listen.Stderr.Split('\n')[^2], StringComparison.Ordinal);
    }
}
