using Sock.Interop.Tests.Infrastructure;
using static Sock.Interop.Tests.Accounts.AccountsHarness;

namespace Sock.Interop.Tests.Accounts;

public class AccountsBenchTests
{
    /// <summary>`sock bench chat --login`: the first run registers its clients, the second logs them in with SASL (a failure would end it); nothing lost either time.</summary>
    [Fact]
    public async Task BenchClientsRegisterThenLogInAndLoseNothing()
    {
        using var dir = new TempDir();
        var db = dir.File("chat.db");
        await using var server = await ServeAsync(db);
        for (var run = 0; run < 2; run++)
        {
            var (code, stdout, stderr) = await SockCli.RunAsync("bench", "chat", $"127.0.0.1:{server.Port}", "--irc", "-n", "12", "-m", "3", "-k", "20", "--login", "bench-password", "--json");
            Assert.True(code == 0, stdout + stderr);
            using var json = System.Text.Json.JsonDocument.Parse(stdout);
            Assert.Equal(12, json.RootElement.GetProperty("connected").GetInt32());
            Assert.Equal(0, json.RootElement.GetProperty("lost").GetInt32());
            Assert.True(json.RootElement.GetProperty("expected").GetInt64() > 0);
            Assert.Equal(json.RootElement.GetProperty("expected").GetInt64(), json.RootElement.GetProperty("delivered").GetInt64());
        }
        var list = await SockAsync("", "chat", "accounts", "list", "--db", db);
        Assert.Equal(12, list.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        // A wrong password for existing accounts is an error, not a silent guest run.
        var wrong = await SockCli.RunAsync("bench", "chat", $"127.0.0.1:{server.Port}", "--irc", "-n", "2", "-m", "1", "-k", "1", "--login", "other-password");
        Assert.NotEqual(0, wrong.Code);
        Assert.Contains("could not log in", wrong.Stderr);
    }
}
