using Sock.Interop.Tests.Infrastructure;

namespace Sock.Interop.Tests.Chat;

public class IrcChatTests
{
    [Fact]
    public async Task RegistrationSendsWelcomeIsupportAndMotd()
    {
        await using var server = await ChatServerProcess.StartAsync("--motd", "line one\nline two");
        using var c = await server.ConnectAsync();
        await c.SendAsync("CAP LS 302\r\nNICK alice\r\nUSER al 0 * :Alice A\r\n");
        // CAP LS 302 may take several lines ("CAP * LS * :…" until the last).
        var line = await c.ExpectAsync(":test.local CAP * LS ");
        var ls = line;
        while (line.Contains(" LS * :", StringComparison.Ordinal)) ls += " " + (line = await c.ExpectAsync(":test.local CAP * LS "));
        var offered = ls.Split([' ', ':'], StringSplitOptions.RemoveEmptyEntries);
        foreach (var cap in new[] { "server-time", "message-tags", "echo-message", "multi-prefix", "batch", "labeled-response", "draft/chathistory" })
            Assert.Contains(cap, offered);
        await c.SendAsync("CAP REQ :multi-prefix bogus-cap\r\n");
        await c.ExpectAsync("CAP * NAK :multi-prefix bogus-cap");
        await c.SendAsync("CAP REQ :multi-prefix echo-message\r\nCAP END\r\n");
        await c.ExpectAsync("CAP * ACK :multi-prefix echo-message");
        Assert.Equal(":test.local 001 alice :Welcome to the sock IRC network, alice!al@127.0.0.1", await c.ExpectAsync(" 001 "));
        await c.ExpectAsync(":test.local 002 alice :Your host is test.local");
        await c.ExpectAsync(" 003 alice ");
        await c.ExpectAsync(":test.local 004 alice test.local sock-");
        // ISUPPORT spans three 005 lines (13 tokens each at most).
        var isupport = await c.ExpectAsync(" 005 alice ") + await c.ExpectAsync(" 005 alice ") + await c.ExpectAsync(" 005 alice ");
        foreach (var token in new[] { "CASEMAPPING=ascii", "NICKLEN=30", "CHANNELLEN=50", "CHANTYPES=#", "PREFIX=(ov)@+", "CHANMODES=beI,k,l,Cimnpst", "NETWORK=sock" })
            Assert.Contains(token, isupport);
        await c.ExpectAsync(":test.local 375 alice ");
        await c.ExpectAsync(":test.local 372 alice :- line one");
        await c.ExpectAsync(":test.local 372 alice :- line two");
        await c.ExpectAsync(":test.local 376 alice :End of /MOTD command.");
        await c.SendAsync("PING :abc\r\n");
        await c.ExpectAsync(":test.local PONG test.local :abc");
    }

