using Sock.Interop.Tests.Chat;
using Sock.Interop.Tests.Infrastructure;
using static Sock.Interop.Tests.Accounts.AccountsHarness;

namespace Sock.Interop.Tests.Accounts;

/// <summary>`sock chat accounts` on the file a running server uses: each change applies to the next login.</summary>
public class AccountsCliTests
{
    [Fact]
    public async Task ChangesApplyToARunningServerAtOnce()
    {
        using var dir = new TempDir();
        var db = dir.File("chat.db");
        await using var server = await ServeAsync(db);

        await AddAsync(db, "alice", "first-pass");
        using (var c = await server.IrcAsync("alice"))
            Assert.Contains("You're now logged in as alice", await IdentifyAsync(c, "alice", "first-pass"));

        var passwd = await SockAsync("second-pass\n", "chat", "accounts", "passwd", "alice", "--db", db, "--iterations", Iterations);
        Assert.Equal((0, "account alice: password changed\n", ""), passwd);
        using (var c = await server.IrcAsync("alice2"))
        {
            Assert.Contains("Authentication failed", await IdentifyAsync(c, "alice", "first-pass"));
            Assert.Contains("You're now logged in as alice", await IdentifyAsync(c, "alice", "second-pass"));
        }

        var list = await SockAsync("", "chat", "accounts", "list", "--db", db, "--json");
        Assert.Equal(0, list.Code);
        using (var json = System.Text.Json.JsonDocument.Parse(list.Stdout))
        {
            var only = Assert.Single(json.RootElement.EnumerateArray());
            Assert.Equal("alice", only.GetProperty("name").GetString());
            Assert.True(only.GetProperty("verified").GetBoolean());
            Assert.Equal(4096, only.GetProperty("iterations").GetInt32());
        }

        Assert.Equal((0, "account alice: dropped\n", ""), await SockAsync("", "chat", "accounts", "drop", "alice", "--db", db));
        using (var c = await server.IrcAsync("alice3"))
            Assert.Contains("Authentication failed", await IdentifyAsync(c, "alice", "second-pass"));
        Assert.Equal((1, "", "sock: no account named 'alice'\n"), await SockAsync("", "chat", "accounts", "drop", "alice", "--db", db));
    }

    [Fact]
    public async Task AnAccountRegisteredOnTheServerIsListedAndVerifiable()
    {
        using var dir = new TempDir();
        var db = dir.File("chat.db");
        await using var server = await ServeAsync(db, "--verify-accounts");
        using var c = await server.IrcAsync("bob");
        await c.SendAsync("PRIVMSG NickServ :REGISTER bobs-password\r\n");
        await c.ExpectAsync("Account created");
        await c.ExpectAsync("An operator must verify it before you can log in (sock chat accounts verify)");
        Assert.Contains("This account is not verified yet", await IdentifyAsync(c, "bob", "bobs-password"));
        var list = await SockAsync("", "chat", "accounts", "list", "--db", db);
        Assert.Equal(0, list.Code);
        Assert.Matches(@"^bob\t\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ\tunverified\t0 cert\(s\)\n$", list.Stdout);
        Assert.Equal((0, "account bob: verified\n", ""), await SockAsync("", "chat", "accounts", "verify", "bob", "--db", db));
        Assert.Contains("You're now logged in as bob", await IdentifyAsync(c, "bob", "bobs-password"));
    }

    [Fact]
    public async Task RefusalsAreOneLineWithExitCodes()
    {
        using var dir = new TempDir();
        var db = dir.File("chat.db");
        await AddAsync(db, "carol", "carols-pass");
        Assert.Equal((1, "", "sock: account 'carol' already exists\n"), await SockAsync("x-password\n", "chat", "accounts", "add", "carol", "--db", db, "--iterations", Iterations));
        Assert.Equal((2, "", "sock: 'bad nick!' is not a valid account name (it must be a valid nick)\n"), await SockAsync("x-password\n", "chat", "accounts", "add", "bad nick!", "--db", db, "--iterations", Iterations));
        Assert.Equal((2, "", "sock: password too short or too long (--min-password, at most 1024)\n"), await SockAsync("abc\n", "chat", "accounts", "add", "dave", "--db", db, "--iterations", Iterations));
        Assert.Equal((2, "", "sock: no password on stdin (give it as one line)\n"), await SockAsync("", "chat", "accounts", "add", "dave", "--db", db, "--iterations", Iterations));
        Assert.Equal((2, "", "sock: --iterations: at least 4096 (RFC 7677)\n"), await SockAsync("x-password\n", "chat", "accounts", "add", "dave", "--db", db, "--iterations", "10"));
        var missing = dir.File("typo.db");
        Assert.Equal((1, "", $"sock: account database {missing}: no such file\n"), await SockAsync("", "chat", "accounts", "list", "--db", missing));
        Assert.False(File.Exists(missing));
        var help = await SockAsync("", "chat", "accounts", "add", "--help");
        Assert.Contains("never from the command line", help.Stdout);
    }

    [Fact]
    public async Task ReadOnlyDatabaseIsOneClearLine()
    {
        var chattr = Peers.Require("chattr", "e2fsprogs");
        using var dir = new TempDir();
        var db = dir.File("chat.db");
        await AddAsync(db, "erin", "erins-pass");
        // Tests run as root, which ignores mode bits; the immutable attribute stops even root.
        var set = await Run.Async(chattr, "+i", db);
        Assert.True(set.Code == 0, "chattr +i: " + set.Stderr);
        try
        {
            var add = await SockAsync("x-password\n", "chat", "accounts", "add", "frank", "--db", db, "--iterations", Iterations);
            Assert.Equal((1, ""), (add.Code, add.Stdout));
            Assert.Equal($"sock: account database {db}: database file is read-only (nothing changed)\n", add.Stderr);
            var (code, _, err) = await SockCli.RunAsync("chat", "serve", "--bind", "127.0.0.1", "--port", "0", "--db", db);
            Assert.Equal(1, code);
            Assert.Single(err.Split('\n'), l => l.StartsWith("sock: ", StringComparison.Ordinal));
            Assert.EndsWith($"{db}: database file is read-only\n", err);
        }
        finally
        {
            await Run.Async(chattr, "-i", db);
        }
    }
}
