using System.Net;
using Sock.Chat;

namespace Sock.Tests.Chat;

public class ChatListenAddressTests
{
    [Theory]
    [InlineData("6697", null, 6697, false)]
    [InlineData("6697/tls", null, 6697, true)]
    [InlineData("6697/TLS", null, 6697, true)]
    [InlineData("127.0.0.1:8080", "127.0.0.1", 8080, false)]
    [InlineData("[::1]:6697/tls", "::1", 6697, true)]
    [InlineData("0", null, 0, false)]
    public void Parses(string text, string? address, int port, bool tlsOnly)
    {
        var l = ChatListenAddress.TryParse(text, out var error);
        Assert.NotNull(l);
        Assert.Equal("", error);
        Assert.Equal(address is null ? null : IPAddress.Parse(address), l.Address);
        Assert.Equal(port, l.Port);
        Assert.Equal(tlsOnly, l.TlsOnly);
    }

    [Theory]
    [InlineData("6697/ssl", "the only suffix is /tls")]
    [InlineData("localhost:6697", "'localhost' is not an IP address")]
    [InlineData("70000", "'70000' is not a port")]
    [InlineData("-1", "'-1' is not a port")]
    [InlineData("127.0.0.1:", "'' is not a port")]
    public void RefusesWithAReason(string text, string reason)
    {
        Assert.Null(ChatListenAddress.TryParse(text, out var error));
        Assert.Contains(reason, error);
    }

    [Fact]
    public void PrintsAsGiven()
    {
        Assert.Equal("[::1]:6697/tls", ChatListenAddress.TryParse("[::1]:6697/tls", out _)!.ToString());
        Assert.Equal("8080", ChatListenAddress.TryParse("8080", out _)!.ToString());
    }
}