    [Fact]
    public async Task ErrorNumerics()
    {
        await using var server = await ChatServerProcess.StartAsync("--oper", "boss:pw");
        using var pre = await server.ConnectAsync();
        await pre.SendAsync("NICK early\r\nJOIN #x\r\n");
        await pre.ExpectAsync(":test.local 451 early :You have not registered");
        using var bad = await server.ConnectAsync();
        await bad.SendAsync("CAP LS 302\r\nNICK\r\n"); // a bare NICK as the very first line would be taken as plain
        await bad.ExpectAsync(" 431 * :No nickname given");
        await bad.SendAsync("NICK 1abc\r\n");
        await bad.ExpectAsync(" 432 * 1abc :Erroneous nickname");
        await bad.SendAsync($"NICK {new string('n', 31)}\r\n");
        await bad.ExpectAsync(" 432 * nnnn");
        await bad.SendAsync("USER x\r\n");
        await bad.ExpectAsync(" 461 * USER :Not enough parameters");

        using var a = await server.IrcAsync("alice", "#room");
        using var b = await server.IrcAsync("bob");
        await b.SendAsync("NICK alice\r\n");
        await b.ExpectAsync(" 433 bob alice :Nickname is already in use");
        await b.SendAsync("NICK ALICE\r\n");
        await b.ExpectAsync(" 433 bob ALICE :Nickname is already in use");
        await b.SendAsync("USER a 0 * :b\r\n");
        await b.ExpectAsync(" 462 bob :You may not reregister");
        await b.SendAsync("PRIVMSG nobody :hi\r\n");
        await b.ExpectAsync(" 401 bob nobody :No such nick/channel");
        await b.SendAsync("PRIVMSG #nowhere :hi\r\n");
        await b.ExpectAsync(" 403 bob #nowhere :No such channel");
        await b.SendAsync("PRIVMSG #room :hi\r\n");
        await b.ExpectAsync(" 404 bob #room :Cannot send to channel");
        await b.SendAsync("PRIVMSG\r\n");
        await b.ExpectAsync(" 411 bob :No recipient given (PRIVMSG)");
        await b.SendAsync("PRIVMSG alice\r\n");
        await b.ExpectAsync(" 412 bob :No text to send");
        await b.SendAsync("FROB\r\n");
        await b.ExpectAsync(" 421 bob FROB :Unknown command");
        await b.SendAsync("PART #room\r\n");
        await b.ExpectAsync(" 442 bob #room :You're not on that channel");
        await b.SendAsync("JOIN\r\n");
        await b.ExpectAsync(" 461 bob JOIN :Not enough parameters");
        await b.SendAsync("JOIN bad,#ok\r\n");
        await b.ExpectAsync(" 403 bob bad :No such channel");
        await b.ExpectAsync(":bob!bob@127.0.0.1 JOIN #ok");
        await b.SendAsync("JOIN #room\r\nTOPIC #room :mine now\r\n");
        await b.ExpectAsync(" 482 bob #room :You're not channel operator");
        await b.SendAsync("KICK #room alice\r\n");
        await b.ExpectAsync(" 482 bob #room :You're not channel operator");
        await b.SendAsync("MODE #room +o bob\r\n");
        await b.ExpectAsync(" 482 bob #room :You're not channel operator");
        await a.SendAsync("KICK #room carol\r\n");
        await a.ExpectAsync(" 441 alice carol #room :They aren't on that channel");
        await b.SendAsync("KILL alice :x\r\n");
        await b.ExpectAsync(" 481 bob :Permission Denied- You're not an IRC operator");
        await b.SendAsync("OPER boss wrong\r\n");
        await b.ExpectAsync(" 464 bob :Password incorrect");
        await b.SendAsync("MODE #room +z\r\n");
        await b.ExpectAsync(" 472 bob z :is unknown mode char to me");
        await b.SendAsync("MODE alice +w\r\n");
        await b.ExpectAsync(" 502 bob :Can't change mode for other users");
    }

    [Fact]
    public async Task PasswordIsRequiredWhenSet()
    {
        await using var server = await ChatServerProcess.StartAsync("--password", "sesame");
        using var wrong = await server.ConnectAsync();
        await wrong.SendAsync("PASS nope\r\nNICK w\r\nUSER w 0 * :w\r\n");
        await wrong.ExpectAsync(" 464 w :Password incorrect");
        await wrong.ExpectAsync("ERROR :Closing link");
        await wrong.WaitClosedAsync();
        using var right = await server.ConnectAsync();
        await right.SendAsync("PASS sesame\r\nNICK r\r\nUSER r 0 * :r\r\n");
        await right.ExpectAsync(" 001 r ");
    }

