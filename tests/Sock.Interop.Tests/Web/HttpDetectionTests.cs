using System.Net.Sockets;
using System.Text;
using Sock.Chat;
using Sock.Interop.Tests.Chat;
using Sock.Interop.Tests.Infrastructure;

namespace Sock.Interop.Tests.Web;

/// <summary>A request line on the chat port is HTTP, served by Kestrel, and never reaches a room.</summary>
public class HttpDetectionTests
{
    [Fact]
    public async Task BrowserRequestGetsThePageAndItsHeadersAndCookiesAreNeverSaidInTheLobby()
    {
        await using var server = await ChatServerProcess.StartAsync();
        var (watcher, _) = await server.PlainAsync("watcher");
        using var _w = watcher;
        var response = await RawHttp.SendAsync(server.Port,
            "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: Mozilla/5.0\r\nCookie: session=s3cret\r\nConnection: close\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 200 OK", response);
        Assert.Contains("<title>sock chat</title>", response);
        // A hostile page making the visitor's browser POST chat lines here: HTTP refuses, nobody hears it.
        var post = await RawHttp.SendAsync(server.Port,
            "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nContent-Length: 22\r\nConnection: close\r\n\r\n/nick evil\nhello lobby");
        Assert.StartsWith("HTTP/1.1 405", post);
        await watcher.ExpectNoneAsync("s3cret", 1);
        // Nobody joined, nothing was said: the watcher's last line is still its own nick change.
        Assert.Equal("* you are now known as watcher", watcher.Lines[^1]);
    }

    [Fact]
    public async Task RequestLineSplitAcrossAPauseIsStillHttpButAPersonTypingGetIsPlain()
    {
        await using var server = await ChatServerProcess.StartAsync();
        var (watcher, _) = await server.PlainAsync("watcher");
        using var _w = watcher;
        using (var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            await s.ConnectAsync("127.0.0.1", server.Port, TestContext.Current.CancellationToken);
            await s.SendAsync(Encoding.ASCII.GetBytes("GET /healthz HT"));
            await Task.Delay(1500, TestContext.Current.CancellationToken); // past the 1 s detection window
            await s.SendAsync(Encoding.ASCII.GetBytes("TP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
            var response = await RawHttp.ReadToCloseAsync(s, 10);
            Assert.StartsWith("HTTP/1.1 200", response);
            Assert.EndsWith("ok\n", response);
        }
        // The article's client sends no newline: "GET me a coffee" is a person, said after the pause.
        using var person = await server.ConnectAsync();
        await person.ExpectAsync("欢迎", 3);
        await person.SendAsync("GET me a coffee");
        await watcher.ExpectAsync("> GET me a coffee", 5);
        await watcher.ExpectNoneAsync("HT", 0.2);
    }

    [Fact]
    public async Task HealthzAndHeadWithCurl()
    {
        await using var server = await ChatServerProcess.StartAsync();
        var curl = Peers.Require("curl", "curl");
        var (code, stdout, stderr) = await Run.Async(curl, "-sS", "-i", $"http://127.0.0.1:{server.Port}/healthz");
        Assert.True(code == 0, stderr);
        Assert.StartsWith("HTTP/1.1 200 OK", stdout);
        Assert.EndsWith("ok\n", stdout);
        (code, stdout, _) = await Run.Async(curl, "-sS", "-o", "/dev/null", "-w", "%{http_code}", $"http://127.0.0.1:{server.Port}/nope");
        Assert.Equal("404", stdout);
        // Plain and IRC still work beside it.
        using var irc = await server.IrcAsync("ann", "#web");
        await irc.SendAsync("PRIVMSG #web :still here\r\n");
    }

    [Fact]
    public async Task WithoutAWebSideTheLibraryAnswers503AndNothingReachesARoom()
    {
        await using var chat = ChatServer.Start(new ChatServerOptions { BindAddress = System.Net.IPAddress.Loopback, Port = 0, ServerName = "t" });
        using var stop = new CancellationTokenSource();
        var run = chat.RunAsync(stop.Token);
        var response = await RawHttp.SendAsync(chat.LocalEndPoint.Port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 503", response);
        Assert.Equal(0, chat.Hub.MemberCount);
        await stop.CancelAsync();
        await run;
    }
}
