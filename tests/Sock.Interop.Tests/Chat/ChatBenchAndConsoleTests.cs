using System.Text.Json;
using Sock.Interop.Tests.Infrastructure;

namespace Sock.Interop.Tests.Chat;

public class ChatBenchAndConsoleTests
{
    [Theory]
    [InlineData("plain")]
    [InlineData("irc")]
    [InlineData("websocket")] // IRC over WebSocket on the same port: the web row of bench/websocket.sh
    public async Task BenchChatCountsEveryDeliveryAgainstSock(string transport)
    {
        await using var server = await ChatServerProcess.StartAsync();
        string[] args = ["bench", "chat", $"127.0.0.1:{server.Port}", "-n", "6", "-m", "3", "-k", "50", "-s", "80", "--json"];
        var (code, stdout, stderr) = await SockCli.RunAsync(transport switch
        {
            "irc" => [.. args, "--irc"],
            "websocket" => [.. args, "--irc", "--websocket"],
            _ => args,
        });
        Assert.True(code == 0, stderr + stdout);
        using var doc = JsonDocument.Parse(stdout);
        var r = doc.RootElement;
        Assert.Equal(6, r.GetProperty("connected").GetInt32());
        Assert.Equal(3 * 50 * 5, r.GetProperty("expected").GetInt64());
        Assert.Equal(3 * 50 * 5, r.GetProperty("delivered").GetInt64());
        Assert.Equal(0, r.GetProperty("lost").GetInt64());
        Assert.Equal(0, r.GetProperty("corrupt").GetInt64());
        Assert.Equal(0, r.GetProperty("outOfOrder").GetInt64());
        Assert.True(r.GetProperty("p99Ms").GetDouble() > 0);
        if (transport == "websocket") await server.Process.WaitForStderrAsync("connected (irc, WebSocket)", TimeSpan.FromSeconds(5));
    }

    /// <summary>
    /// Issue 13: a second run against the same server got the first run's messages as the JOIN's
    /// history replay (20 lines per joiner, 240 with 12 clients) and counted them as corrupt.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ASecondRunAgainstTheSameServerCountsTheReplayedHistoryApartNotAsCorrupt(bool irc)
    {
        await using var server = await ChatServerProcess.StartAsync();
        string[] args = ["bench", "chat", $"127.0.0.1:{server.Port}", "-n", "4", "-m", "4", "-k", "10", "-s", "80", "--json"];
        if (irc) args = [.. args, "--irc"];
        for (var run = 1; run <= 2; run++)
        {
            var (code, stdout, stderr) = await SockCli.RunAsync(args);
            Assert.True(code == 0, $"run {run}: {stderr}{stdout}");
            using var doc = JsonDocument.Parse(stdout);
            var r = doc.RootElement;
            Assert.Equal(4 * 10 * 3, r.GetProperty("delivered").GetInt64());
            Assert.Equal(0, r.GetProperty("corrupt").GetInt64());
            Assert.Equal(0, r.GetProperty("outOfOrder").GetInt64());
            // The server replays the room's last 20 messages to each joiner: none on the first run,
            // the first run's last 20 to each of the 4 joiners on the second.
            Assert.Equal(run == 1 ? 0 : 4 * 20, r.GetProperty("replayed").GetInt64());
        }
    }

    [Fact]
    public async Task BenchChatReportsARefusedServerInOneLine()
    {
        using var refusing = FreePort.Refusing(out var port);
        var (code, stdout, stderr) = await SockCli.RunAsync("bench", "chat", $"127.0.0.1:{port}", "-n", "2", "-m", "0");
        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        Assert.Equal($"sock: bench chat: cannot connect to 127.0.0.1:{port}: connection refused (ECONNREFUSED)\n", stderr);
    }

    [Fact]
    public async Task BenchChatSeesNcatChatMangleOrAtLeastDeliver()
    {
        var ncat = Peers.Ncat;
        var port = FreePort.Tcp();
        await using var peer = RunningProcess.Start(ncat, ["--chat", "-l", "127.0.0.1", port.ToString()]);
        await FreePort.WaitListeningAsync(port, TimeSpan.FromSeconds(10));
        var (_, stdout, stderr) = await SockCli.RunAsync("bench", "chat", $"127.0.0.1:{port}", "-n", "3", "-m", "2", "-k", "20", "-s", "60", "--quiet", "2", "--json");
        using var doc = JsonDocument.Parse(stdout);
        var r = doc.RootElement;
        Assert.Equal(3, r.GetProperty("connected").GetInt32());
        Assert.Equal(2 * 20 * 2, r.GetProperty("expected").GetInt64());
        // ncat attributes per read chunk, so counts may fall short; they can never exceed.
        Assert.InRange(r.GetProperty("delivered").GetInt64(), 1, 80);
        Assert.NotNull(stderr);
    }

    [Fact]
    public async Task OperatorConsoleOnATerminalSeesAndTalksAndKicks()
    {
        var tmux = Peers.Tmux;
        var port = FreePort.Tcp();
        var session = "sockop" + Guid.NewGuid().ToString("N")[..8];
        var (code, _, err) = await Run.Async(tmux, "new", "-d", "-s", session, "-x", "200", "-y", "50",
            $"{SockCli.Path} chat serve --bind 127.0.0.1 --port {port} --name test.local");
        Assert.True(code == 0, err);
        try
        {
            await FreePort.WaitListeningAsync(port, TimeSpan.FromSeconds(20));
            using var c = await LineClient.ConnectAsync(port);
            await c.SendAsync("/nick visitor\nhello operator\n");
            await WaitPaneAsync(tmux, session, "#lobby <visitor> hello operator");
            await Run.Async(tmux, "send-keys", "-t", session, "hello visitor", "Enter");
            await c.ExpectAsync("<operator> hello visitor");
            await Run.Async(tmux, "send-keys", "-t", session, "/who", "Enter");
            await WaitPaneAsync(tmux, session, "visitor (plain, 127.0.0.1)");
            await Run.Async(tmux, "send-keys", "-t", session, "/broadcast maintenance soon", "Enter");
            await c.ExpectAsync("-test.local- maintenance soon");
            await Run.Async(tmux, "send-keys", "-t", session, "/kick visitor be nice", "Enter");
            await c.ExpectAsync("* you were kicked from #lobby by operator (be nice)");
        }
        finally
        {
            await Run.Async(tmux, "kill-session", "-t", session);
        }
    }

    private static async Task WaitPaneAsync(string tmux, string session, string text)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        var pane = "";
        while (DateTime.UtcNow < deadline)
        {
            (_, pane, _) = await Run.Async(tmux, "capture-pane", "-p", "-t", session);
            if (pane.Contains(text, StringComparison.Ordinal)) return;
            await Task.Delay(100);
        }
        throw new TimeoutException($"console never showed '{text}':\n{pane}");
    }
}
