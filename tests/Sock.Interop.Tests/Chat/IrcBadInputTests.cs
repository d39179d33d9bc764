using System.Text;

namespace Sock.Interop.Tests.Chat;

/// <summary>
/// Hostile or absurd IRC input against a real server: each gets its standard numeric or FAIL, the
/// server keeps serving (a PING still answers), and nothing it keeps grows with the input.
/// </summary>
public class IrcBadInputTests
{
    /// <summary>The connection (and the server) still answer.</summary>
    private static async Task AliveAsync(LineClient c, string token = "alive")
    {
        await c.SendAsync($"PING :{token}\r\n");
        await c.ExpectAsync($"PONG test.local :{token}");
    }

    private static async Task<LineClient> WithCapsAsync(ChatServerProcess server, string nick, string caps, params string[] channels)
    {
        var c = await server.ConnectAsync();
        await c.SendAsync($"CAP LS 302\r\nCAP REQ :{caps}\r\nCAP END\r\nNICK {nick}\r\nUSER {nick} 0 * :{nick}\r\n");
        await c.ExpectAsync(" 376 ");
        foreach (var ch in channels)
        {
            await c.SendAsync($"JOIN {ch}\r\n");
            await c.ExpectAsync($" 366 {nick} {ch} ");
        }
        return c;
    }

    [Fact]
    public async Task ModeStringOfHundredsOfLetters()
    {
        await using var server = await ChatServerProcess.StartAsync();
        using var op = await server.IrcAsync("op", "#r");
        using var watcher = await server.IrcAsync("watcher", "#r");
        // 600 known flags, 300 unknown letters, 200 +b without enough parameters.
        var modes = "+" + string.Concat(Enumerable.Repeat("imnpst", 100)) + string.Concat(Enumerable.Repeat("zQ", 150)) + new string('b', 200);
        await op.SendAsync($"MODE #r {modes} a!*@* b!*@* c!*@* d!*@* e!*@* f!*@* g!*@* h!*@*\r\n");
        var change = await watcher.ExpectAsync(" MODE #r ");
        Assert.True(Encoding.UTF8.GetByteCount(change) <= 510, $"MODE line of {change.Length} bytes");
        await AliveAsync(op);
        var unknown = op.Lines.Count(l => l.Contains(" 472 op ", StringComparison.Ordinal));
        Assert.InRange(unknown, 1, 8); // one per distinct letter, capped: not 300 replies
        Assert.Single(op.Lines, l => l.Contains(" 368 op #r ", StringComparison.Ordinal)); // 192 bare +b: the list once
        // MODES=6: no more than six bans from one command, however many were asked for.
        await op.SendAsync("MODE #r +b\r\n");
        await op.ExpectAsync(" 368 op #r ");
        Assert.InRange(op.Lines.Count(l => l.Contains(" 367 op #r ", StringComparison.Ordinal)), 1, 6);
        await op.SendAsync("MODE #r\r\n");
        Assert.Contains("+imnpst", await op.ExpectAsync(" 324 op #r "));
    }

    [Fact]
    public async Task MasksOfTenKibibytes()
    {
        var mask = new string('a', 10 * 1024) + "!*@*";
        await using (var server = await ChatServerProcess.StartAsync())
        {
            using var op = await server.IrcAsync("op", "#r");
            await op.SendAsync($"MODE #r +b {mask}\r\n"); // longer than the 8 KiB line limit
            await op.ExpectAsync(" 417 op :Input line was too long");
            await AliveAsync(op);
        }
        // With room on the line for it, the mask itself is refused (696), and the list stays empty.
        await using (var server = await ChatServerProcess.StartAsync("--max-line", "32768"))
        {
            using var op = await server.IrcAsync("op", "#r");
            foreach (var letter in "beI") await op.SendAsync($"MODE #r +{letter} {mask}\r\n");
            foreach (var letter in "beI") await op.ExpectAsync($" 696 op #r {letter} * :Invalid mask");
            await op.SendAsync("MODE #r +b\r\n");
            await op.ExpectAsync(" 368 op #r ");
            Assert.DoesNotContain(op.Lines, l => l.Contains(" 367 ", StringComparison.Ordinal));
            await AliveAsync(op);
        }
    }

