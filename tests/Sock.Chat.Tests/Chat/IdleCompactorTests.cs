using Sock.Chat;

namespace Sock.Tests.Chat;

public class IdleCompactorTests
{
    [Fact]
    public void CollectsOnceABurstIsFollowedByQuietTicks()
    {
        var c = new IdleCompactor(churnThreshold: 100, quietTicks: 3);
        long churn = 0;
        // A burst: the count moves every tick, so nothing runs while connections keep coming.
        for (var i = 0; i < 10; i++) Assert.False(c.Observe(churn += 30));
        Assert.False(c.Observe(churn)); // quiet 1
        Assert.False(c.Observe(churn)); // quiet 2
        Assert.True(c.Observe(churn));  // quiet 3: collect
        // Still quiet, nothing new: no second collection.
        for (var i = 0; i < 10; i++) Assert.False(c.Observe(churn));
        Assert.Equal(1, c.Collections);
    }

    [Fact]
    public void SmallChurnNeverCollectsAndZeroTurnsItOff()
    {
        var c = new IdleCompactor(churnThreshold: 100, quietTicks: 2);
        long churn = 0;
        for (var round = 0; round < 3; round++)
        {
            Assert.False(c.Observe(churn += 30));
            for (var i = 0; i < 5; i++) Assert.False(c.Observe(churn));
        }
        // 90 so far; 20 more make 110 since the start: the next quiet spell collects.
        Assert.False(c.Observe(churn += 20));
        Assert.False(c.Observe(churn));
        Assert.True(c.Observe(churn));

        var off = new IdleCompactor(churnThreshold: 0);
        Assert.False(off.Observe(1_000_000));
        for (var i = 0; i < 10; i++) Assert.False(off.Observe(1_000_000));
    }
}
