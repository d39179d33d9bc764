using Sock.Interop.Tests.Infrastructure;

namespace Sock.Interop.Tests.Chat;

/// <summary>
/// draft/multiline beyond what irctest checks: the advertised limits come from the options, a plain
/// member reads the message as lines, and history gives it back as one batch (also after a restart
/// from the SQLite file, where only the text is kept).
/// </summary>
public class IrcMultilineTests
{
    private const string Caps = "message-tags batch server-time draft/multiline draft/chathistory";

    private static async Task<LineClient> MultilineClientAsync(ChatServerProcess server, string nick)
    {
        var c = await server.ConnectAsync();
        await c.SendAsync($"CAP LS 302\r\nCAP REQ :{Caps}\r\nCAP END\r\nNICK {nick}\r\nUSER {nick} 0 * :{nick}\r\nJOIN #lobby\r\n");
        await c.ExpectAsync($" 366 {nick} #lobby ");
        return c;
    }

    private const string Batch =
        "BATCH +m1 draft/multiline #lobby\r\n" +
        "@batch=m1 PRIVMSG #lobby :first line\r\n" +
        "@batch=m1 PRIVMSG #lobby :second line, cut \r\n" +
        "@batch=m1;draft/multiline-concat PRIVMSG #lobby :and joined\r\n" +
        "BATCH -m1\r\n";

    /// <summary>The lines of one draft/multiline batch a client received, after its opening line.</summary>
    private static async Task<List<string>> ReceivedBatchAsync(LineClient c)
    {
        var open = await c.ExpectAsync(" BATCH +ml");
        var id = open.Split(' ').First(w => w.StartsWith("+ml", StringComparison.Ordinal))[1..];
        Assert.Contains($"BATCH +{id} draft/multiline #lobby", open);
        await c.ExpectAsync(" BATCH -" + id);
        return [.. c.Lines.Where(l => l.Contains("batch=" + id, StringComparison.Ordinal) && l.Contains(" PRIVMSG ", StringComparison.Ordinal))];
    }

    [Fact]
    public async Task PlainMembersAndHistoryGetTheWholeMessage()
    {
        await using var server = await ChatServerProcess.StartAsync();
        using var alice = await MultilineClientAsync(server, "alice");
        var (plain, _) = await server.PlainAsync("pat");
        using var _p = plain;
        await alice.SendAsync("CAP LS 302\r\n");
        Assert.Contains("draft/multiline=max-bytes=4096,max-lines=100", await alice.ExpectAsync(" CAP alice LS "));
        await alice.SendAsync(Batch);
        // A plain member: one message, its later lines indented, the concatenated part on its line.
        await plain.ExpectAsync("<alice> first line");
        Assert.Equal("    second line, cut and joined", await plain.ExpectAsync("    second line"));
        // A late joiner with the cap fetches it from history: the same lines, the concat tag kept.
        using var bob = await MultilineClientAsync(server, "bob");
        await bob.SendAsync("CHATHISTORY LATEST #lobby * 10\r\n");
        var lines = await ReceivedBatchAsync(bob);
        Assert.Equal(3, lines.Count);
        Assert.EndsWith(":first line", lines[0]);
        Assert.Contains("draft/multiline-concat", lines[2]);
    }

    [Fact]
    public async Task HistoryFileKeepsItAcrossARestart()
    {
        using var dir = new TempDir();
        var db = dir.File("chat.db");
        await using (var server = await ChatServerProcess.StartAsync("--db", db))
        {
            using var alice = await MultilineClientAsync(server, "alice");
            await alice.SendAsync(Batch);
            await alice.SendAsync("PING :kept\r\n");
            await alice.ExpectAsync("PONG test.local :kept");
            await Task.Delay(500, TestContext.Current.CancellationToken); // the history writer is asynchronous
        }
        await using (var server = await ChatServerProcess.StartAsync("--db", db))
        {
            using var bob = await MultilineClientAsync(server, "bob");
            await bob.SendAsync("CHATHISTORY LATEST #lobby * 10\r\n");
            var lines = await ReceivedBatchAsync(bob);
            // Only the text is on disk: the lines come back at its line breaks, the cut one whole.
            Assert.Equal(2, lines.Count);
            Assert.EndsWith(":first line", lines[0]);
            Assert.EndsWith(":second line, cut and joined", lines[1]);
            // A client without the cap gets the lines as separate messages (the first with the msgid).
            using var old = await server.IrcAsync("old");
            await old.SendAsync("CAP REQ :server-time message-tags batch\r\nJOIN #lobby\r\n");
            var first = await old.ExpectAsync(" PRIVMSG #lobby :first line");
            Assert.Contains("msgid=", first);
            Assert.DoesNotContain("msgid=", await old.ExpectAsync(" PRIVMSG #lobby :second line, cut and joined"));
        }
    }
}