    [Fact]
    public async Task AJoinersNamesListEveryMemberWithPrefixesAndHostsInLinesOfAtMost400()
    {
        await using var server = await ChatServerProcess.StartAsync();
        using var alice = await server.IrcAsync("alice", "#names");
        var others = new List<LineClient>();
        try
        {
            // Enough long nicks that the list takes more than one 353.
            for (var i = 0; i < 12; i++) others.Add(await server.IrcAsync($"member_abcdefghij_{i:00}", "#names"));
            await alice.SendAsync("MODE #names +v member_abcdefghij_03\r\nMODE #names +v alice\r\n");
            await alice.ExpectAsync(" MODE #names +v alice");
            using var carol = await server.ConnectAsync();
            await carol.SendAsync("CAP REQ :multi-prefix userhost-in-names\r\nNICK carol\r\nUSER carol 0 * :Carol\r\nCAP END\r\n");
            await carol.ExpectAsync(" 376 ");
            await carol.SendAsync("JOIN #names\r\n");
            async Task<List<string>> NamesAsync()
            {
                var lines = new List<string>();
                string line;
                while (!(line = await carol.ExpectAsync(" #names ")).Contains(" 366 ", StringComparison.Ordinal))
                    if (line.Contains(" 353 carol = #names :", StringComparison.Ordinal)) lines.Add(line);
                return lines;
            }
            var onJoin = await NamesAsync();
            Assert.True(onJoin.Count > 1, string.Join("\n", onJoin));
            var entries = onJoin.SelectMany(l => l[(l.IndexOf(" :", StringComparison.Ordinal) + 2)..].Split(' ')).ToList();
            Assert.All(onJoin, l => Assert.True(l[(l.IndexOf(" :", StringComparison.Ordinal) + 2)..].Length <= 400, l));
            Assert.Equal(14, entries.Count);
            Assert.Contains(entries, e => e.StartsWith("@+alice!", StringComparison.Ordinal) && e.EndsWith("@127.0.0.1", StringComparison.Ordinal));
            Assert.Contains(entries, e => e.StartsWith("+member_abcdefghij_03!", StringComparison.Ordinal));
            Assert.Contains(entries, e => e.StartsWith("member_abcdefghij_11!", StringComparison.Ordinal));
            Assert.Contains(entries, e => e.StartsWith("carol!", StringComparison.Ordinal));
            // NAMES asked afterwards lists the same (it reads the room outside the join's lock).
            await carol.SendAsync("NAMES #names\r\n");
            var asked = await NamesAsync();
            Assert.Equal(entries.Order(), asked.SelectMany(l => l[(l.IndexOf(" :", StringComparison.Ordinal) + 2)..].Split(' ')).Order());
        }
        finally
        {
            foreach (var o in others) o.Dispose();
        }
    }

