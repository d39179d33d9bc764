using System.Text.RegularExpressions;
using Sock.Interop.Tests.Infrastructure;
using Sock.Interop.Tests.Pipes;

namespace Sock.Interop.Tests.Chat;

/// <summary>
/// Abuse limits per address (--max-per-address, --connects-per-minute, --exempt), the open-file
/// limit, and --announce-joins. Clients connect from 127.0.0.2 and 127.0.0.3 (the client socket
/// bound there): only 127.0.0.1 and ::1 are exempt by default.
/// </summary>
public class ChatLimitsTests
{
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(15);

    private static async Task<LineClient> PlainFromAsync(string local, int port, string nick)
    {
        var c = await LineClient.ConnectFromAsync(local, port);
        await c.SendAsync($"/nick {nick}\n");
        await c.ExpectAsync("* you are now known as " + nick);
        return c;
    }

    [Fact]
    public async Task OneAddressGetsAtMostMaxPerAddressConnectionsAndTheNextIsToldWhy()
    {
        await using var server = await ChatServerProcess.StartAsync("--max-per-address", "2", "--connects-per-minute", "0");
        using var a = await PlainFromAsync("127.0.0.2", server.Port, "a1");
        using var b = await PlainFromAsync("127.0.0.2", server.Port, "a2");

        // The third from 127.0.0.2: one line a person and an IRC client both read, then closed.
        using var refusedPlain = await LineClient.ConnectFromAsync("127.0.0.2", server.Port);
        Assert.Equal("ERROR :Closing link: too many connections from your address (2)", await refusedPlain.ExpectAsync("ERROR"));
        await refusedPlain.WaitClosedAsync();
        Assert.DoesNotContain("欢迎", refusedPlain.All, StringComparison.Ordinal);

        // An IRC client that sends its registration at once gets the same ERROR (not a reset).
        using var refusedIrc = await LineClient.ConnectFromAsync("127.0.0.2", server.Port);
        await refusedIrc.SendAsync("NICK x\r\nUSER x 0 * :x\r\n");
        await refusedIrc.ExpectAsync("ERROR :Closing link: too many connections from your address (2)");
        await refusedIrc.WaitClosedAsync();

        await server.Process.WaitForStderrAsync("refused 127.0.0.2:", Short);
        Assert.Contains("too many connections from your address (2)", server.Process.Stderr, StringComparison.Ordinal);

        // Another address has its own count; 127.0.0.1 has none.
        using var other = await PlainFromAsync("127.0.0.3", server.Port, "c1");
        var local = new List<LineClient>();
        try
        {
            for (var i = 0; i < 3; i++) local.Add(await PlainFromAsync("127.0.0.1", server.Port, "l" + i));
        }
        finally
        {
            foreach (var c in local) c.Dispose();
        }

        // When one of the two leaves, 127.0.0.2 may connect again.
        await a.SendAsync("/quit\n");
        await a.WaitClosedAsync();
        await WaitUntilAdmittedAsync("127.0.0.2", server.Port, "a3");
    }

