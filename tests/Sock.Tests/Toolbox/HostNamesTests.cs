using Sock.Net;

namespace Sock.Tests.Toolbox;

/// <summary>Python's "idna" codec rules for host names (values as `"…".encode("idna")` gives them).</summary>
public class HostNamesTests
{
    [Theory]
    [InlineData("localhost", "localhost")]
    [InlineData("localhost.", "localhost.")]
    [InlineData("b\u00fccher.example", "xn--bcher-kva.example")]
    [InlineData("M\u00fcnchen.de", "xn--mnchen-3ya.de")]
    public void ConvertsLikePython(string host, string expected) => Assert.Equal(expected, HostNames.ToAscii(host, "x"));

    [Theory]
    [InlineData("a..b")]
    [InlineData(".a")]
    public void EmptyLabelsAreRejected(string host)
    {
        var e = Assert.Throws<ArgumentException>(() => HostNames.ToAscii(host, "resolve " + host));
        Assert.Equal($"resolve {host}: label empty or too long", e.Message);
    }

    [Fact]
    public void LongLabelsAreRejected()
    {
        Assert.Throws<ArgumentException>(() => HostNames.ToAscii(new string('x', 64) + ".com", "x"));
        Assert.Throws<ArgumentException>(() => HostNames.ToAscii("a." + new string('x', 64), "x"));
        Assert.Equal(new string('x', 63), HostNames.ToAscii(new string('x', 63), "x"));
    }
}
