using Sock.Interop.Tests.Infrastructure;
using static Sock.Interop.Tests.Pipes.PipeTestKit;

namespace Sock.Interop.Tests.Pipes;

/// <summary>--send-only, --recv-only, --delay, -o and -x against ncat.</summary>
public class PumpOptionTests
{
    [Fact]
    public async Task HexDumpAndRawLogOfBothDirections()
    {
        using var dir = FreePort.TempDir();
        var port = FreePort.Tcp();
        // The server's input stays open a while: ncat may close at its stdin's end, before the client's line is in.
        await using var server = Shell($"(printf 'from server\\n'; sleep 3) | {Peers.Ncat} -l 127.0.0.1 {port} > {Q(dir.File("server-got"))}");
        await WaitBoundAsync(port);
        await using var client = Shell($"(printf 'hello world, this is a longer line\\n'; sleep 0.5) | {SockExe} connect -x {Q(dir.File("hex"))} -o {Q(dir.File("raw"))} 127.0.0.1 {port}");
        Assert.Equal(0, await client.WaitForExitAsync(Short));
        Assert.Equal("from server\n", client.Stdout);
        var hex = File.ReadAllText(dir.File("hex"));
        Assert.Contains("# sent 35 bytes\n0000   68 65 6c 6c 6f 20 77 6f  72 6c 64 2c 20 74 68 69  hello.world,.thi\n", hex, StringComparison.Ordinal);
        Assert.Contains("# received 12 bytes\n0000   66 72 6f 6d 20 73 65 72  76 65 72 0a              from.server.    \n", hex, StringComparison.Ordinal);
        var raw = File.ReadAllText(dir.File("raw"));
        Assert.Equal("hello world, this is a longer line\nfrom server\n".Length, raw.Length);
        Assert.Contains("from server\n", raw, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendOnlyIgnoresRepliesAndEndsWithInput()
    {
        var port = FreePort.Tcp();
        await using var server = Shell($"(printf 'noise\\n'; sleep 30) | {Peers.Ncat} -l 127.0.0.1 {port}");
        await WaitBoundAsync(port);
        await using var client = Shell($"printf 'data\\n' | {SockExe} connect --send-only 127.0.0.1 {port}");
        Assert.Equal(0, await client.WaitForExitAsync(TimeSpan.FromSeconds(20))); // long before the server's 30 s
        Assert.Equal("", client.Stdout);
        await server.WaitForStdoutAsync("data\n", Short);
    }

    /// <summary>
    /// --recv-only sends nothing, whatever its input, and ends when the peer closes. Input from a file
    /// (or /dev/null, which is seekable too) makes a connect finish sending its input after the
    /// peer's close; with --recv-only there is no input side to finish, and it waited forever.
    /// </summary>
    [Theory]
    [InlineData("pipe")]
    [InlineData("/dev/null")]
    [InlineData("file")]
    public async Task RecvOnlyNeverReadsInput(string input)
    {
        using var dir = FreePort.TempDir();
        if (input == "file") File.WriteAllText(dir.File("input"), "must not be sent\n");
        var port = FreePort.Tcp();
        await using var server = Shell($"printf 'to you\\n' | {Peers.Ncat} -l 127.0.0.1 {port}");
        await WaitBoundAsync(port);
        var connect = $"{SockExe} connect --recv-only 127.0.0.1 {port}";
        await using var client = Shell(input switch
        {
            "pipe" => $"(printf 'must not be sent\\n'; sleep 3) | {connect}",
            "file" => $"{connect} < {Q(dir.File("input"))}",
            _ => $"{connect} < {Q(input)}",
        });
        Assert.Equal(0, await client.WaitForExitAsync(Short));
        Assert.Equal("to you\n", client.Stdout);
        server.CloseStdin();
        await server.WaitForExitAsync(Short);
        Assert.Equal("", server.Stdout);
    }

    [Fact]
    public async Task DelayPacesChunks()
    {
        var port = FreePort.Tcp();
        await using var server = RunningProcess.Start(Peers.Ncat, ["-l", "127.0.0.1", port.ToString()]);
        await WaitBoundAsync(port);
        // The second chunk is written as soon as the first has arrived; --delay 2.5 holds it back.
        await using var client = SockCli.Start("connect", "--delay", "2.5", "127.0.0.1", port.ToString());
        await client.WriteAsync("a\n");
        await server.WaitForStdoutAsync("a\n", Short);
        var first = DateTime.UtcNow;
        await client.WriteAsync("b\n");
        await server.WaitForStdoutAsync("a\nb\n", Short);
        Assert.True(DateTime.UtcNow - first > TimeSpan.FromSeconds(2), $"b came {(DateTime.UtcNow - first).TotalSeconds:0.00} s after a");
        server.Kill();
        Assert.Equal(2, (await SockCli.RunAsync("connect", "--send-only", "--recv-only", "127.0.0.1", "9")).Code);
    }
}
