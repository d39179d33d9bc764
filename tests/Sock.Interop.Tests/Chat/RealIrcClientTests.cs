using Sock.Interop.Tests.ChatClient;
using Sock.Interop.Tests.Infrastructure;

namespace Sock.Interop.Tests.Chat;

/// <summary>
/// Real IRC clients against a real `sock chat serve`: irssi (driven in tmux, read off its screen) and
/// WeeChat (weechat-headless, driven through its FIFO, read from its logs) each register, are invited
/// into an invite-only room, see its topic and history, see modes and bans set, and talk.
/// </summary>
public class RealIrcClientTests
{
    /// <summary>A room made by "op": invite-only, a topic, a line of history.</summary>
    internal static async Task<LineClient> RoomWithHistoryAsync(ChatServerProcess server)
    {
        var op = await server.IrcAsync("op", "#room");
        await op.SendAsync("TOPIC #room :the room's topic\r\nPRIVMSG #room :said before you came\r\nMODE #room +i\r\n");
        await op.ExpectAsync(" MODE #room +i");
        return op;
    }

    /// <summary>irssi (nick ivy) registers, op invites it into #room, it joins and shows the topic and history.</summary>
    internal static async Task IrssiJoinsWhenInvitedAsync(Tmux tmux, LineClient op)
    {
        await tmux.WaitForAsync("Welcome to the sock IRC network");
        await WaitForNickAsync(op, "ivy");
        await op.SendAsync("INVITE ivy #room\r\n");
        await tmux.WaitForAsync("op invites you to #room");
        await tmux.TypeAsync("/join #room");
        await tmux.KeysAsync("Enter");
        await tmux.WaitForAsync("the room's topic");
        await tmux.WaitForAsync("said before you came");
    }

    /// <summary>What op does once the client is in: a ban, +m, a voice for the client.</summary>
    private static async Task ModesAsync(LineClient op, string nick)
    {
        await op.SendAsync($"MODE #room +b bad!*@*\r\nMODE #room +m\r\nMODE #room +v {nick}\r\n");
        await op.ExpectAsync($" MODE #room +v {nick}");
    }

    [Fact]
    public async Task Irssi()
    {
        var irssi = Peers.Require("irssi", "irssi");
        await using var server = await ChatServerProcess.StartAsync("--history", "50");
        using var op = await RoomWithHistoryAsync(server);
        using var home = new TempDir();
        await using var tmux = await Tmux.StartAsync($"{irssi} --home={home.Path} -c 127.0.0.1 -p {server.Port} -n ivy", width: 150, height: 40);
        await IrssiJoinsWhenInvitedAsync(tmux, op);
        await ModesAsync(op, "ivy");
        await tmux.WaitForAsync("mode/#room [+b bad!*@*] by op");
        await tmux.WaitForAsync("mode/#room [+m] by op");
        await tmux.WaitForAsync("mode/#room [+v ivy] by op");
        // The ban list, as irssi asks for it.
        await tmux.TypeAsync("/ban");
        await tmux.KeysAsync("Enter");
        await tmux.WaitForAsync("bad!*@*", count: 2);
        await tmux.TypeAsync("hello from irssi");
        await tmux.KeysAsync("Enter");
        await op.ExpectAsync(" PRIVMSG #room :hello from irssi", 15);
        // Longer than one IRC line: irssi splits it, and every part fits once relayed (no 417).
        await tmux.TypeAsync(LongText);
        await tmux.KeysAsync("Enter");
        await AllOfLongTextAsync(op);
    }

    private static readonly string LongText = string.Join(' ', Enumerable.Range(0, 120).Select(i => $"long{i}"));

