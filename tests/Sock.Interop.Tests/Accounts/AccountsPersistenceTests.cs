using Sock.Interop.Tests.Chat;
using Sock.Interop.Tests.Infrastructure;
using static Sock.Interop.Tests.Accounts.AccountsHarness;

namespace Sock.Interop.Tests.Accounts;

/// <summary>What --db keeps across a restart, and what the server does when that file fails under it.</summary>
public class AccountsPersistenceTests
{
    [Fact]
    public async Task AccountsAndARegisteredRoomSurviveARestart()
    {
        using var dir = new TempDir();
        var db = dir.File("chat.db");
        await using (var server = await ServeAsync(db))
        {
            using var bob = await server.IrcAsync("bob");
            await bob.SendAsync("PRIVMSG NickServ :REGISTER bobs-password\r\n");
            await bob.ExpectAsync("You're now logged in as bob");
            using var founder = await server.IrcAsync("founder");
            await founder.SendAsync("PRIVMSG NickServ :REGISTER founders-password\r\n");
            await founder.ExpectAsync("You're now logged in as founder");
            await founder.SendAsync("JOIN #club\r\n");
            await founder.ExpectAsync(" 366 founder #club ");
            await founder.SendAsync("PRIVMSG ChanServ :REGISTER #club\r\n");
            await founder.ExpectAsync(":ChanServ!");
            await founder.SendAsync("TOPIC #club :members only; be kind\r\nMODE #club +mk clubkey\r\nMODE #club +b troll!*@*\r\nPRIVMSG ChanServ :AMODE #club +v bob\r\n");
            await founder.ExpectAsync(" MODE #club +b troll!*@*");
            await founder.ExpectAsync(":ChanServ!");
        }

        await using var again = await ServeAsync(db);
        using var b = await again.ConnectAsync();
        Assert.Contains(" 903 ", await SaslPlainAsync(again, b, "bob", "bob", "bobs-password"));
        await b.SendAsync("CAP END\r\n");
        await b.ExpectAsync(" 376 ");
        await b.SendAsync("JOIN #club clubkey\r\n");
        Assert.Contains("members only; be kind", await b.ExpectAsync(" 332 bob #club "));
        var names = await b.ExpectAsync(" 353 bob ");
        Assert.Contains("+bob", names);
        await b.SendAsync("MODE #club\r\nMODE #club b\r\n");
        var modes = await b.ExpectAsync(" 324 bob #club ");
        Assert.Contains("m", modes.Split(' ')[4]);
        Assert.Contains("k", modes.Split(' ')[4]);
        Assert.Contains("troll!*@*", await b.ExpectAsync(" 367 bob #club "));

        // The founder comes back as the room's operator; a guest joining without the key is refused.
        using var f = await again.ConnectAsync();
        Assert.Contains(" 903 ", await SaslPlainAsync(again, f, "founder", "founder", "founders-password"));
        await f.SendAsync("CAP END\r\nJOIN #club clubkey\r\n");
        Assert.Contains("@founder", await f.ExpectAsync(" 353 founder "));
        using var guest = await again.IrcAsync("guest");
        await guest.SendAsync("JOIN #club\r\n");
        await guest.ExpectAsync(" 475 guest #club ");
    }

    [Fact]
    public async Task ARegisteredNickIsTakenBackAfterTheGraceAndGhostWorks()
    {
        using var dir = new TempDir();
        var db = dir.File("chat.db");
        await AddAsync(db, "owner", "owners-password");
        await using var server = await ServeAsync(db, "--nick-grace", "2");
        using var squatter = await server.ConnectAsync();
        await squatter.SendAsync("NICK owner\r\nUSER o 0 * :r\r\n");
        await squatter.ExpectAsync("This nickname is registered. Log in within 2 seconds");
        await squatter.ExpectAsync("You did not log in in time", seconds: 15);
        var renamed = await squatter.ExpectAsync(" NICK ");
        Assert.StartsWith(":owner!", renamed);
        var guestNick = renamed.Split(' ')[^1].TrimStart(':');
        Assert.NotEqual("owner", guestNick);

        // Logging in within the grace keeps the nick.
        using var quick = await server.IrcAsync("owner");
        await quick.SendAsync("PING :sync\r\n");
        await quick.ExpectAsync("PONG");
        Assert.Contains("You're now logged in as owner", await IdentifyAsync(quick, "owner", "owners-password"));
        await quick.ExpectNoneAsync("You did not log in in time", seconds: 3);

        // The owner, logged in under another nick, ghosts the holder of its nick and takes it.
        using var owner = await server.IrcAsync("elsewhere");
        Assert.Contains("logged in as owner", await IdentifyAsync(owner, "owner", "owners-password"));
        await owner.SendAsync("PRIVMSG NickServ :GHOST owner\r\n");
        Assert.Contains("owner has been ghosted", await owner.ExpectAsync(":NickServ!"));
        await quick.WaitClosedAsync();
        await owner.SendAsync("NICK owner\r\n");
        await owner.ExpectAsync(":elsewhere!");
        // Someone not logged in to the account cannot ghost.
        await squatter.SendAsync("PRIVMSG NickServ :GHOST owner\r\n");
        Assert.Contains("You must be logged in to that nick's account", await squatter.ExpectAsync(":NickServ!"));
    }

    [Fact]
    public async Task ADatabaseThatFailsMidRunRefusesAccountChangesAndChatGoesOn()
    {
        var chattr = Peers.Require("chattr", "e2fsprogs");
        using var dir = new TempDir();
        var db = dir.File("chat.db");
        await using var server = await ServeAsync(db);
        using var talker = await server.IrcAsync("talker", "#room");
        using var listener = await server.IrcAsync("listener", "#room");
        // The write-ahead log is where every write goes; immutable, it fails writes even for root.
        var files = new[] { db, db + "-wal" }.Where(File.Exists).ToArray();
        Assert.Contains(db + "-wal", files);
        foreach (var f in files) Assert.Equal(0, (await Run.Async(chattr, "+i", f)).Code);
        try
        {
            using var newcomer = await server.IrcAsync("newcomer");
            await newcomer.SendAsync("PRIVMSG NickServ :REGISTER newcomers-password\r\n");
            Assert.Contains("Accounts are unavailable right now", await newcomer.ExpectAsync(":NickServ!"));
            await server.Process.WaitForStderrAsync("account operation refused", TimeSpan.FromSeconds(10));
            await talker.SendAsync("PRIVMSG #room :still here\r\n");
            await listener.ExpectAsync("PRIVMSG #room :still here");
        }
        finally
        {
            foreach (var f in files) await Run.Async(chattr, "-i", f);
        }
        // Once the file is writable again, registration works without a restart.
        using var later = await server.IrcAsync("later");
        await later.SendAsync("PRIVMSG NickServ :REGISTER laters-password\r\n");
        await later.ExpectAsync("Account created");
    }
}
