using Sock.Interop.Tests.Chat;
using Sock.Interop.Tests.Infrastructure;

namespace Sock.Interop.Tests.Cluster;

/// <summary>
/// Redis crashing (kill -9) and coming back with less than it had: an empty one (no persistence), or
/// an older snapshot (as a replica that had not caught up). Every message its sender saw accepted
/// (echo-message) reaches every member once, in order; every other one was refused with a notice.
/// </summary>
[Collection(ClusterHeavy.Name)]
public sealed class ClusterRedisLossTests
{
    private const string Room = "#loss";

    [Fact]
    public async Task Redis_killed_and_started_empty_during_traffic_loses_no_accepted_message()
    {
        await using var cluster = await ClusterNodes.StartAsync(3);
        await RunAsync(cluster, async () =>
        {
            await cluster.Redis.KillAsync();
            await cluster.Redis.RestartAsync();
        });
    }

    [Fact]
    public async Task Redis_killed_and_started_from_an_older_snapshot_during_traffic_loses_no_accepted_message()
    {
        // The data set goes backwards but is not empty: what a failover to a replica that had not caught up leaves.
        var dir = Directory.CreateTempSubdirectory("sock-redis-snapshot-");
        try
        {
            await using var cluster = await ClusterNodes.StartAsync(3, redisDir: dir.FullName);
            LineClient? late = null;
            try
            {
                var echoed = await RunAsync(cluster, async () =>
                {
                    await cluster.Redis.SaveAsync(); // the snapshot the "replica" has ...
                    late = await cluster[2].IrcAsync("late", Room); // ... and what it misses: a member, and messages
                    await Task.Delay(1500, TestContext.Current.CancellationToken);
                    await cluster.Redis.KillAsync();
                    await cluster.Redis.RestartAsync();
                }, others: () => [late!]);
                // It did come back with less than the nodes had seen (the snapshot was loaded, not an empty data set).
                Assert.Contains(Enumerable.Range(0, 3), n => cluster[n].Process.Stderr.Contains("rooms went backwards", StringComparison.Ordinal));
                // The member Redis forgot is written again by its node, not disconnected, and missed nothing since it joined.
                Assert.False(late!.Closed, "late was disconnected:\n" + late.All);
                var got = Numbers(late);
                Assert.True(got.Count > 0 && echoed.Where(i => i >= got[0]).SequenceEqual(got), $"late got {Ranges(got)}, the sender saw accepted {Ranges(echoed)}");
            }
            finally { late?.Dispose(); }
        }
        finally { dir.Delete(recursive: true); }
    }

    /// <summary>
    /// Three nodes, a sender on node 0 (echo-message) and a reader on each node. The sender sends numbered
    /// messages while <paramref name="crash"/> runs; then every reader must have exactly the messages the
    /// sender saw echoed, in the order sent, and each message is either echoed or refused, never neither.
    /// </summary>
    internal static async Task<List<int>> RunAsync(ClusterNodes cluster, Func<Task> crash, Func<LineClient[]>? others = null)
    {
        var ct = TestContext.Current.CancellationToken;
        using var sender = await cluster[0].ConnectAsync();
        await sender.SendAsync($"CAP REQ :echo-message\r\nNICK sender\r\nUSER sender 0 * :s\r\nCAP END\r\nJOIN {Room}\r\n");
        await sender.ExpectAsync($" 366 sender {Room} ");
        var readers = new List<LineClient>();
        try
        {
            for (var n = 0; n < 3; n++) readers.Add(await cluster[n].IrcAsync("r" + n, Room));
            foreach (var r in readers.Take(2)) await r.ExpectAsync(":r2!", seconds: 15);
            await sender.ExpectAsync(":r2!", seconds: 15);

            using var stop = new CancellationTokenSource();
            var sending = SendNumberedAsync(sender, stop.Token);
            await Task.Delay(1500, ct);
            await crash();
            // Refused while the nodes notice and catch up, then accepted again: keep sending well past that.
            await Task.Delay(6000, ct);
            stop.Cancel();
            var sent = await sending;

            await sender.SendAsync($"PRIVMSG {Room} :after\r\n");
            await sender.ExpectAsync($"PRIVMSG {Room} :after", seconds: 20);
            foreach (var r in readers.Concat(others?.Invoke() ?? [])) await r.ExpectAsync($"PRIVMSG {Room} :after", seconds: 20);

            var echoed = Numbers(sender);
            var refused = sender.Lines.Count(l => l.Contains($" 404 sender {Room} ", StringComparison.Ordinal) || l.Contains($"not delivered to {Room}", StringComparison.Ordinal));
            var report = $"sent 0-{sent - 1}, echoed {echoed.Count} ({Ranges(echoed)}), refused {refused}";
            // Every message had an answer: accepted (its echo) or refused (404 or the notice); none vanished.
            Assert.True(echoed.Count + refused == sent, "a message was neither echoed nor refused: " + report + $"; missing {Ranges([.. Enumerable.Range(0, sent).Except(echoed)])}");
            Assert.Equal(echoed.Distinct().Order().ToList(), echoed); // once each, in the order sent
            Assert.True(echoed.Count > 0 && echoed[^1] > sent / 2, "delivery did not resume after the crash: " + report);
            for (var n = 0; n < 3; n++)
            {
                var got = Numbers(readers[n]);
                Assert.True(echoed.SequenceEqual(got), $"r{n} on node {n} got {Ranges(got)} ({got.Count}), the sender saw accepted {Ranges(echoed)}; {report}");
            }
            TestContext.Current.TestOutputHelper?.WriteLine(report);
            for (var n = 0; n < 3; n++)
                foreach (var line in cluster[n].Process.Stderr.Split('\n').Where(l => l.Contains("cluster:", StringComparison.Ordinal)))
                    TestContext.Current.TestOutputHelper?.WriteLine($"n{n}: {line}");
            return echoed;
        }
        finally
        {
            foreach (var r in readers) r.Dispose();
        }
    }

    internal static List<int> Numbers(LineClient c) =>
        [.. c.Lines.Where(l => l.Contains($" PRIVMSG {Room} :m ", StringComparison.Ordinal)).Select(l => int.Parse(l.Split(" :m ")[^1]))];

    /// <summary>1-3,7,9-12: a list of numbers as ranges, for messages that say what was missing.</summary>
    internal static string Ranges(List<int> numbers)
    {
        var parts = new List<string>();
        for (var i = 0; i < numbers.Count;)
        {
            var j = i;
            while (j + 1 < numbers.Count && numbers[j + 1] == numbers[j] + 1) j++;
            parts.Add(i == j ? $"{numbers[i]}" : $"{numbers[i]}-{numbers[j]}");
            i = j + 1;
        }
        return parts.Count == 0 ? "none" : string.Join(",", parts);
    }

    /// <summary>Sends "m i" (i counting up from 0) every 10 ms until stopped; returns how many were sent.</summary>
    private static async Task<int> SendNumberedAsync(LineClient c, CancellationToken stop)
    {
        var i = 0;
        while (!stop.IsCancellationRequested)
        {
            await c.SendAsync($"PRIVMSG {Room} :m {i++}\r\n");
            try { await Task.Delay(10, stop); } catch (OperationCanceledException) { break; }
        }
        return i;
    }
}