    [Fact]
    public async Task ChannelCommandsAndPlainUsersShareTheRoom()
    {
        await using var server = await ChatServerProcess.StartAsync("--oper", "boss:pw");
        using var a = await server.IrcAsync("alice", "#lobby");
        var (p, _) = await server.PlainAsync("plainpat");
        using var _p = p;
        await a.ExpectAsync(" NICK :plainpat");
        await p.SendAsync("/nick alice\n");
        await p.ExpectAsync("* nick alice is already in use");
        await p.SendAsync("hello irc\n");
        await a.ExpectAsync(":plainpat!plain@127.0.0.1 PRIVMSG #lobby :hello irc");
        await a.SendAsync("PRIVMSG #lobby :hello plain\r\nPRIVMSG #lobby :\u0001ACTION waves\u0001\r\nNOTICE #lobby :a notice\r\n");
        await p.ExpectAsync("<alice> hello plain");
        await p.ExpectAsync("* alice waves");
        await p.ExpectAsync("-alice- a notice");
        await a.SendAsync("PRIVMSG plainpat :private\r\n");
        await p.ExpectAsync("*alice* private");
        await p.SendAsync("/msg alice back\n");
        await a.ExpectAsync(":plainpat!plain@127.0.0.1 PRIVMSG alice :back");

        await a.SendAsync("NAMES #lobby\r\n");
        var names = await a.ExpectAsync(" 353 alice = #lobby :");
        Assert.Contains("@alice", names);
        Assert.Contains("plainpat", names);
        await a.ExpectAsync(" 366 alice #lobby :End of /NAMES list.");
        await a.SendAsync("TOPIC #lobby :Welcome all\r\n");
        await a.ExpectAsync(":alice!alice@127.0.0.1 TOPIC #lobby :Welcome all");
        await p.ExpectAsync("* alice set the topic of #lobby: Welcome all");
        await a.SendAsync("TOPIC #lobby\r\n");
        await a.ExpectAsync(" 332 alice #lobby :Welcome all");
        await a.SendAsync("WHO #lobby\r\n");
        await a.ExpectAsync(" 352 alice #lobby plain 127.0.0.1 test.local plainpat H :0 ");
        await a.ExpectAsync(" 315 alice #lobby :End of WHO list");
        await a.SendAsync("WHOIS plainpat\r\n");
        await a.ExpectAsync(" 311 alice plainpat plain 127.0.0.1 * :");
        await a.ExpectAsync(" 319 alice plainpat :#lobby");
        await a.ExpectAsync(" 318 alice plainpat :End of /WHOIS list");
        await a.SendAsync("LIST\r\n");
        await a.ExpectAsync(" 321 alice Channel :Users  Name");
        await a.ExpectAsync(" 322 alice #lobby 2 :Welcome all");
        await a.ExpectAsync(" 323 alice :End of /LIST");
        await a.SendAsync("MODE #lobby\r\n");
        await a.ExpectAsync(" 324 alice #lobby +nt");
        await a.SendAsync("MODE #lobby +mv plainpat\r\n");
        await a.ExpectAsync(":alice!alice@127.0.0.1 MODE #lobby +mv plainpat");
        await a.SendAsync("AWAY :lunch\r\n");
        await a.ExpectAsync(" 306 alice :You have been marked as being away");
        await p.SendAsync("/msg alice are you there\n");
        await p.ExpectAsync("-> *alice* are you there");
        await a.SendAsync("AWAY\r\n");
        await a.ExpectAsync(" 305 alice :You are no longer marked as being away");

        using var b = await server.IrcAsync("bob", "#lobby");
        await a.SendAsync("KICK #lobby bob :behave\r\n");
        await b.ExpectAsync(":alice!alice@127.0.0.1 KICK #lobby bob :behave");
        await p.ExpectAsync("* alice kicked bob from #lobby (behave)");
        await b.SendAsync("OPER boss pw\r\n");
        await b.ExpectAsync(" 381 bob :You are now an IRC operator");
        await b.SendAsync("WALLOPS :ops only\r\n");
        await b.ExpectAsync(":bob!bob@127.0.0.1 WALLOPS :ops only");
        await b.SendAsync("KILL plainpat :spamming\r\n");
        await p.ExpectAsync("* disconnected: Killed by bob: spamming");
        await p.WaitClosedAsync();
        await a.ExpectAsync(":plainpat!plain@127.0.0.1 QUIT :Killed by bob: spamming");
        await a.SendAsync("PART #lobby :bye\r\n");
        await a.ExpectAsync(":alice!alice@127.0.0.1 PART #lobby :bye");
        await a.SendAsync("QUIT :done\r\n");
        await a.ExpectAsync("ERROR :Closing link: (alice@127.0.0.1) [Quit: done]");
        await a.WaitClosedAsync();
    }

    [Fact]
    public async Task CapsServerTimeEchoMessageAndHistoryReplay()
    {
        await using var server = await ChatServerProcess.StartAsync();
        var (p, _) = await server.PlainAsync("early");
        using var _p = p;
        await p.SendAsync("first message\n");
        using var c = await server.ConnectAsync();
        await c.SendAsync("CAP LS\r\nCAP REQ :server-time echo-message\r\nCAP END\r\nNICK late\r\nUSER l 0 * :l\r\nJOIN #lobby\r\n");
        await c.ExpectAsync(" 001 late ");
        var replay = await c.ExpectAsync("PRIVMSG #lobby :first message");
        Assert.Matches(@"^@time=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z :early!plain@127\.0\.0\.1 PRIVMSG #lobby :first message$", replay);
        await c.SendAsync("PRIVMSG #lobby :echoed\r\n");
        await c.ExpectAsync(":late!l@127.0.0.1 PRIVMSG #lobby :echoed");
        await p.ExpectAsync("<late> echoed");
    }

