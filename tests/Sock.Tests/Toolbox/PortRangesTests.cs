using Sock.Net;

namespace Sock.Tests.Toolbox;

public class PortRangesTests
{
    [Fact]
    public void SinglePortsRangesAndListsKeepOrderWithoutDuplicates()
    {
        Assert.Equal([22], PortRanges.Parse(["22"]));
        Assert.Equal([20, 21, 22, 23], PortRanges.Parse(["20-23"]));
        Assert.Equal([443, 22, 80, 81], PortRanges.Parse(["443,22", "80-81", "22"]));
        Assert.Equal([65535], PortRanges.Parse(["65535-65535"]));
        Assert.Equal([1, 2], PortRanges.Parse([" 1 , 2 "]));
        Assert.Equal(65535, PortRanges.Parse(["1-65535"]).Count);
    }

    [Theory]
    [InlineData("0", "port 0 out of range (1-65535)")]
    [InlineData("65536", "port 65536 out of range (1-65535)")]
    [InlineData("80-70", "port range '80-70' is reversed")]
    [InlineData("http", "'http' is not a port or range (PORT or LOW-HIGH)")]
    [InlineData("-5", "'-5' is not a port or range (PORT or LOW-HIGH)")]
    [InlineData("1-2-3", "'1-2-3' is not a port or range (PORT or LOW-HIGH)")]
    [InlineData("22,,23", "empty port in list")]
    [InlineData("0x16", "'0x16' is not a port or range (PORT or LOW-HIGH)")]
    [InlineData("99999999999", "'99999999999' is not a port or range (PORT or LOW-HIGH)")]
    public void MalformedItemsAreNamed(string spec, string message)
    {
        var e = Assert.Throws<FormatException>(() => PortRanges.Parse([spec]));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void NothingIsAnError() => Assert.Throws<FormatException>(() => PortRanges.Parse([]));
}
