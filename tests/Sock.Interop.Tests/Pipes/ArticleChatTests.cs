using Sock.Interop.Tests.Infrastructure;
using static Sock.Interop.Tests.Pipes.PipeTestKit;

namespace Sock.Interop.Tests.Pipes;

/// <summary>The article's Server.py and Client.py (test assets) chatting in Chinese with `sock` on the other end.</summary>
public class ArticleChatTests
{
    private static readonly Dictionary<string, string?> Utf8 = new() { ["PYTHONIOENCODING"] = "utf-8", ["PYTHONUNBUFFERED"] = "1" };

    private static string Asset(string name) => Path.Combine(Peers.RepoDir, "tests", "Sock.Interop.Tests", "Assets", name);

    [Fact]
    public async Task ArticleServerWithSockConnect()
    {
        var port = FreePort.Tcp();
        await using var server = RunningProcess.Start(Peers.Python3, ["-u", Asset("Server.py"), port.ToString()], environment: Utf8);
        await WaitBoundAsync(port);
        await using var sock = SockCli.Start("connect", "127.0.0.1", port.ToString());
        await server.WaitForStdoutAsync("欢迎('127.0.0.1', ", Short);

        await sock.WriteAsync("你好，服务器"); // the article's client sends no newline; neither need we
        await server.WaitForStdoutAsync("收到: 你好，服务器", Short);
        await server.WriteAsync("欢迎光临，朋友\n");
        await sock.WaitForStdoutAsync("欢迎光临，朋友", Short);

        // Full duplex: sock can send again without waiting for a turn.
        await sock.WriteAsync("再说一句");
        await server.WaitForStdoutAsync("收到: 再说一句", Short);
        await server.WriteAsync("quit\n"); // the server closes the connection: sock ends cleanly
        Assert.Equal(0, await sock.WaitForExitAsync(Short));
        Assert.Equal("欢迎光临，朋友", sock.Stdout);
        Assert.Equal("", sock.Stderr);
    }

    [Fact]
    public async Task ArticleClientWithSockListen()
    {
        var port = FreePort.Tcp();
        await using var sock = SockCli.Start("listen", "127.0.0.1", port.ToString());
        await WaitBoundAsync(port);
        await using var client = RunningProcess.Start(Peers.Python3, ["-u", Asset("Client.py"), port.ToString()], environment: Utf8);
        await sock.WaitForStderrAsync("sock: connection from 127.0.0.1:", Short);

        await client.WriteAsync("你好，我是客户端\n");
        await sock.WaitForStdoutAsync("你好，我是客户端", Short);
        await sock.WriteAsync("你好，我是 sock");
        await client.WaitForStdoutAsync("收到: 你好，我是 sock", Short);

        await client.WriteAsync("quit\n");
        Assert.Equal(0, await client.WaitForExitAsync(Short));
        Assert.Equal(0, await sock.WaitForExitAsync(Short)); // the client's close ends the listener
        Assert.Equal("你好，我是客户端", sock.Stdout); // exactly the bytes, no newline added or lost
    }
}
