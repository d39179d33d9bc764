using Sock.Interop.Tests.Chat;
using Sock.Interop.Tests.Infrastructure;

namespace Sock.Interop.Tests.Cluster;

/// <summary>Nodes dying, Redis going away and coming back, a node cut off from Redis: nothing accepted is lost.</summary>
[Collection(ClusterHeavy.Name)]
public sealed class ClusterFaultTests
{
    [Fact]
    public async Task A_killed_node_s_users_leave_everywhere_within_10_seconds_and_their_nicks_are_free()
    {
        await using var cluster = await ClusterNodes.StartAsync(3);
        using var alice = await cluster[0].IrcAsync("alice", "#k");
        using var carol = await cluster[2].IrcAsync("carol", "#k");
        using var bob = await cluster[1].IrcAsync("bob", "#k");
        await alice.ExpectAsync(":bob!bob@127.0.0.1 JOIN #k");
        await carol.ExpectAsync(":bob!bob@127.0.0.1 JOIN #k");

        cluster[1].Process.Signal(9);
        var started = DateTime.UtcNow;
        await alice.ExpectAsync(":bob!bob@127.0.0.1 QUIT :node lost", seconds: 12);
        await carol.ExpectAsync(":bob!bob@127.0.0.1 QUIT :node lost", seconds: 12);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(12), "the QUIT came after " + (DateTime.UtcNow - started));

