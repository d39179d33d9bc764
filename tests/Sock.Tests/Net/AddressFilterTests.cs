using System.Net;
using Sock.Net;

namespace Sock.Tests.Net;

public class AddressFilterTests
{
    [Theory]
    [InlineData("10.0.0.0/8", "10.200.1.1", true)]
    [InlineData("10.0.0.0/8", "11.0.0.1", false)]
    [InlineData("192.168.1.7/24", "192.168.1.200", true)] // host bits cleared, as ncat does
    [InlineData("127.0.0.1", "127.0.0.2", false)]
    [InlineData("0.0.0.0/0", "8.8.8.8", true)]
    [InlineData("2001:db8::/32", "2001:db8:ffff::1", true)]
    [InlineData("[::1]", "::1", true)]
    [InlineData("::1", "127.0.0.1", false)]
    [InlineData("127.0.0.0/8", "::ffff:127.0.0.9", true)] // a dual-mode listener's IPv4 client
    [InlineData("fe80::/10", "fe80::1", true)]
    public void AllowRules(string rule, string address, bool allowed) =>
        Assert.Equal(allowed, AddressFilter.Parse([rule], null).Allows(IPAddress.Parse(address)));

    [Fact]
    public void DenyWinsAndNoRulesAllowsAll()
    {
        var f = AddressFilter.Parse(["127.0.0.0/8"], ["127.0.0.2"]);
        Assert.Null(f.Check(IPAddress.Parse("127.0.0.1")));
        Assert.Equal("matches --deny 127.0.0.2/32", f.Check(IPAddress.Parse("127.0.0.2")));
        Assert.Equal("not in --allow", f.Check(IPAddress.Parse("10.0.0.1")));
        Assert.True(AddressFilter.Parse(null, null).IsEmpty);
        Assert.True(AddressFilter.Parse(null, ["10.0.0.0/8"]).Allows(IPAddress.IPv6Loopback));
    }

    [Fact]
    public void FilesOfRulesWithComments()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "# office\n10.1.0.0/16  # lan\n\n  2001:db8::/48\n");
            var f = AddressFilter.Parse(["@" + path], null);
            Assert.True(f.Allows(IPAddress.Parse("10.1.2.3")));
            Assert.True(f.Allows(IPAddress.Parse("2001:db8:0:1::1")));
            Assert.False(f.Allows(IPAddress.Parse("10.2.0.1")));
            File.WriteAllText(path, "10.0.0.0/8\nnot-a-cidr\n");
            var e = Assert.Throws<ArgumentException>(() => AddressFilter.Parse(null, ["@" + path]));
            Assert.Equal($"--deny {path}:2: 'not-a-cidr' is not an address or CIDR (like 10.0.0.0/8 or 2001:db8::/32)", e.Message);
        }
        finally
        {
            File.Delete(path);
        }
        Assert.StartsWith("--allow @/nonexistent/x:", Assert.Throws<ArgumentException>(() => AddressFilter.Parse(["@/nonexistent/x"], null)).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("10.0.0.0/33")]
    [InlineData("::/129")]
    [InlineData("10.0.0.0/")]
    [InlineData("example.com")]
    [InlineData("10.0.0.0/-1")]
    [InlineData("fe80::1%eth0")]
    public void BadRules(string rule) => Assert.Throws<ArgumentException>(() => AddressFilter.Parse([rule], null));
}
