using Sock.Chat.Accounts;

namespace Sock.Tests.Accounts;

public class LoginThrottleTests
{
    /// <summary>A clock the test moves by hand.</summary>
    private sealed class ManualClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public void FreeFailuresThenDoublingWaits()
    {
        var clock = new ManualClock();
        var t = new LoginThrottle(clock);
        for (var i = 0; i < LoginThrottle.FreeFailures; i++)
        {
            Assert.Equal(TimeSpan.Zero, t.Wait("a:x"));
            t.Failed("a:x");
        }
        Assert.Equal(TimeSpan.Zero, t.Wait("a:x"));
        t.Failed("a:x");
        Assert.Equal(TimeSpan.FromSeconds(1), t.Wait("a:x"));
        clock.Now += TimeSpan.FromSeconds(1);
        Assert.Equal(TimeSpan.Zero, t.Wait("a:x"));
        t.Failed("a:x");
        Assert.Equal(TimeSpan.FromSeconds(2), t.Wait("a:x"));
        clock.Now += TimeSpan.FromSeconds(2);
        t.Failed("a:x");
        Assert.Equal(TimeSpan.FromSeconds(4), t.Wait("a:x"));
    }

    [Fact]
    public void WaitIsCappedAtFiveMinutes()
    {
        var clock = new ManualClock();
        var t = new LoginThrottle(clock);
        for (var i = 0; i < 1000; i++) t.Failed("a:x");
        Assert.Equal(TimeSpan.FromMinutes(5), t.Wait("a:x"));
    }

    [Fact]
    public void TheLongestWaitOfTheKeysApplies()
    {
        var clock = new ManualClock();
        var t = new LoginThrottle(clock);
        for (var i = 0; i < 6; i++) t.Failed("h:1.2.3.4");
        Assert.Equal(TimeSpan.FromSeconds(4), t.Wait("a:someone-else", "h:1.2.3.4"));
        Assert.Equal(TimeSpan.Zero, t.Wait("a:someone-else", "h:5.6.7.8"));
    }

    [Fact]
    public void SuccessClearsTheAccountButNotTheAddress()
    {
        var clock = new ManualClock();
        var t = new LoginThrottle(clock);
        for (var i = 0; i < 5; i++) t.Failed("a:x", "h:1");
        t.Succeeded("a:x");
        Assert.Equal(TimeSpan.Zero, t.Wait("a:x"));
        Assert.Equal(TimeSpan.FromSeconds(2), t.Wait("h:1"));
    }

    [Fact]
    public void KeysIgnoreCase()
    {
        var t = new LoginThrottle(new ManualClock());
        for (var i = 0; i < 4; i++) t.Failed("a:Alice");
        Assert.Equal(TimeSpan.FromSeconds(1), t.Wait("a:ALICE"));
    }
}
