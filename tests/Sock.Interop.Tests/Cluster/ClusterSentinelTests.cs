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
}
