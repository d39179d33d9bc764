using Sock.Interop.Tests.Infrastructure;

namespace Sock.Interop.Tests.Chat;

public class ChatHistoryTests
{
    [Fact]
    public async Task SqliteHistorySurvivesRestart()
    {
        using var dir = new TempDir();
        var db = dir.File("chat.db");
        await using (var server = await ChatServerProcess.StartAsync("--db", db))
        {
            var (a, _) = await server.PlainAsync("writer");
            using var _a = a;
            await a.SendAsync("remember me\n/me was here\n");
            await a.SendAsync("/history\n");
            await a.ExpectAsync("* writer was here");
            server.Process.Signal(2);
            Assert.Equal(130, await server.Process.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        }
        var (_, rows, _) = await Run.Async(Peers.Require("sqlite3", "sqlite3"), db, "SELECT nick || ':' || text FROM messages ORDER BY seq");
        Assert.Equal("writer:remember me\nwriter:was here\n", rows);
        await using (var server = await ChatServerProcess.StartAsync("--db", db))
        {
            using var c = await server.ConnectAsync();
            await c.ExpectAsync("] <writer> remember me");
            await c.ExpectAsync("] * writer was here");
        }
    }

    [Fact]
    public async Task LockedMissingOrForeignDatabaseFailsAtStartWithOneLine()
    {
        var sqlite = Peers.Require("sqlite3", "sqlite3");
        using var dir = new TempDir();
        var locked = dir.File("locked.db");
        await using var holder = RunningProcess.Start(sqlite, [locked]);
        await holder.WriteAsync("PRAGMA journal_mode=DELETE;\nCREATE TABLE t(x);\nBEGIN EXCLUSIVE;\nINSERT INTO t VALUES (1);\nSELECT 'held';\n");
        await holder.WaitForStdoutAsync("held", TimeSpan.FromSeconds(10));
        var (code, _, err) = await SockCli.RunAsync("chat", "serve", "--bind", "127.0.0.1", "--port", "0", "--db", locked);
        Assert.Equal(1, code);
        Assert.Equal($"sock: history database {locked}: database is locked by another process\n", err[err.IndexOf("sock: ", StringComparison.Ordinal)..]);

        (code, _, err) = await SockCli.RunAsync("chat", "serve", "--port", "0", "--db", dir.File("no/such/dir/chat.db"));
        Assert.Equal(1, code);
        Assert.Contains("does not exist", err);

        var foreign = dir.File("foreign.db");
        await File.WriteAllTextAsync(foreign, new string('z', 4096), TestContext.Current.CancellationToken);
        (code, _, err) = await SockCli.RunAsync("chat", "serve", "--port", "0", "--db", foreign);
        Assert.Equal(1, code);
        Assert.Contains("file is not a SQLite database", err);
        Assert.DoesNotContain("   at ", err);
    }

    [Fact]
    public async Task UnwritableDatabaseFailsAtStartWithOneLine()
    {
        var sqlite = Peers.Require("sqlite3", "sqlite3");
        var chattr = Peers.Require("chattr", "e2fsprogs");
        using var dir = new TempDir();
        var db = dir.File("readonly.db");
        Assert.Equal(0, (await Run.Async(sqlite, db, "CREATE TABLE t(x);")).Code);
        // Tests run as root, which ignores mode bits; the immutable attribute stops even root.
        var set = await Run.Async(chattr, "+i", db);
        Assert.True(set.Code == 0, "chattr +i: " + set.Stderr);
        try
        {
            var (code, _, err) = await SockCli.RunAsync("chat", "serve", "--bind", "127.0.0.1", "--port", "0", "--db", db);
            Assert.Equal(1, code);
            Assert.Equal($"sock: history database {db}: database file is read-only\n", err[err.IndexOf("sock: ", StringComparison.Ordinal)..]);
        }
        finally
        {
            await Run.Async(chattr, "-i", db);
        }
    }
}