    /// <summary>The long text arrived whole, in as many PRIVMSGs as the client made of it (spaces at the cuts aside).</summary>
    private static async Task AllOfLongTextAsync(LineClient op)
    {
        await op.ExpectAsync("long119", 15);
        var said = op.Lines.Where(l => l.Contains(" PRIVMSG #room :long", StringComparison.Ordinal))
            .Select(l => l[(l.IndexOf(" :", l.IndexOf(" PRIVMSG ", StringComparison.Ordinal), StringComparison.Ordinal) + 2)..]).ToList();
        Assert.True(said.Count >= 2, string.Join("\n", said));
        Assert.Equal(LongText.Replace(" ", "", StringComparison.Ordinal), string.Concat(said).Replace(" ", "", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WeeChat()
    {
        var weechat = Peers.Require("weechat-headless", "weechat-headless");
        await using var server = await ChatServerProcess.StartAsync("--history", "50");
        using var op = await RoomWithHistoryAsync(server);
        using var home = new TempDir();
        // Logs flushed at once (they are what the test reads); the FIFO takes commands later on.
        var start = string.Join(';',
            "/set logger.file.flush_delay 0", "/fifo enable",
            $"/server add t 127.0.0.1/{server.Port}", "/set irc.server.t.nicks wee", "/set irc.server.t.username wee",
            "/connect t");
        await using var wee = RunningProcess.Start(weechat, ["--dir", home.Path, "-r", start]);
        var serverLog = Path.Combine(home.Path, "logs", "irc.server.t.weechatlog");
        await WaitForLogAsync(serverLog, "Welcome to the sock IRC network");
        await WaitForNickAsync(op, "wee");
        await op.SendAsync("INVITE wee #room\r\n");
        await WaitForLogAsync(serverLog, "You have been invited to #room by op");
        await CommandAsync(home, wee, "irc.server.t */join #room");
        var roomLog = Path.Combine(home.Path, "logs", "irc.t.#room.weechatlog");
        await WaitForLogAsync(roomLog, "the room's topic");
        await WaitForLogAsync(roomLog, "said before you came");
        await ModesAsync(op, "wee");
        await WaitForLogAsync(roomLog, "[+b bad!*@*] by op");
        await WaitForLogAsync(roomLog, "[+m] by op");
        await WaitForLogAsync(roomLog, "[+v wee] by op");
        await CommandAsync(home, wee, "irc.t.#room */mode #room +b");
        await WaitForLogAsync(roomLog, "bad!*@*", count: 2);
        await CommandAsync(home, wee, "irc.t.#room *hello from weechat");
        await op.ExpectAsync(" PRIVMSG #room :hello from weechat", 15);
        await CommandAsync(home, wee, "irc.t.#room *" + LongText);
        await AllOfLongTextAsync(op);
    }

    /// <summary>Waits until the server knows <paramref name="nick"/> (registered), asking with ISON.</summary>
    internal static async Task WaitForNickAsync(LineClient op, string nick)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            await op.SendAsync($"ISON {nick}\r\n");
            var ison = await op.ExpectAsync(" 303 op :");
            if (ison.EndsWith(":" + nick, StringComparison.Ordinal)) return;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{nick} never registered");
            await Task.Delay(200);
        }
    }

    /// <summary>A command through WeeChat's FIFO ("buffer *text"), as a script would send it.</summary>
    private static async Task CommandAsync(TempDir home, RunningProcess wee, string line)
    {
        var fifo = Path.Combine(home.Path, $"weechat_fifo_{wee.Id}");
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!File.Exists(fifo))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("no WeeChat FIFO at " + fifo);
            await Task.Delay(100);
        }
        await File.AppendAllTextAsync(fifo, line + "\n");
    }

    private static async Task WaitForLogAsync(string path, string text, int count = 1)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var log = File.Exists(path) ? await File.ReadAllTextAsync(path) : "";
            var seen = 0;
            for (var at = log.IndexOf(text, StringComparison.Ordinal); at >= 0; at = log.IndexOf(text, at + 1, StringComparison.Ordinal)) seen++;
            if (seen >= count) return;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"'{text}' (x{count}) not in {Path.GetFileName(path)}:\n{log}");
            await Task.Delay(100);
        }
    }
}
