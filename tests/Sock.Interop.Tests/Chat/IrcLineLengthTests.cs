using System.Text;

namespace Sock.Interop.Tests.Chat;

/// <summary>
/// The 512-byte IRC line (tags apart), both ways: an IRC message that would pass it once relayed is
/// refused with 417 (irctest's buffering and WebSocket truncation tests check the same), and a plain
/// user's longer line reaches IRC users in parts that each fit, joined again by draft/multiline-concat
/// for those that take draft/multiline; nothing is cut off, no character is split. Lines that are not
/// relayed may be longer.
/// </summary>
public class IrcLineLengthTests
{
    // Words, Chinese (3 bytes a character) and an emoji (4 bytes, a surrogate pair): cuts must fall between characters.
    private static readonly string Long = string.Join(" ", Enumerable.Range(0, 120).Select(i => i % 3 == 0 ? $"词{i}😃" : $"word{i}")) + " " + new string('长', 400);

    private static async Task<LineClient> WithCapsAsync(ChatServerProcess server, string nick, string caps)
    {
        var c = await server.ConnectAsync();
        await c.SendAsync($"CAP LS 302\r\nCAP REQ :{caps}\r\nCAP END\r\nNICK {nick}\r\nUSER {nick} 0 * :{nick}\r\nJOIN #lobby\r\n");
        await c.ExpectAsync($" 366 {nick} #lobby ");
        return c;
    }

    /// <summary>Bytes of a line as sent, tags apart, with its CRLF.</summary>
    private static int WireBytes(string line) =>
        Encoding.UTF8.GetByteCount(line.StartsWith('@') ? line[(line.IndexOf(' ', StringComparison.Ordinal) + 1)..] : line) + 2;

    private static string Trailing(string line) => line[(line.IndexOf(" :", line.IndexOf(" PRIVMSG ", StringComparison.Ordinal), StringComparison.Ordinal) + 2)..];

    [Fact]
    public async Task PlainUsersLongLineReachesIrcInPartsThatFit()
    {
        await using var server = await ChatServerProcess.StartAsync();
        using var classic = await server.IrcAsync("classic", "#lobby");
        using var tagged = await WithCapsAsync(server, "tagged", "message-tags");
        using var modern = await WithCapsAsync(server, "modern", "message-tags batch draft/multiline");
        var (plain, nick) = await server.PlainAsync("pat");
        using var _ = plain;
        await plain.SendAsync(Long + "\nshort after\n");

        // Without draft/multiline: several PRIVMSGs, each within 512 bytes, that are the line again end to end.
        await classic.ExpectAsync($":{nick}!");
        await classic.ExpectAsync(":short after");
        var parts = classic.Lines.Where(l => l.Contains($":{nick}!", StringComparison.Ordinal) && l.Contains(" PRIVMSG #lobby :", StringComparison.Ordinal)).SkipLast(1).ToList();
        Assert.True(parts.Count >= 3, string.Join("\n", parts));
        Assert.All(parts, p => Assert.InRange(WireBytes(p), 1, 512));
        Assert.All(parts.SkipLast(1), p => Assert.InRange(WireBytes(p), 400, 512)); // filled, not cut short
        Assert.Equal(Long, string.Concat(parts.Select(Trailing)));
        Assert.EndsWith(" ", parts[0]); // cut after a space where there is one: whole words on a line

        // With message-tags: the msgid is on the first part only (one message, one id).
        await tagged.ExpectAsync(":short after");
        var taggedParts = tagged.Lines.Where(l => l.Contains(" PRIVMSG #lobby :", StringComparison.Ordinal)).SkipLast(1).ToList();
        Assert.Equal(parts.Count, taggedParts.Count);
        Assert.Contains("msgid=", taggedParts[0]);
        Assert.All(taggedParts.Skip(1), p => Assert.DoesNotContain("msgid=", p));

        // With draft/multiline: one batch, the parts joined by draft/multiline-concat.
        var open = await modern.ExpectAsync(" BATCH +");
        Assert.Contains("msgid=", open);
        var id = open.Split(' ').First(w => w.StartsWith('+'))[1..];
        await modern.ExpectAsync(" BATCH -" + id);
        var batched = modern.Lines.Where(l => l.Contains("batch=" + id, StringComparison.Ordinal)).ToList();
        Assert.Equal(parts.Count, batched.Count);
        Assert.All(batched.Skip(1), l => Assert.Contains("draft/multiline-concat", l));
        Assert.All(batched, l => Assert.InRange(WireBytes(l), 1, 512));
        Assert.Equal(Long, string.Concat(batched.Select(Trailing)));
    }