    /// <summary>The server counts the close when it has seen it: retry until then (bounded).</summary>
    private static async Task WaitUntilAdmittedAsync(string local, int port, string nick)
    {
        var deadline = DateTime.UtcNow + Short;
        while (true)
        {
            using var c = await LineClient.ConnectFromAsync(local, port);
            await c.SendAsync($"/nick {nick}\n");
            var deadlineOne = DateTime.UtcNow + TimeSpan.FromSeconds(5);
            while (DateTime.UtcNow < deadlineOne && !c.All.Contains("known as " + nick, StringComparison.Ordinal) && !c.All.Contains("ERROR :Closing link", StringComparison.Ordinal))
                await Task.Delay(20);
            if (c.All.Contains("known as " + nick, StringComparison.Ordinal)) return;
            if (DateTime.UtcNow > deadline) throw new TimeoutException("never admitted again; last got:\n" + c.All);
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task ConnectsPerMinuteRefusesAReconnectLoop()
    {
        await using var server = await ChatServerProcess.StartAsync("--connects-per-minute", "2", "--max-per-address", "0");
        // Two new connections a minute (a bucket of 2, one back every 30 s): a loop of connects
        // from one address is refused within a few tries, however slow the machine.
        string? refused = null;
        for (var i = 0; i < 6 && refused is null; i++)
        {
            using var c = await LineClient.ConnectFromAsync("127.0.0.2", server.Port);
            await c.SendAsync($"/nick r{i}\n");
            var line = await c.ExpectAsync(i < 2 ? "known as" : "", 10);
            if (line.StartsWith("ERROR", StringComparison.Ordinal)) refused = line;
        }
        Assert.Equal("ERROR :Closing link: too many new connections from your address (2 a minute); try again later", refused);
        await server.Process.WaitForStderrAsync("too many new connections", Short);
        // The loopback host is exempt: as many as it likes.
        for (var i = 0; i < 4; i++)
        {
            using var c = await PlainFromAsync("127.0.0.1", server.Port, "ok" + i);
        }
        // Another address has its own bucket.
        using var fresh = await PlainFromAsync("127.0.0.3", server.Port, "fresh");
    }

    [Fact]
    public async Task ConfigFileSetsTheLimitsAndExemptions()
    {
        using var dir = new TempDir();
        var config = dir.File("chat.json");
        File.WriteAllText(config, """{ "max-per-address": 1, "exempt": ["127.0.0.3/32"] }""");
        await using var server = await ChatServerProcess.StartAsync("--config", config);
        using var one = await PlainFromAsync("127.0.0.2", server.Port, "one");
        using var two = await LineClient.ConnectFromAsync("127.0.0.2", server.Port);
        await two.ExpectAsync("ERROR :Closing link: too many connections from your address (1)");
        // 127.0.0.3 is exempt: several at once.
        using var e1 = await PlainFromAsync("127.0.0.3", server.Port, "e1");
        using var e2 = await PlainFromAsync("127.0.0.3", server.Port, "e2");
        using var e3 = await PlainFromAsync("127.0.0.3", server.Port, "e3");
    }

    [Fact]
    public async Task BadLimitFlagsAreUsageErrors()
    {
        var (code, _, stderr) = await SockCli.RunAsync("chat", "serve", "--exempt", "10.0.0.0/33");
        Assert.Equal(2, code);
        Assert.Contains("--exempt", stderr, StringComparison.Ordinal);
        (code, _, stderr) = await SockCli.RunAsync("chat", "serve", "--max-per-address", "-1");
        Assert.Equal(2, code);
        Assert.Contains("--max-per-address", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PlainUsersInABigRoomGetNoJoinPartOrQuitLines()
    {
        // Rooms of more than 2 members are "big" here: the third join is not announced to plain users.
        await using var server = await ChatServerProcess.StartAsync("--announce-joins", "2");
        var (a, _) = await server.PlainAsync("alice");
        using var _a = a;
        using var irc = await server.IrcAsync("ircer", "#lobby");
        await a.ExpectAsync("* ircer joined #lobby"); // 2 members: announced

        var (c, _) = await server.PlainAsync("carol"); // 3 members (she joins as a guest, then renames)
        using var _c = c;
        await irc.ExpectAsync("JOIN #lobby"); // IRC keeps its JOIN semantics (its own JOIN came before 366)
        await irc.ExpectAsync("NICK :carol");
        await c.SendAsync("hello from carol\n");
        await a.ExpectAsync("<carol> hello from carol");
        Assert.DoesNotContain(a.Lines, l => l.Contains(" joined #lobby", StringComparison.Ordinal) && !l.Contains("ircer", StringComparison.Ordinal) && !l.Contains("you joined", StringComparison.Ordinal));

        // carol leaves: IRC sees the QUIT, alice (in a room of 3 until then) does not.
        await c.SendAsync("/quit bye\n");
        await irc.ExpectAsync(":carol!");
        await irc.SendAsync("PRIVMSG #lobby :after carol\r\n");
        await a.ExpectAsync("<ircer> after carol");
        Assert.DoesNotContain(a.Lines, l => l.Contains("carol quit", StringComparison.Ordinal));

        // Back to 2 members: announced again.
        await irc.SendAsync("PART #lobby :gone\r\n");
        await a.ExpectAsync("* ircer left #lobby (gone)");
    }

    [Fact]
    public async Task OutOfDescriptorsTheServerSaysSoOnceKeepsServingAndAcceptsAgain()
    {
        // The server's own hard limit lowered to 256 for this process only (the JIT-compiled CLI holds about 170 at rest) (ulimit in its shell):
        // it raises the soft limit to that, then runs out of descriptors after some dozens of clients.
        var port = FreePort.Tcp();
        await using var server = RunningProcess.Start("/bin/sh",
            ["-c", "ulimit -n 256 && exec \"$0\" chat serve --bind 127.0.0.1 --port " + port + " --name test.local", SockCli.Path]);
        await server.WaitForStderrAsync("listening on", Short);
        Assert.Contains("open files: limit 256", server.Stderr, StringComparison.Ordinal);

        var clients = new List<LineClient>();
        try
        {
            LineClient? waiting = null;
            for (var i = 0; i < 400 && waiting is null; i++)
            {
                var c = await LineClient.ConnectAsync(port);
                clients.Add(c);
                await c.SendAsync($"/nick n{i}\n");
                // A slow welcome on a loaded machine is not the limit: only the server's log line says it is.
                try { await c.ExpectAsync("known as n" + i, 15); }
                catch (TimeoutException) when (server.Stderr.Contains("file descriptor limit", StringComparison.Ordinal)) { waiting = c; }
            }
            Assert.NotNull(waiting);
            // Those connected are still served.
            await clients[0].SendAsync("still here\n");
            await clients[1].ExpectAsync("<n0> still here");
            Assert.Single(Regex.Matches(server.Stderr, "file descriptor limit"));

            // Two leave: the waiting client is accepted and welcomed.
            clients[2].Dispose();
            clients[3].Dispose();
            try { await waiting.ExpectAsync("欢迎", 20); }
            catch (TimeoutException e) { throw new TimeoutException(e.Message + "\nserver log:\n" + string.Join("\n", server.Stderr.Split('\n').TakeLast(15)), e); }
            await server.WaitForStderrAsync("accepting again", Short);
            Assert.Single(Regex.Matches(server.Stderr, "file descriptor limit"));
        }
        finally
        {
            foreach (var c in clients) c.Dispose();
        }
    }
}