    [Theory]
    [InlineData("99999999999999999999999")]
    [InlineData("-5")]
    [InlineData("0")]
    [InlineData("2147483648")]
    [InlineData("1e6")]
    public async Task LimitThatIsNotACount(string limit)
    {
        await using var server = await ChatServerProcess.StartAsync();
        using var op = await server.IrcAsync("op", "#r");
        await op.SendAsync($"MODE #r +l {limit}\r\n");
        await op.ExpectAsync($" 696 op #r l ");
        await op.SendAsync("MODE #r\r\n");
        Assert.DoesNotContain("l", (await op.ExpectAsync(" 324 op #r ")).Split(' ')[4]);
        // A sane limit still works after the absurd ones.
        await op.SendAsync("MODE #r +l 2\r\nMODE #r\r\n");
        Assert.Matches(@" \+[a-z]*l[a-z]* 2$", await op.ExpectAsync(" 324 op #r +"));
    }

    [Fact]
    public async Task KeysWithSpacesOrColons()
    {
        await using var server = await ChatServerProcess.StartAsync();
        using var op = await server.IrcAsync("op", "#r");
        await op.SendAsync("MODE #r +k :two words\r\n");
        await op.ExpectAsync(" 696 op #r k * :Invalid key");
        await op.SendAsync("MODE #r +k ::leading\r\n");
        await op.ExpectAsync(" 696 op #r k * :Invalid key");
        await op.SendAsync($"MODE #r +k {new string('k', 100)}\r\n");
        await op.ExpectAsync(" 696 op #r k * :Invalid key");
        await op.SendAsync("MODE #r\r\n");
        Assert.DoesNotContain("k", (await op.ExpectAsync(" 324 op #r ")).Split(' ')[4]);
        // A colon inside a key is an ordinary character: set, then needed to join.
        await op.SendAsync("MODE #r +k a:b\r\n");
        await op.ExpectAsync(" MODE #r +k a:b");
        using var guest = await server.IrcAsync("guest");
        await guest.SendAsync("JOIN #r\r\n");
        await guest.ExpectAsync(" 475 guest #r ");
        await guest.SendAsync("JOIN #r a:b\r\n");
        await guest.ExpectAsync(" 366 guest #r ");
    }

    [Fact]
    public async Task TagsOfEightKibibytes()
    {
        await using var server = await ChatServerProcess.StartAsync("--max-line", "32768");
        using var a = await WithCapsAsync(server, "alice", "message-tags", "#r");
        using var b = await WithCapsAsync(server, "bob", "message-tags", "#r");
        await a.SendAsync($"@+big={new string('t', 8 * 1024)} PRIVMSG #r :tagged\r\n");
        await a.ExpectAsync(" 417 alice :Input line was too long");
        await a.SendAsync($"@+{new string('k', 8 * 1024)} TAGMSG #r\r\n");
        await a.ExpectAsync(" 417 alice :Input line was too long");
        // Just under the 4096 bytes client tags may take: relayed whole.
        var fits = new string('f', 4000);
        await a.SendAsync($"@+fits={fits} PRIVMSG #r :small\r\n");
        Assert.Contains("+fits=" + fits, await b.ExpectAsync(" PRIVMSG #r :small"));
        Assert.DoesNotContain(b.Lines, l => l.Contains(":tagged", StringComparison.Ordinal) || l.Contains(" TAGMSG #r", StringComparison.Ordinal));
        await AliveAsync(a);
    }

    [Fact]
    public async Task UnknownCapsInCapReq()
    {
        await using var server = await ChatServerProcess.StartAsync();
        using var c = await server.ConnectAsync();
        await c.SendAsync("CAP LS 302\r\nCAP REQ :server-time no-such-cap\r\n");
        await c.ExpectAsync("CAP * NAK :server-time no-such-cap");
        var many = string.Join(' ', Enumerable.Range(0, 500).Select(i => "x" + i));
        await c.SendAsync($"CAP REQ :{many}\r\n");
        var nak = await c.ExpectAsync("CAP * NAK :");
        Assert.True(Encoding.UTF8.GetByteCount(nak) <= 510, $"NAK of {nak.Length} bytes");
        await c.SendAsync("CAP REQ :-\r\nCAP REQ :=\r\nCAP REQ :\r\n");
        await c.ExpectAsync("CAP * NAK :-");
        await c.ExpectAsync("CAP * NAK :=");
        await c.SendAsync("CAP LIST\r\n");
        Assert.EndsWith("CAP * LIST :cap-notify", await c.ExpectAsync("CAP * LIST")); // LS 302's implied cap; nothing of the refused requests
        await c.SendAsync("CAP END\r\nNICK capper\r\nUSER c 0 * :c\r\n");
        await c.ExpectAsync(" 001 capper ");
        await AliveAsync(c);
    }

