using System.Net.Sockets;
using System.Text;

namespace Sock.Interop.Tests.Chat;

/// <summary>Bad input and misbehaving clients; after each, the server still serves a new client.</summary>
public class ChatFaultTests
{
    private static async Task StillServesAsync(ChatServerProcess server)
    {
        var (a, _) = await server.PlainAsync();
        var (b, bNick) = await server.PlainAsync();
        using var _a = a;
        using var _b = b;
        await b.SendAsync("still alive\n");
        await a.ExpectAsync($"<{bNick}> still alive");
        using var irc = await server.IrcAsync("n" + Guid.NewGuid().ToString("N")[..8], "#lobby");
    }

    [Fact]
    public async Task MegabyteLineWithoutNewlineIsCutAndConnectionLives()
    {
        await using var server = await ChatServerProcess.StartAsync();
        var (reader, _) = await server.PlainAsync("reader");
        var (big, _) = await server.PlainAsync("big");
        using var _r = reader;
        using var _b = big;
        await big.SendAsync(Encoding.ASCII.GetBytes(new string('x', 1024 * 1024)));
        await big.ExpectAsync("* line too long (max 8192 bytes); it was cut");
        var cut = await reader.ExpectAsync("<big> xxxx");
        Assert.Equal("<big> ".Length + 8192, cut.Length);
        await big.SendAsync("\nafter\n");
        await reader.ExpectAsync("<big> after");
        await StillServesAsync(server);
    }

    [Fact]
    public async Task TenThousandLinesOfIrcGarbage()
    {
        await using var server = await ChatServerProcess.StartAsync();
        using var g = await server.IrcAsync("garbage", "#lobby");
        var rng = new Random(42);
        var sb = new StringBuilder();
        for (var i = 0; i < 10_000; i++)
        {
            var bytes = new byte[rng.Next(1, 80)];
            rng.NextBytes(bytes);
            for (var j = 0; j < bytes.Length; j++) if (bytes[j] is (byte)'\n' or (byte)'\r') bytes[j] = (byte)'?';
            sb.Append(i % 3 == 0 ? ":x!y@z " : i % 3 == 1 ? "@a=b;c " : "");
            sb.Append(Encoding.Latin1.GetString(bytes)).Append("\r\n");
        }
        await g.SendAsync(Encoding.Latin1.GetBytes(sb.ToString()));
        await g.SendAsync("PING :survived\r\n");
        await g.ExpectAsync("PONG test.local :survived", 30);
        await StillServesAsync(server);
    }

    [Fact]
    public async Task ClientThatNeverReadsIsDisconnectedAtMaxQueueAndOthersGetEverything()
    {
        await using var server = await ChatServerProcess.StartAsync("--max-queue", "1048576");
        using var stuck = await LineClient.ConnectNonReadingAsync(server.Port);
        await stuck.SendAsync("/nick stuck\n"u8.ToArray(), SocketFlags.None, TestContext.Current.CancellationToken);
        var (c, _) = await server.PlainAsync("receiver");
        var (b, _) = await server.PlainAsync("sender");
        using var _c = c;
        using var _b = b;
        var payload = new string('y', 480);
        const int batches = 40, perBatch = 500;
        for (var k = 0; k < batches; k++)
        {
            var sb = new StringBuilder();
            for (var i = 0; i < perBatch; i++) sb.Append($"{k * perBatch + i:D6} {payload}\n");
            await b.SendAsync(sb.ToString());
            await c.ExpectAsync($"<sender> {k * perBatch + perBatch - 1:D6} ", 30);
        }
        // The quit arrived somewhere in the stream (not necessarily after the last line).
        Assert.Contains("* stuck quit (SendQ exceeded)", c.Lines);
        var got = c.Lines.Where(l => l.StartsWith("<sender> ", StringComparison.Ordinal)).Select(l => int.Parse(l[9..15], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(Enumerable.Range(0, batches * perBatch), got);
        await StillServesAsync(server);
    }

    [Fact]
    public async Task IrcRegistrationTimeoutAndPingTimeout()
    {
        await using var server = await ChatServerProcess.StartAsync("--registration-timeout", "1", "--ping-interval", "1");
        using var half = await server.ConnectAsync();
        await half.SendAsync("NICK halfway\r\n");
        await half.ExpectAsync("ERROR :Closing link: (user@127.0.0.1) [Registration timed out]", 5);
        await half.WaitClosedAsync();
        using var quiet = await server.IrcAsync("quiet");
        await quiet.ExpectAsync("PING :test.local", 5);
        await quiet.ExpectAsync("[Ping timeout: ", 5);
        await quiet.WaitClosedAsync();
        using var alive = await server.IrcAsync("alive");
        await alive.ExpectAsync("PING :test.local", 5);
        await alive.SendAsync("PONG :test.local\r\n");
        await alive.ExpectAsync("PING :test.local", 5);
        await alive.SendAsync("PONG :test.local\r\n");
        Assert.False(alive.Closed);
    }

    [Fact]
    public async Task FloodIsDelayedNeverDroppedAndOthersAreUnaffected()
    {
        await using var server = await ChatServerProcess.StartAsync("--flood", "20");
        var (c, _) = await server.PlainAsync("watch");
        var (f, _) = await server.PlainAsync("flooder");
        var (d, _) = await server.PlainAsync("decent");
        using var _c = c;
        using var _f = f;
        using var _d = d;
        var sb = new StringBuilder();
        for (var i = 0; i < 50; i++) sb.Append($"flood {i:D2}\n");
        await f.SendAsync(sb.ToString());
        await c.ExpectAsync("<flooder> flood 10");
        await d.SendAsync("not delayed\n");
        await c.ExpectAsync("<flooder> flood 49", 10);
        var lines = c.Lines.ToList();
        var floods = lines.Where(l => l.StartsWith("<flooder> ", StringComparison.Ordinal)).ToList();
        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"<flooder> flood {i:D2}"), floods);
        Assert.True(lines.IndexOf("<decent> not delayed") < lines.IndexOf("<flooder> flood 49"), "the other client's line waited behind the flood");
    }

    [Fact]
    public async Task AbruptResetMidLineAndServerFull()
    {
        await using var server = await ChatServerProcess.StartAsync("--max-clients", "3");
        var (c, _) = await server.PlainAsync("watch");
        using var _c = c;
        var (r, _) = await server.PlainAsync("resetter");
        await r.SendAsync("half a li");
        r.Socket.LingerState = new LingerOption(true, 0);
        r.Socket.Close();
        await c.ExpectAsync("* resetter quit (", 5);
        var (x, _) = await server.PlainAsync("second");
        var (y, _) = await server.PlainAsync("third");
        using var _x = x;
        using var _y = y;
        using var full = await server.ConnectAsync();
        await full.ExpectAsync("ERROR :Server full (3 clients)", 5);
        await full.WaitClosedAsync();
        await y.SendAsync("still here\n");
        await x.ExpectAsync("<third> still here");
    }
}
