using Sock.Interop.Tests.Chat;

namespace Sock.Interop.Tests.Cluster;

/// <summary>Three `chat serve --cluster` nodes and one real redis-server on loopback: one server to its users.</summary>
[Collection(ClusterHeavy.Name)]
public sealed class ClusterChatTests
{
    [Fact]
    public async Task Users_on_different_nodes_chat_and_see_each_other_in_names_who_and_whois()
    {
        await using var cluster = await ClusterNodes.StartAsync(3);
        using var alice = await cluster[0].IrcAsync("alice", "#x");
        using var bob = await cluster[1].IrcAsync("bob", "#x");
        using var carol = await cluster[2].IrcAsync("carol", "#x");
        await alice.ExpectAsync(":carol!carol@127.0.0.1 JOIN #x");

        await alice.SendAsync("PRIVMSG #x :hello from node 0\r\n");
        await bob.ExpectAsync(":alice!alice@127.0.0.1 PRIVMSG #x :hello from node 0");
        await carol.ExpectAsync(":alice!alice@127.0.0.1 PRIVMSG #x :hello from node 0");

        await carol.SendAsync("NAMES #x\r\n");
        var names = await carol.ExpectAsync(" 353 carol = #x :");
        foreach (var nick in new[] { "alice", "bob", "carol" }) Assert.Contains(nick, names.Split(':')[^1].Split(' ').Select(n => n.TrimStart('@', '+')));

        // LUSERS counts everyone, but "local" is this node's own, and the other nodes are the other servers.
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            await alice.SendAsync("LUSERS\r\n");
            var line = await alice.ExpectAsync(" 251 alice :");
            await alice.ExpectAsync(" 266 alice ");
            if (line.EndsWith("on 3 servers", StringComparison.Ordinal)) break;
            Assert.True(DateTime.UtcNow < deadline, $"LUSERS never saw the three nodes: {line}");
            await Task.Delay(300, TestContext.Current.CancellationToken);
        }
        Assert.Contains(alice.Lines, l => l.Contains(" 255 alice :I have 1 clients and 2 servers"));
        Assert.Contains(alice.Lines, l => l.Contains(" 265 alice 1 1 :Current local users 1, max 1"));
        Assert.Contains(alice.Lines, l => l.Contains(" 266 alice 3 3 :Current global users 3, max 3"));

        await bob.SendAsync("WHO #x\r\n");
        await bob.ExpectAsync(" 352 bob #x alice 127.0.0.1 ");
        await bob.ExpectAsync(" 315 bob #x ");
        await carol.SendAsync("WHOIS alice\r\n");
        await carol.ExpectAsync(" 311 carol alice alice 127.0.0.1 * :alice real");
        await carol.ExpectAsync(" 319 carol alice :");

        // A private message goes to the recipient's node; the answer comes back.
        await carol.SendAsync("PRIVMSG alice :psst\r\n");
        await alice.ExpectAsync(":carol!carol@127.0.0.1 PRIVMSG alice :psst");
        await alice.SendAsync("PRIVMSG carol :hi carol\r\n");
        await carol.ExpectAsync(":alice!alice@127.0.0.1 PRIVMSG carol :hi carol");

        // A topic, a mode, a part and a quit on one node are seen on the others.
        await alice.SendAsync("TOPIC #x :cluster topic\r\n");
        await bob.ExpectAsync(" TOPIC #x :cluster topic");
        await alice.SendAsync("MODE #x +v bob\r\n");
        await carol.ExpectAsync(" MODE #x +v bob");
        await bob.SendAsync("PART #x :bye\r\n");
        await carol.ExpectAsync(":bob!bob@127.0.0.1 PART #x :bye");
        await carol.SendAsync("QUIT :done\r\n");
        await alice.ExpectAsync(":carol!carol@127.0.0.1 QUIT :");