    [Fact]
    public async Task ChatHistoryWithAbsurdLimitsAndReferences()
    {
        await using var server = await ChatServerProcess.StartAsync("--history", "5");
        using var c = await WithCapsAsync(server, "hist", "batch server-time message-tags draft/chathistory", "#r");
        for (var i = 0; i < 8; i++) await c.SendAsync($"PRIVMSG #r :m{i}\r\n");
        await AliveAsync(c, "sent");
        foreach (var (args, what) in new[]
        {
            ("LATEST #r * 0", "0"), ("LATEST #r * -1", "-1"), ("LATEST #r * 99999999999999999999", "99999999999999999999"),
            ("LATEST #r * ten", "ten"), ("BEFORE #r msgid= 5", "msgid="), ("BEFORE #r timestamp=yesterday 5", "timestamp=yesterday"),
            ("AFTER #r nonsense 5", "nonsense"), ("BETWEEN #r * * 5", "*"),
        })
        {
            await c.SendAsync($"CHATHISTORY {args}\r\n");
            Assert.Contains(what, await c.ExpectAsync("FAIL CHATHISTORY INVALID_PARAMS "));
        }
        await c.SendAsync("CHATHISTORY NOSUCH #r * 5\r\nCHATHISTORY LATEST\r\n");
        await c.ExpectAsync("FAIL CHATHISTORY INVALID_PARAMS NOSUCH");
        await c.ExpectAsync("FAIL CHATHISTORY NEED_MORE_PARAMS");
        // The largest limit a number can say: answered with what is kept (5), no more.
        await c.SendAsync("CHATHISTORY LATEST #r * 2147483647\r\n");
        var start = await c.ExpectAsync(" BATCH +");
        var id = start.Split(' ').First(w => w.StartsWith('+'))[1..];
        await c.ExpectAsync(" BATCH -" + id);
        Assert.Equal(5, c.Lines.Count(l => l.Contains("batch=" + id, StringComparison.Ordinal) && l.Contains(" PRIVMSG #r :m", StringComparison.Ordinal)));
        // An unknown msgid of 4000 characters does not match anything: an empty batch, not an error or a crash.
        await c.SendAsync($"CHATHISTORY BEFORE #r msgid={new string('z', 4000)} 5\r\n");
        var empty = (await c.ExpectAsync(" BATCH +")).Split(' ').First(w => w.StartsWith('+'))[1..];
        await c.ExpectAsync(" BATCH -" + empty);
        await AliveAsync(c);
    }

    [Fact]
    public async Task TagmsgFloodIsPacedAndBounded()
    {
        // Flood rules on: a burst is slowed to 500 lines/s, never dropped; a member that stops reading is
        // disconnected once 1 MiB waits for it (SendQ exceeded), so no queue grows with the flood. (1 MiB,
        // not less: a reading member on a loaded machine may fall a fraction of a second behind.)
        await using var server = await ChatServerProcess.StartAsync("--flood", "500", "--max-queue", "1048576");
        using var flooder = await WithCapsAsync(server, "flooder", "message-tags", "#r");
        using var reader = await WithCapsAsync(server, "reader", "message-tags", "#r");
        using var stalled = await LineClient.ConnectNonReadingAsync(server.Port);
        await stalled.SendAsync(Encoding.ASCII.GetBytes("CAP REQ :message-tags\r\nCAP END\r\nNICK stalled\r\nUSER s 0 * :s\r\nJOIN #r\r\n"));
        await reader.ExpectAsync(":stalled!s@127.0.0.1 JOIN #r");
        const int burst = 3000;
        var rss = Rss(server);
        var flood = new StringBuilder();
        // Big tags (3.5 KB a line, 10 MB in all) so the stalled member's kernel buffers fill and its queue passes 1 MiB.
        var pad = new string('p', 3500);
        for (var i = 0; i < burst; i++) flood.Append($"@+typing=active;+draft/pad={pad};+draft/n={i} TAGMSG #r\r\n");
        await flooder.SendAsync(flood.ToString());
        await flooder.SendAsync("PING :after-flood\r\n");
        await flooder.ExpectAsync("PONG test.local :after-flood", 120);
        await reader.ExpectAsync($"+draft/n={burst - 1} ", 60);
        Assert.Equal(burst, reader.Lines.Count(l => l.Contains(" TAGMSG #r", StringComparison.Ordinal)));
        Assert.Contains(reader.Lines, l => l.Contains(" :stalled!s@127.0.0.1 QUIT :SendQ exceeded", StringComparison.Ordinal));
        Assert.False(flooder.Closed);
        Assert.True(Rss(server) - rss < 200 * 1024 * 1024, "the server's memory grew with the flood");
    }

    /// <summary>The server's resident memory in bytes (Linux /proc).</summary>
    private static long Rss(ChatServerProcess server)
    {
        var line = File.ReadLines($"/proc/{server.Process.Id}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
    }
}
