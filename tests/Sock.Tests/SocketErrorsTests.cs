using System.Net.Sockets;
using Sock.Net;

namespace Sock.Tests;

public class SocketErrorsTests
{
    [Theory]
    [InlineData(SocketError.ConnectionRefused, 111, "ECONNREFUSED")]
    [InlineData(SocketError.TimedOut, 110, "ETIMEDOUT")]
    [InlineData(SocketError.HostNotFound, -2, "EAI_NONAME")]
    [InlineData(SocketError.AddressAlreadyInUse, 98, "EADDRINUSE")]
    public void MapsToLinuxErrno(SocketError error, int errno, string name)
    {
        var d = SocketErrors.Describe(error);
        Assert.Equal(errno, d.Errno);
        Assert.Equal(name, d.Name);
    }

    [Fact]
    public void FormatsTextThenSymbol() =>
        Assert.Equal("connection refused (ECONNREFUSED)", SocketErrors.Format(SocketError.ConnectionRefused));
}
