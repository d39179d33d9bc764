using Sock.Interop.Tests.Infrastructure;
using static Sock.Interop.Tests.Transfer.TransferHarness;

namespace Sock.Interop.Tests.Transfer;

/// <summary>--raw against OpenBSD nc in both directions: bare bytes, the connection's end is the file's end.</summary>
public sealed class RawTests
{
    [Fact]
    public async Task NcSends_SockRecvRawListens_ToFile()
    {
        var nc = Peers.Nc;
        using var dir = FreePort.TempDir();
        var data = RandomFile(dir.File("in.bin"), 2 << 20);
        var (recv, port) = await StartListeningAsync("recv", "--raw", "-o", dir.File("out.bin"), "--json");
        await using var _ = recv;
        var send = await Run.Async("bash", "-c", $"{nc} -N 127.0.0.1 {port} < '{dir.File("in.bin")}'");
        Assert.True(send.Code == 0, send.Stderr);
        Assert.Equal(0, await recv.WaitForExitAsync(Wait));
        Assert.Equal(data, File.ReadAllBytes(dir.File("out.bin")));
        Assert.Equal(2 << 20, Json(recv.Stdout).GetProperty("bytes_transferred").GetInt64());
    }

    [Fact]
    public async Task NcSends_SockRecvRaw_ToStdout()
    {
        var nc = Peers.Nc;
        using var dir = FreePort.TempDir();
        var data = RandomFile(dir.File("in.bin"), 300_000);
        var (recv, port) = await StartListeningAsync("recv", "--raw");
        await using var _ = recv;
        var send = await Run.Async("bash", "-c", $"{nc} -N 127.0.0.1 {port} < '{dir.File("in.bin")}'");
        Assert.True(send.Code == 0, send.Stderr);
        Assert.Equal(0, await recv.WaitForExitAsync(Wait));
        Assert.Equal(data, recv.StdoutBytes);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task SockSendRaw_NcListens(bool fromStdin)
    {
        var nc = Peers.Nc;
        using var dir = FreePort.TempDir();
        var data = RandomFile(dir.File("in.bin"), 1 << 20);
        var port = FreePort.Tcp();
        await using var listener = RunningProcess.Start("bash", ["-c", $"{nc} -l 127.0.0.1 {port} > '{dir.File("out.bin")}' < /dev/null"]);

        // nc -l accepts exactly one connection, so instead of probing the port, retry until it is up.
        (int Code, string Stdout, string Stderr) send = default;
        for (var attempt = 0; attempt < 100; attempt++)
        {
            send = fromStdin
                ? await Run.Async("bash", "-c", $"'{SockCli.Path}' send --raw - 127.0.0.1:{port} < '{dir.File("in.bin")}'")
                : await SockCli.RunAsync("send", "--raw", dir.File("in.bin"), $"127.0.0.1:{port}");
            if (!send.Stderr.Contains("connection refused")) break;
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
        Assert.True(send.Code == 0, send.Stderr);
        Assert.Equal(0, await listener.WaitForExitAsync(Wait));
        Assert.Equal(data, File.ReadAllBytes(dir.File("out.bin")));
    }

    [Fact]
    public async Task RawOverTls_SockToSock()
    {
        using var dir = FreePort.TempDir();
        var data = RandomFile(dir.File("in.bin"), 500_000);
        var (recv, port) = await StartListeningAsync("recv", "--raw", "--tls", "-o", dir.File("out.bin"));
        await using var _ = recv;
        var send = await SockCli.RunAsync("send", "--raw", "--tls", "--insecure", dir.File("in.bin"), $"127.0.0.1:{port}");
        Assert.True(send.Code == 0, send.Stderr);
        Assert.Equal(0, await recv.WaitForExitAsync(Wait));
        Assert.Equal(data, File.ReadAllBytes(dir.File("out.bin")));
    }
}