    [Fact]
    public async Task ChatHistoryAnswersInABatchForMembersAndFailsClearlyOtherwise()
    {
        await using var server = await ChatServerProcess.StartAsync();
        var (p, _) = await server.PlainAsync("early");
        using var _p = p;
        foreach (var i in Enumerable.Range(1, 4)) await p.SendAsync($"message {i}\n");
        await p.SendAsync("/history 4\n");
        await p.ExpectAsync("<early> message 4"); // all four are in the history now
        using var c = await server.ConnectAsync();
        await c.SendAsync("CAP LS 302\r\nCAP REQ :server-time batch\r\nCAP END\r\nNICK late\r\nUSER l 0 * :l\r\n");
        Assert.Contains("CHATHISTORY=50", await c.ExpectAsync("CHATHISTORY="));
        await c.SendAsync("JOIN #lobby\r\n");
        await c.ExpectAsync("PRIVMSG #lobby :message 4"); // the replay on join

        await c.SendAsync("CHATHISTORY LATEST #lobby * 2\r\n");
        var open = await c.ExpectAsync(" BATCH +");
        var id = System.Text.RegularExpressions.Regex.Match(open, @"BATCH \+(\S+) chathistory #lobby$").Groups[1].Value;
        Assert.NotEmpty(id);
        var third = await c.ExpectAsync($"@batch={id};time=");
        Assert.EndsWith(":early!plain@127.0.0.1 PRIVMSG #lobby :message 3", third);
        Assert.EndsWith("PRIVMSG #lobby :message 4", await c.ExpectAsync($"@batch={id};time="));
        await c.ExpectAsync($"BATCH -{id}");

        // BEFORE a message's time: those strictly before it (at the millisecond), oldest first.
        var all = await HistoryBatchAsync(c, "LATEST #lobby * 10");
        Assert.Equal(["message 1", "message 2", "message 3", "message 4"], all.Select(m => m.Text));
        var cut = all[3].Time;
        Assert.Equal(all.Where(m => string.CompareOrdinal(m.Time, cut) < 0).Select(m => m.Text),
            (await HistoryBatchAsync(c, $"BEFORE #lobby timestamp={cut} 10")).Select(m => m.Text));
        Assert.Equal(all.Where(m => string.CompareOrdinal(m.Time, all[0].Time) > 0).Select(m => m.Text),
            (await HistoryBatchAsync(c, $"AFTER #lobby timestamp={all[0].Time} 10")).Select(m => m.Text));

        await c.SendAsync("CHATHISTORY LATEST #elsewhere * 5\r\n");
        await c.ExpectAsync("FAIL CHATHISTORY INVALID_TARGET LATEST #elsewhere :Messages could not be retrieved");
        await c.SendAsync("CHATHISTORY AROUND #lobby * 5\r\n");
        await c.ExpectAsync("FAIL CHATHISTORY INVALID_PARAMS AROUND");
        await c.SendAsync("CHATHISTORY LATEST #lobby msgid=abc 5\r\n"); // an unknown message: an empty batch
        var empty = await c.ExpectAsync(" BATCH +");
        await c.ExpectAsync($"BATCH -{System.Text.RegularExpressions.Regex.Match(empty, @"BATCH \+(\S+)").Groups[1].Value}");
        await c.SendAsync("CHATHISTORY LATEST #lobby * 0\r\n");
        await c.ExpectAsync("FAIL CHATHISTORY INVALID_PARAMS LATEST 0");
        await c.SendAsync("CHATHISTORY LATEST #lobby * :5 :x\r\n"); // a trailing limit with a space is echoed as *
        await c.ExpectAsync("FAIL CHATHISTORY INVALID_PARAMS LATEST * :The limit must be a positive number");
        await c.SendAsync("CHATHISTORY LATEST #lobby\r\n");
        await c.ExpectAsync("FAIL CHATHISTORY NEED_MORE_PARAMS LATEST :Not enough parameters");
    }

    /// <summary>Sends CHATHISTORY and reads its batch: each message's time tag and text.</summary>
    private static async Task<List<(string Time, string Text)>> HistoryBatchAsync(LineClient c, string request)
    {
        await c.SendAsync($"CHATHISTORY {request}\r\n");
        var open = await c.ExpectAsync(" BATCH +");
        var id = System.Text.RegularExpressions.Regex.Match(open, @"BATCH \+(\S+) chathistory ").Groups[1].Value;
        var messages = new List<(string, string)>();
        while (true)
        {
            var line = await c.ExpectAsync(id);
            if (line.Contains($"BATCH -{id}", StringComparison.Ordinal)) return messages;
            var m = System.Text.RegularExpressions.Regex.Match(line, @"^@batch=\S+;time=(\S+) .* PRIVMSG \S+ :(.*)$");
            Assert.True(m.Success, line);
            messages.Add((m.Groups[1].Value, m.Groups[2].Value));
        }
    }

