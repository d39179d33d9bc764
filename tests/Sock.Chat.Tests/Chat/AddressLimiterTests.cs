using System.Net;
using Sock.Chat;
using Sock.Chat.Transport;

namespace Sock.Tests.Chat;

/// <summary>The per-address limits with an explicit clock (milliseconds), so nothing depends on timing.</summary>
public class AddressLimiterTests
{
    private static readonly ChatServerOptions Options = new() { ServerName = "t", MaxPerAddress = 2, ConnectsPerMinute = 4 };

    [Fact]
    public void ConcurrentConnectionsPerAddressAreCappedAndFreedOnRelease()
    {
        var l = new AddressLimiter();
        var a = IPAddress.Parse("192.0.2.1");
        Assert.Null(l.TryAdmit(a, Options, 0, out var k1));
        Assert.Null(l.TryAdmit(a, Options, 0, out _));
        var refusal = l.TryAdmit(a, Options, 0, out var none);
        Assert.Equal("too many connections from your address (2)", refusal!.Reason);
        Assert.Null(none);
        Assert.Null(l.TryAdmit(IPAddress.Parse("192.0.2.2"), Options, 0, out _)); // its own count
        l.Release(k1!);
        Assert.Null(l.TryAdmit(a, Options, 0, out _));
    }

    [Fact]
    public void TheRateIsABucketRefilledOverAMinute()
    {
        var l = new AddressLimiter();
        var a = IPAddress.Parse("192.0.2.1");
        for (var i = 0; i < 4; i++)
        {
            Assert.Null(l.TryAdmit(a, Options, 0, out var k));
            l.Release(k!);
        }
        Assert.StartsWith("too many new connections", l.TryAdmit(a, Options, 1000, out _)!.Reason, StringComparison.Ordinal);
        // 4 a minute: one back about every 15 s.
        Assert.Null(l.TryAdmit(a, Options, 15_500, out var again));
        l.Release(again!);
        Assert.NotNull(l.TryAdmit(a, Options, 15_501, out _));
    }

    [Fact]
    public void IPv6CountsPerSlash64AndMappedIPv4AsIPv4()
    {
        var l = new AddressLimiter();
        Assert.Null(l.TryAdmit(IPAddress.Parse("2001:db8:1:2::1"), Options, 0, out var k));
        Assert.Null(l.TryAdmit(IPAddress.Parse("2001:db8:1:2:ffff::9"), Options, 0, out _));
        Assert.NotNull(l.TryAdmit(IPAddress.Parse("2001:db8:1:2:abcd::1"), Options, 0, out _));
        Assert.Null(l.TryAdmit(IPAddress.Parse("2001:db8:1:3::1"), Options, 0, out _));
        Assert.Equal("2001:db8:1:2::/64", AddressLimiter.Describe(k!));
        Assert.Equal(IPAddress.Parse("198.51.100.7"), AddressLimiter.Key(IPAddress.Parse("::ffff:198.51.100.7")));
    }

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("::1", true)]
    [InlineData("::ffff:127.0.0.1", true)]
    [InlineData("127.0.0.2", false)]
    [InlineData("10.1.2.3", false)]
    public void OnlyTheLoopbackHostIsExemptByDefault(string address, bool exempt)
    {
        Assert.Equal(exempt, AddressLimiter.IsExempt(IPAddress.Parse(address), Options));
        var l = new AddressLimiter();
        var admitted = Enumerable.Range(0, 10).Count(i => l.TryAdmit(IPAddress.Parse(address), Options, 0, out _) is null);
        Assert.Equal(exempt ? 10 : Options.MaxPerAddress, admitted);
    }

    [Fact]
    public void RefusalsAreLoggedOncePerTenSecondsWithTheCountBetween()
    {
        var l = new AddressLimiter();
        var a = IPAddress.Parse("192.0.2.1");
        var o = Options with { MaxPerAddress = 1 };
        Assert.Null(l.TryAdmit(a, o, 0, out _));
        Assert.True(l.TryAdmit(a, o, 0, out _)!.Log);
        Assert.False(l.TryAdmit(a, o, 10, out _)!.Log);
        Assert.False(l.TryAdmit(a, o, 20, out _)!.Log);
        var next = l.TryAdmit(a, o, 10_000, out _)!;
        Assert.True(next.Log);
        Assert.Equal(2, next.Unlogged);
    }

    [Fact]
    public void SweepForgetsIdleAddresses()
    {
        var l = new AddressLimiter();
        Assert.Null(l.TryAdmit(IPAddress.Parse("192.0.2.1"), Options, 0, out var k));
        l.Sweep(Options, 60_000);
        Assert.Equal(1, l.Tracked); // still open
        l.Release(k!);
        l.Sweep(Options, 60_000);
        Assert.Equal(0, l.Tracked);
    }
}
