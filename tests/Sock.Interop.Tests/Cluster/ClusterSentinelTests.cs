using Sock.Interop.Tests.Infrastructure;

namespace Sock.Interop.Tests.Cluster;

/// <summary>
/// Three nodes on --cluster redis+sentinel://…: a master, two replicas and three Sentinels. A failover
/// (asked for, or the master killed) loses no message a sender saw accepted and duplicates none, and
/// the nodes go on with the new master without a restart.
/// </summary>
[Collection(ClusterHeavy.Name)]
public sealed class ClusterSentinelTests
{
    [Fact]
    public async Task SENTINEL_FAILOVER_during_traffic_loses_no_accepted_message()
    {
        var set = await RedisSentinelSet.StartAsync();
        await using var _ = set;
        await using var cluster = await ClusterNodes.StartAsync(3, set.Servers[0], set.Url);
        await ClusterRedisLossTests.RunAsync(cluster, set.FailoverAsync);
        Assert.NotEqual(set.Servers[0].Port, await set.MasterPortAsync());
    }

    [Fact]
    public async Task Master_killed_during_traffic_loses_no_accepted_message()
    {
        var set = await RedisSentinelSet.StartAsync();
        await using var _ = set;
        await using var cluster = await ClusterNodes.StartAsync(3, set.Servers[0], set.Url);
        await ClusterRedisLossTests.RunAsync(cluster, async () =>
        {
            var old = await set.MasterPortAsync();
            await set.ServerOn(old).KillAsync();
            await set.WaitNewMasterAsync(old);
        });
    }

    [Theory]
    [InlineData("redis+sentinel://127.0.0.1:26379", "names no master")]
    [InlineData("redis+sentinel://127.0.0.1:x/mymaster", "is not a Sentinel address")]
    [InlineData("redis+sentinel://127.0.0.1:1/mymaster", "are the Sentinels running there")]
    public async Task A_bad_or_unreachable_Sentinel_URL_is_one_line_and_exit_1(string url, string error)
    {
        var (code, _, stderr) = await SockCli.RunAsync("chat", "serve", "--bind", "127.0.0.1", "--port", FreePort.Tcp().ToString(), "--cluster", url, "--node-id", "a");
        Assert.Equal(1, code);
        Assert.StartsWith("sock: ", stderr, StringComparison.Ordinal);
        Assert.Contains(error, stderr, StringComparison.Ordinal);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
    }
}