        // A plain (nc-style) user on a third node is in the same room.
        var (plain, plainNick) = await cluster[2].PlainAsync("plainuser");
        using var _ = plain;
        await plain.SendAsync("/join #x\n");
        await alice.ExpectAsync(":plainuser!plain@127.0.0.1 JOIN #x");
        await plain.SendAsync("hi from plain\n");
        await alice.ExpectAsync(":plainuser!plain@127.0.0.1 PRIVMSG #x :hi from plain");
    }

    [Fact]
    public async Task An_invitation_given_on_one_node_lets_the_invitee_into_an_invite_only_room_on_another_once()
    {
        await using var cluster = await ClusterNodes.StartAsync(2);
        using var op = await cluster[0].IrcAsync("op", "#inv");
        using var bob = await cluster[1].IrcAsync("bob");
        await op.SendAsync("MODE #inv +i\r\n");
        await op.ExpectAsync(" MODE #inv +i");
        await bob.SendAsync("JOIN #inv\r\n");
        await bob.ExpectAsync(" 473 bob #inv ");
        await op.SendAsync("INVITE bob #inv\r\n");
        await bob.ExpectAsync(":op!op@127.0.0.1 INVITE bob #inv");
        await bob.SendAsync("JOIN #inv\r\n");
        await op.ExpectAsync(":bob!bob@127.0.0.1 JOIN #inv");
        // Used once: after a part, +i holds again.
        await bob.SendAsync("PART #inv\r\n");
        await op.ExpectAsync(":bob!bob@127.0.0.1 PART #inv");
        await bob.SendAsync("JOIN #inv\r\n");
        await bob.ExpectAsync(" 473 bob #inv ");
    }

    [Fact]
    public async Task A_node_started_later_sees_the_rooms_as_they_are_with_renamed_members_topic_and_modes()
    {
        await using var cluster = await ClusterNodes.StartAsync(1);
        using var alice = await cluster[0].IrcAsync("alice", "#late");
        using var bob = await cluster[0].IrcAsync("bob", "#late");
        await alice.SendAsync("NICK alice2\r\nTOPIC #late :set before\r\nMODE #late +m\r\nMODE #late +v bob\r\n");
        await alice.ExpectAsync(" MODE #late +v bob");
        await cluster.StartNodeAsync("late", []);
        using var carol = await cluster[1].IrcAsync("carol", "#late");
        var names = carol.Lines.Single(l => l.Contains(" 353 carol = #late :")).Split(':')[^1].Split(' ');
        Assert.Equal(["+bob", "@alice2", "carol"], names.Order().ToArray());
        Assert.Contains(carol.Lines, l => l.Contains(" 332 carol #late :set before"));
        await carol.SendAsync("MODE #late\r\n");
        await carol.ExpectAsync(" 324 carol #late +mnt");
    }

    [Fact]
    public async Task Two_nodes_racing_for_one_nick_exactly_one_wins()
    {
        await using var cluster = await ClusterNodes.StartAsync(2);
        for (var round = 0; round < 15; round++)
        {
            var nick = "racer" + round;
            using var a = await cluster[0].ConnectAsync();
            using var b = await cluster[1].ConnectAsync();
            var line = $"NICK {nick}\r\nUSER u 0 * :u\r\n";
            await Task.WhenAll(a.SendAsync(line), b.SendAsync(line));
            var outcomes = await Task.WhenAll(Outcome(a, nick), Outcome(b, nick));
            Assert.Equal(1, outcomes.Count(o => o == "001"));
            Assert.Equal(1, outcomes.Count(o => o == "433"));
        }

        static async Task<string> Outcome(LineClient c, string nick)
        {
            for (var i = 0; i < 500; i++)
            {
                if (c.Lines.Any(l => l.Contains($" 001 {nick} "))) return "001";
                if (c.Lines.Any(l => l.Contains($" 433 * {nick} ") || l.Contains($" 433 {nick} "))) return "433";
                await Task.Delay(20);
            }
            return "none: " + c.All;
        }
    }

    [Fact]
    public async Task History_and_chathistory_are_the_same_from_every_node()
    {
        await using var cluster = await ClusterNodes.StartAsync(3);
        using var alice = await cluster[0].IrcAsync("alice", "#h");
        using var bob = await cluster[1].IrcAsync("bob", "#h");
        for (var i = 0; i < 12; i++)
        {
            await (i % 2 == 0 ? alice : bob).SendAsync($"PRIVMSG #h :message {i}\r\n");
            await (i % 2 == 0 ? bob : alice).ExpectAsync($"PRIVMSG #h :message {i}");
        }
        var seen = new List<string[]>();
        for (var n = 0; n < 3; n++)
        {
            using var c = await cluster[n].ConnectAsync();
            var nick = "reader" + n;
            await c.SendAsync($"CAP LS 302\r\nCAP REQ :draft/chathistory batch message-tags server-time\r\nCAP END\r\nNICK {nick}\r\nUSER r 0 * :r\r\n");
            await c.ExpectAsync(" 376 ");
            await c.SendAsync($"JOIN #h\r\n");
            await c.ExpectAsync($" 366 {nick} #h ");
            await c.SendAsync("CHATHISTORY LATEST #h * 50\r\n");
            await c.ExpectAsync("BATCH +");
            await c.ExpectAsync("BATCH -");
            var lines = c.Lines.Where(l => l.Contains(" PRIVMSG #h :message ")).Select(l => l.Split(";msgid=")[1].Split(';', ' ')[0] + " " + l.Split(" :")[^1]).ToArray();
            Assert.Equal(12, lines.Length);
            seen.Add(lines);
        }
        Assert.Equal(seen[0], seen[1]);
        Assert.Equal(seen[0], seen[2]);
        Assert.Equal([.. Enumerable.Range(0, 12).Select(i => $"message {i}")], seen[0].Select(l => l[(l.IndexOf(' ') + 1)..]));
    }

    [Fact]
    public async Task An_account_registered_on_one_node_logs_in_on_another()
    {
        await using var cluster = await ClusterNodes.StartAsync(2);
        using (var a = await cluster[0].IrcAsync("dana"))
        {
            await a.SendAsync("PRIVMSG NickServ :REGISTER s3cret\r\n");
            await a.ExpectAsync("Account created");
            await a.SendAsync("QUIT\r\n");
            await a.WaitClosedAsync();
        }
        using var b = await cluster[1].ConnectAsync();
        await b.SendAsync("CAP REQ :sasl\r\nNICK dana\r\nUSER d 0 * :d\r\nAUTHENTICATE PLAIN\r\n");
        await b.ExpectAsync("AUTHENTICATE +");
        await b.SendAsync("AUTHENTICATE " + Convert.ToBase64String("dana\0dana\0s3cret"u8.ToArray()) + "\r\n");
        await b.ExpectAsync(" 903 ");
        await b.SendAsync("CAP END\r\n");
        await b.ExpectAsync(" 001 dana ");
    }
}
