using Sock.Net;

namespace Sock.Tests.Toolbox;

/// <summary>The pieces of the fast probe that need no network: banner escaping and nmap's port order.</summary>
public class ProbePiecesTests
{
    [Fact]
    public void BannerEscapingKeepsPrintableAsciiAndNamesEverythingElse()
    {
        Assert.Equal(@"SSH-2.0-OpenSSH_9.2\r\n", Banners.Escape("SSH-2.0-OpenSSH_9.2\r\n"u8));
        Assert.Equal(@"a\\b\t\x00\x1b[2J\xff\x7f", Banners.Escape([(byte)'a', (byte)'\\', (byte)'b', 9, 0, 0x1b, (byte)'[', (byte)'2', (byte)'J', 0xff, 0x7f]));
        Assert.Equal("", Banners.Escape([]));
    }

    [Fact]
    public void TopPortsStartWithNmapsMostFrequentAndFillUpToEveryPort()
    {
        Assert.Equal([80, 23, 443, 21, 22], TopPorts.Get(5, udp: false));
        Assert.Equal(631, TopPorts.Get(1, udp: true)[0]);
        var all = TopPorts.Get(PortRanges.MaxPorts, udp: false);
        Assert.Equal(PortRanges.MaxPorts, all.Distinct().Count());
        Assert.Equal(Enumerable.Range(1, PortRanges.MaxPorts), all.Order());
        Assert.Throws<ArgumentOutOfRangeException>(() => TopPorts.Get(0, udp: false));
    }
}
