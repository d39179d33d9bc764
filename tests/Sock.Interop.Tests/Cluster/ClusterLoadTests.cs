using System.Text.Json;
using Sock.Interop.Tests.Chat;
using Sock.Interop.Tests.Infrastructure;

namespace Sock.Interop.Tests.Cluster;

/// <summary>The IRC fan-out spread over three nodes, and a node that falls behind.</summary>
[Collection(ClusterHeavy.Name)]
public sealed class ClusterLoadTests
{
    [Fact]
    public async Task The_100_client_irc_fan_out_over_three_nodes_loses_nothing_and_keeps_order()
    {
        await using var cluster = await ClusterNodes.StartAsync(3);
        var (code, stdout, stderr) = await SockCli.RunAsync("bench", "chat", $"127.0.0.1:{cluster[0].Port}",
            "--also", $"127.0.0.1:{cluster[1].Port}", "--also", $"127.0.0.1:{cluster[2].Port}",
            // A loaded CI machine can pause deliveries for seconds: wait longer than the default before calling them lost.
            "--irc", "-n", "100", "-m", "10", "-k", "200", "--quiet", "30", "--json");
        Assert.True(code == 0, $"exit {code}\nstdout: {stdout}\nstderr: {stderr}");
        using var result = JsonDocument.Parse(stdout);
        var r = result.RootElement;
        Assert.Equal(100, r.GetProperty("connected").GetInt32());
        Assert.Equal(99L * 10 * 200, r.GetProperty("expected").GetInt64());
        Assert.Equal(r.GetProperty("expected").GetInt64(), r.GetProperty("delivered").GetInt64());
        Assert.Equal(0, r.GetProperty("lost").GetInt64());
        Assert.Equal(0, r.GetProperty("outOfOrder").GetInt64());
    }

    [Fact]
    public async Task What_waits_behind_a_slow_redis_goes_in_few_script_calls_and_in_order()
    {
        await using var cluster = await ClusterNodes.StartAsync(2);
        using var alice = await cluster[0].IrcAsync("alice", "#burst");
        using var bob = await cluster[1].IrcAsync("bob", "#burst");
        await alice.ExpectAsync(":bob!bob@127.0.0.1 JOIN #burst");
        var before = await cluster.Redis.CallsAsync("evalsha") + await cluster.Redis.CallsAsync("eval");
        cluster.Redis.Pause(); // SIGSTOP for 1 s: the first message waits in flight, the rest in node 0's outbox
        try
        {
            for (var i = 0; i < 300; i++) await alice.SendAsync($"PRIVMSG #burst :burst {i}\r\n");
            await Task.Delay(1000, TestContext.Current.CancellationToken);
        }
        finally { cluster.Redis.Resume(); }
        await bob.ExpectAsync("PRIVMSG #burst :burst 299", seconds: 20);
        var got = bob.Lines.Where(l => l.Contains("PRIVMSG #burst :burst ")).Select(l => l.Split(" :")[^1]).ToList();
        Assert.Equal([.. Enumerable.Range(0, 300).Select(i => $"burst {i}")], got);
        var calls = await cluster.Redis.CallsAsync("evalsha") + await cluster.Redis.CallsAsync("eval") - before;
        // 300 events, at most 64 per call: 5 calls plus the few the node made before the pause was felt.
        Assert.True(calls < 50, $"{calls} room script calls for 300 messages that waited together");
        await alice.ExpectNoneAsync("not delivered", 0.5);
    }

    [Fact]
    public async Task A_node_that_stalls_for_a_while_delivers_everything_in_order_when_it_runs_again()
    {
        await using var cluster = await ClusterNodes.StartAsync(2);
        using var alice = await cluster[0].IrcAsync("alice", "#slow");
        using var bob = await cluster[1].IrcAsync("bob", "#slow");
        await alice.ExpectAsync(":bob!bob@127.0.0.1 JOIN #slow");
        cluster[1].Process.Signal(19); // SIGSTOP: node 1 runs nothing for 2 s (less than the heartbeat's TTL)
        try
        {
            for (var i = 0; i < 300; i++) await alice.SendAsync($"PRIVMSG #slow :slow {i}\r\n");
            await Task.Delay(2000, TestContext.Current.CancellationToken);
        }
        finally { cluster[1].Process.Signal(18); }
        await bob.ExpectAsync("PRIVMSG #slow :slow 299", seconds: 20);
        var got = bob.Lines.Where(l => l.Contains("PRIVMSG #slow :slow ")).Select(l => l.Split(" :")[^1]).ToList();
        Assert.Equal([.. Enumerable.Range(0, 300).Select(i => $"slow {i}")], got);
        await alice.ExpectNoneAsync("QUIT", 0.5);
    }
}