    [Fact]
    public async Task Python3IrcLibraryTalksToPlainUser()
    {
        var python = Peers.DebianPython3;
        await using var server = await ChatServerProcess.StartAsync();
        var (p, _) = await server.PlainAsync("plainy");
        using var _p = p;
        var script = $$"""
import irc.client, sys
reactor = irc.client.IRC()
c = reactor.server().connect("127.0.0.1", {{server.Port}}, "pybot")
state = {}
def welcome(conn, e):
    state['isupport'] = True
    conn.join("#lobby")
def joined(conn, e):
    if e.source.nick == "pybot":
        print("joined", e.target, flush=True)
def pubmsg(conn, e):
    print("got", e.source.nick, e.arguments[0], flush=True)
    conn.privmsg("#lobby", "reply to " + e.source.nick)
    state['done'] = True
c.add_global_handler("welcome", welcome)
c.add_global_handler("join", joined)
c.add_global_handler("pubmsg", pubmsg)
import time
deadline = time.time() + 15
while time.time() < deadline and not state.get('done'):
    reactor.process_once(0.1)
print("features", c.features.nicklen, c.features.chantypes, flush=True)
reactor.process_once(0.2)
c.quit("bye")
reactor.process_once(0.2)
""";
        await using var py = RunningProcess.Start(python, ["-c", script]);
        await p.ExpectAsync("* pybot joined #lobby", 15);
        await p.SendAsync("hello python\n");
        await p.ExpectAsync("<pybot> reply to plainy", 15);
        await py.WaitForExitAsync(TimeSpan.FromSeconds(20));
        Assert.Contains("joined #lobby", py.Stdout);
        Assert.Contains("got plainy hello python", py.Stdout);
        Assert.Contains("features 30", py.Stdout);
    }

    [Fact]
    public async Task IrssiInTmuxJoinsSeesPlainUserAndReplies()
    {
        var tmux = Peers.Tmux;
        Peers.Require("irssi", "irssi");
        await using var server = await ChatServerProcess.StartAsync();
        using var home = new TempDir();
        var session = "sockchat" + Guid.NewGuid().ToString("N")[..8];
        var (p, _) = await server.PlainAsync("plainy");
        using var _p = p;
        var (code, _, err) = await Run.Async(tmux, "new", "-d", "-s", session, "-x", "200", "-y", "50",
            $"irssi --home={home.Path} -c 127.0.0.1 -p {server.Port} -n irssiuser");
        Assert.True(code == 0, err);
        try
        {
            await WaitPaneAsync(tmux, session, "Welcome to sock chat", 20); // the MOTD: registered
            await Run.Async(tmux, "send-keys", "-t", session, "/join #lobby", "Enter");
            await p.ExpectAsync("* irssiuser joined #lobby", 20);
            await p.SendAsync("hi from plain\n");
            await WaitPaneAsync(tmux, session, "hi from plain", 10);
            await Run.Async(tmux, "send-keys", "-t", session, "hello from irssi", "Enter");
            await p.ExpectAsync("<irssiuser> hello from irssi", 10);
        }
        finally
        {
            await Run.Async(tmux, "kill-session", "-t", session);
        }
    }

    private static async Task WaitPaneAsync(string tmux, string session, string text, double seconds)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        string pane = "";
        while (DateTime.UtcNow < deadline)
        {
            (_, pane, _) = await Run.Async(tmux, "capture-pane", "-p", "-t", session);
            if (pane.Contains(text, StringComparison.Ordinal)) return;
            await Task.Delay(200);
        }
        throw new TimeoutException($"irssi pane never showed '{text}':\n{pane}");
    }
}
