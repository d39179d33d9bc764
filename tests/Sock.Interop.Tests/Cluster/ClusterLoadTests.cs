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
        var before = 0L;
        // SIGSTOP Redis for 1 s: the first message waits in flight, the rest in node 0's outbox.
        var (alice, bob) = await SayWhilePausedAsync(cluster, "burst", async () =>
        {
            before = await cluster.Redis.CallsAsync("evalsha") + await cluster.Redis.CallsAsync("eval");
            cluster.Redis.Pause();
        }, cluster.Redis.Resume, TimeSpan.FromSeconds(1));
        using (alice)
        using (bob)
        {
            var calls = await cluster.Redis.CallsAsync("evalsha") + await cluster.Redis.CallsAsync("eval") - before;
            // 300 events, at most 64 per call: 5 calls plus the few the node made before the pause was felt.
            Assert.True(calls < 50, $"{calls} room script calls for 300 messages that waited together");
            await alice.ExpectNoneAsync("not delivered", 0.5);
        }
    }

    [Fact]
    public async Task A_node_that_stalls_for_a_while_delivers_everything_in_order_when_it_runs_again()
    {
        await using var cluster = await ClusterNodes.StartAsync(2);
        // SIGSTOP node 1: it runs nothing for 2 s (less than the heartbeat's TTL).
        var (alice, bob) = await SayWhilePausedAsync(cluster, "slow", () => { cluster[1].Process.Signal(19); return Task.CompletedTask; },
            () => cluster[1].Process.Signal(18), TimeSpan.FromSeconds(2));
        using (alice)
        using (bob) await alice.ExpectNoneAsync("QUIT", 0.5);
    }

    /// <summary>
    /// alice on node 0 and bob on node 1 in #ROOM; alice says 300 lines while something is paused for
    /// <paramref name="paused"/>; bob then gets every one, in order. The two clients stay connected for the caller.
    /// </summary>
    private static async Task<(LineClient Alice, LineClient Bob)> SayWhilePausedAsync(ClusterNodes cluster, string room, Func<Task> pause, Action resume, TimeSpan paused)
    {
        var alice = await cluster[0].IrcAsync("alice", "#" + room);
        var bob = await cluster[1].IrcAsync("bob", "#" + room);
        await alice.ExpectAsync($":bob!bob@127.0.0.1 JOIN #{room}");
        await pause();
        try
        {
            for (var i = 0; i < 300; i++) await alice.SendAsync($"PRIVMSG #{room} :{room} {i}\r\n");
            await Task.Delay(paused, TestContext.Current.CancellationToken);
        }
        finally { resume(); }
        await bob.ExpectAsync($"PRIVMSG #{room} :{room} 299", seconds: 20);
        var got = bob.Lines.Where(l => l.Contains($"PRIVMSG #{room} :{room} ")).Select(l => l.Split(" :")[^1]).ToList();
        Assert.Equal([.. Enumerable.Range(0, 300).Select(i => $"{room} {i}")], got);
        return (alice, bob);
    }
}