    [Fact]
    public async Task HistoryReplaysTheLongLineInPartsToo()
    {
        await using var server = await ChatServerProcess.StartAsync();
        var (plain, nick) = await server.PlainAsync("pat");
        using var _ = plain;
        await plain.SendAsync(Long + "\n");
        await plain.SendAsync("/me " + Long + "\n");
        await Task.Delay(300, TestContext.Current.CancellationToken);
        using var late = await WithCapsAsync(server, "late", "message-tags batch server-time draft/chathistory");
        await late.SendAsync("CHATHISTORY LATEST #lobby * 10\r\n");
        var open = await late.ExpectAsync(" BATCH +");
        var id = open.Split(' ').First(w => w.StartsWith('+'))[1..];
        await late.ExpectAsync(" BATCH -" + id);
        var said = late.Lines.Where(l => l.Contains("batch=" + id, StringComparison.Ordinal) && l.Contains($":{nick}!", StringComparison.Ordinal)).ToList();
        Assert.All(said, l => Assert.InRange(WireBytes(l), 1, 512));
        var actions = said.Where(l => l.Contains(":\u0001ACTION ", StringComparison.Ordinal)).ToList();
        var messages = said.Except(actions).ToList();
        Assert.Equal(Long, string.Concat(messages.Select(Trailing)));
        // A long ACTION: each part is an ACTION of its own (CTCP cannot be concatenated).
        Assert.True(actions.Count >= 3);
        Assert.All(actions, a => Assert.EndsWith("\u0001", a));
        Assert.Equal(Long, string.Concat(actions.Select(a => Trailing(a)["\u0001ACTION ".Length..^1])));
    }

    [Fact]
    public async Task IrcMessageThatWouldPass512BytesRelayedIsRefused()
    {
        await using var server = await ChatServerProcess.StartAsync();
        using var bob = await server.IrcAsync("bob", "#lobby");
        using var alice = await server.IrcAsync("alice", "#lobby");
        var (plain, _) = await server.PlainAsync("pat");
        using var _p = plain;
        Assert.Contains(" LINELEN=512 ", alice.Lines.First(l => l.Contains(" 005 ", StringComparison.Ordinal) && l.Contains("LINELEN", StringComparison.Ordinal)));
        var prefix = (await bob.ExpectAsync(":alice!"))[1..].Split(' ')[0]; // the prefix the server relays with
        // Relayed as ":prefix PRIVMSG #lobby :text": exactly 510 bytes fits, one more is refused.
        var fits = 510 - $":{prefix} PRIVMSG #lobby :".Length;
        await alice.SendAsync($"PRIVMSG #lobby :{new string('x', fits + 1)}\r\n");
        await alice.ExpectAsync(" 417 alice :Input line was too long");
        await alice.SendAsync($"PRIVMSG #lobby :{new string('y', fits)}\r\n");
        var relayed = await bob.ExpectAsync(" PRIVMSG #lobby :y");
        Assert.Equal(512, WireBytes(relayed));
        await plain.ExpectAsync("<alice> " + new string('y', fits));
        Assert.DoesNotContain(bob.Lines, l => l.Contains(":xxx", StringComparison.Ordinal));
        Assert.DoesNotContain(plain.Lines, l => l.Contains("xxx", StringComparison.Ordinal));
        // Lines that are not relayed may be longer (up to --max-line): a long password to NickServ.
        var password = new string('p', 600);
        await alice.SendAsync($"PRIVMSG NickServ :REGISTER {password}\r\n");
        await alice.ExpectAsync("Account created");
    }
}