        using var bob2 = await cluster[0].IrcAsync("bob", "#k");
        await carol.ExpectAsync(":bob!bob@127.0.0.1 JOIN #k");
    }

    [Fact]
    public async Task A_node_restarted_under_its_id_cleans_up_after_itself()
    {
        await using var cluster = await ClusterNodes.StartAsync(2);
        using var alice = await cluster[0].IrcAsync("alice", "#r");
        var port = cluster[1].Port;
        using (var bob = await cluster[1].IrcAsync("bob", "#r")) { await alice.ExpectAsync(":bob!bob@127.0.0.1 JOIN #r"); }
        cluster[1].Process.Signal(9);
        await cluster[1].Process.WaitForExitAsync(TimeSpan.FromSeconds(10));
        await cluster.StartNodeAsync("n1", [], port: port);
        await alice.ExpectAsync(":bob!bob@127.0.0.1 QUIT :node restarted", seconds: 10);
        using var bob2 = await cluster[2].IrcAsync("bob", "#r");
        await alice.ExpectAsync(":bob!bob@127.0.0.1 JOIN #r");
    }

    [Fact]
    public async Task Redis_stopped_for_5_seconds_under_load_loses_nothing_accepted_duplicates_nothing_and_keeps_order()
    {
        await using var cluster = await ClusterNodes.StartAsync(3);
        var senders = new List<LineClient>();
        var readers = new List<LineClient>();
        for (var n = 0; n < 3; n++)
        {
            senders.Add(await cluster[n].IrcAsync("s" + n, "#load"));
            readers.Add(await cluster[n].IrcAsync("r" + n, "#load"));
        }
        foreach (var r in readers.Take(2)) await r.ExpectAsync(":r2!");
        try
        {
            using var stop = new CancellationTokenSource();
            var sending = senders.Select((s, n) => SendNumberedAsync(s, "s" + n, stop.Token)).ToList();
            await Task.Delay(1500, TestContext.Current.CancellationToken);
            await cluster.Redis.StopAsync();
            await Task.Delay(5000, TestContext.Current.CancellationToken);
            await cluster.Redis.RestartAsync();
            // Senders see refusals while it is away; then messages are accepted again.
            foreach (var s in senders) await s.ExpectAsync("cluster store", seconds: 15);
            await Task.Delay(6000, TestContext.Current.CancellationToken);
            stop.Cancel();
            var sent = await Task.WhenAll(sending);
            await Task.Delay(2000, TestContext.Current.CancellationToken);

            var received = readers.Select(r => r.Lines.Where(l => l.Contains(" PRIVMSG #load :")).Select(l => l.Split(" :")[^1]).ToList()).ToList();
            // Every reader has the same messages in the same order: per-room order is identical on every node.
            Assert.Equal(received[0], received[1]);
            Assert.Equal(received[0], received[2]);
            Assert.Equal(received[0].Count, received[0].Distinct().Count()); // none twice
            // Each sender's accepted messages keep their order, and messages flowed both before and after the outage.
            for (var n = 0; n < 3; n++)
            {
                var mine = received[0].Where(m => m.StartsWith($"s{n} ", StringComparison.Ordinal)).Select(m => int.Parse(m.Split(' ')[1])).ToList();
                Assert.Equal(mine.Order().ToList(), mine);
                Assert.True(mine.Count > 0 && mine[^1] > sent[n] / 2, $"s{n}: {mine.Count} of {sent[n]} delivered, last {mine.LastOrDefault()}");
                // Nothing a sender had echoed back (accepted) is missing for the readers.
                var echoed = senders[n].Lines.Where(l => l.Contains(" PRIVMSG #load :")).Select(l => l.Split(" :")[^1]).ToList();
                Assert.Empty(echoed.Except(received[0]));
            }
            // Healthy again: a new message reaches everyone.
            await senders[0].SendAsync("PRIVMSG #load :after\r\n");
            foreach (var r in readers) await r.ExpectAsync("PRIVMSG #load :after");
        }
        finally
        {
            foreach (var c in senders.Concat(readers)) c.Dispose();
        }
    }

    [Fact]
    public async Task A_node_cut_off_from_Redis_catches_up_in_order_when_it_is_back()
    {
        // Node 1 reaches Redis through a relay (sock forward) that the test stops and starts: a partition of that node only.
        var relayPort = FreePort.Tcp();
        await using var cluster = await ClusterNodes.StartAsync(1);
        var relay = SockCli.Start("forward", "127.0.0.1", relayPort.ToString(), "127.0.0.1", cluster.Redis.Port.ToString());
        await FreePort.WaitListeningAsync(relayPort, TimeSpan.FromSeconds(10));
        await cluster.StartNodeAsync("cut", [], redisUrl: $"redis://127.0.0.1:{relayPort}");
        using var alice = await cluster[0].IrcAsync("alice", "#p");
        using var bob = await cluster[1].IrcAsync("bob", "#p");
        await alice.ExpectAsync(":bob!bob@127.0.0.1 JOIN #p");

        await relay.DisposeAsync(); // the partition: node "cut" cannot reach Redis, node 0 can
        for (var i = 0; i < 50; i++) await alice.SendAsync($"PRIVMSG #p :during {i}\r\n");
        // Back before the heartbeat runs out (6 s): the node was cut off, not lost.
        await Task.Delay(2000, TestContext.Current.CancellationToken);
        relay = SockCli.Start("forward", "127.0.0.1", relayPort.ToString(), "127.0.0.1", cluster.Redis.Port.ToString());
        try
        {
            await bob.ExpectAsync("PRIVMSG #p :during 49", seconds: 20);
            var got = bob.Lines.Where(l => l.Contains("PRIVMSG #p :during ")).Select(l => l.Split(" :")[^1]).ToList();
            Assert.Equal([.. Enumerable.Range(0, 50).Select(i => $"during {i}")], got);
        }
        finally { await relay.DisposeAsync(); }
    }

    /// <summary>Sends "NAME i" lines (i counting up) until stopped, paced a little; returns how many were sent.</summary>
    private static async Task<int> SendNumberedAsync(LineClient c, string name, CancellationToken stop)
    {
        var i = 0;
        while (!stop.IsCancellationRequested)
        {
            await c.SendAsync($"PRIVMSG #load :{name} {i++}\r\n");
            try { await Task.Delay(10, stop); } catch (OperationCanceledException) { break; }
        }
        return i;
    }
}
