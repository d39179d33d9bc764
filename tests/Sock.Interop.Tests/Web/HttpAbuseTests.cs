using System.Net.Sockets;
using System.Text;
using Sock.Interop.Tests.Chat;
using Sock.Web;

namespace Sock.Interop.Tests.Web;

/// <summary>Hostile HTTP is refused by Kestrel's limits, and chat keeps being served meanwhile.</summary>
// Browsers and the 10,000-request abuse compete for two cores: never at the same time.
[Collection(WebHeavy.Name)]
public class HttpAbuseTests
{
    [Fact]
    public async Task TenThousandRequestsWithOversizedHeadersAre431AndChatFlows()
    {
        await using var server = await InProcessWebServer.StartAsync();
        using var a = await server.IrcAsync("ann", "#x");
        using var b = await server.IrcAsync("bob", "#x");
        var big = new string('a', 40 * 1024);
        var request = Encoding.ASCII.GetBytes($"GET / HTTP/1.1\r\nHost: x\r\nX-Big: {big}\r\n\r\n");
        var statuses = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        var abuse = Parallel.ForAsync(0, 10_000, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (_, ct) =>
        {
            var r = await RawHttp.SendAsync(server.Port, request, 10);
            statuses.AddOrUpdate(RawHttp.StatusLine(r), 1, (_, n) => n + 1);
        });
        for (var i = 0; !abuse.IsCompleted; i++)
        {
            await a.SendAsync($"PRIVMSG #x :during abuse {i}\r\n");
            await b.ExpectAsync($"during abuse {i}", 10);
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
        await abuse;
        Assert.Equal(10_000, statuses.GetValueOrDefault("HTTP/1.1 431 Request Header Fields Too Large"));
    }

    [Fact]
    public async Task TooManyHeadersAndALongRequestLineAreRefused()
    {
        await using var server = await InProcessWebServer.StartAsync();
        var many = string.Concat(Enumerable.Range(0, 100).Select(i => $"X-H{i}: v\r\n"));
        Assert.StartsWith("HTTP/1.1 431", await RawHttp.SendAsync(server.Port, $"GET / HTTP/1.1\r\nHost: x\r\n{many}\r\n"));
        var longPath = "/" + new string('p', 9000);
        Assert.StartsWith("HTTP/1.1 414", await RawHttp.SendAsync(server.Port, $"GET {longPath} HTTP/1.1\r\nHost: x\r\n\r\n"));
        Assert.StartsWith("HTTP/1.1 400", await RawHttp.SendAsync(server.Port, "GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n"));
        Assert.Equal(0, server.Chat.Hub.MemberCount);
    }

    [Fact]
    public async Task SlowlorisIsCutOffAtTheHeaderTimeoutWhileChatFlows()
    {
        await using var server = await InProcessWebServer.StartAsync(new ChatWebOptions { RequestHeadersTimeout = TimeSpan.FromSeconds(2) });
        using var a = await server.IrcAsync("ann", "#x");
        using var b = await server.IrcAsync("bob", "#x");
        var loris = new List<Socket>();
        for (var i = 0; i < 50; i++)
        {
            var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await s.ConnectAsync("127.0.0.1", server.Port, TestContext.Current.CancellationToken);
            await s.SendAsync(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: x\r\n"));
            loris.Add(s);
        }
        var started = DateTime.UtcNow;
        var closed = new bool[loris.Count];
        // One header byte a second, as a slowloris does: the head never completes.
        while (DateTime.UtcNow - started < TimeSpan.FromSeconds(6) && closed.Contains(false))
        {
            for (var i = 0; i < loris.Count; i++)
            {
                if (closed[i]) continue;
                try
                {
                    await loris[i].SendAsync("X"u8.ToArray());
                    if (loris[i].Poll(0, SelectMode.SelectRead) && loris[i].Available == 0) closed[i] = true;
                    else if (loris[i].Available > 0) closed[i] = true; // Kestrel's 408, then the close
                }
                catch (SocketException) { closed[i] = true; }
            }
            await a.SendAsync("PRIVMSG #x :still talking\r\n");
            await b.ExpectAsync("still talking", 5);
            await Task.Delay(1000, TestContext.Current.CancellationToken);
        }
        Assert.All(closed, Assert.True);
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(6));
        foreach (var s in loris) s.Dispose();
    }
}
