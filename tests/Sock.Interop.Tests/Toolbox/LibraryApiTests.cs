using System.Net;
using System.Net.Sockets;
using Sock.Interop.Tests.Infrastructure;
using Sock.Net;

namespace Sock.Interop.Tests.Toolbox;

/// <summary>socketpair, fromfd, SO_REUSEADDR/SO_REUSEPORT and timeout semantics on real sockets.</summary>
public class LibraryApiTests
{
    [Fact]
    public void SocketPairCarriesBytesBothWays()
    {
        var (a, b) = SocketPairs.Create();
        using (a)
        using (b)
        {
            a.Send("ping"u8);
            var buffer = new byte[16];
            Assert.Equal("ping", System.Text.Encoding.ASCII.GetString(buffer, 0, b.Receive(buffer)));
            b.Send("pong"u8);
            Assert.Equal("pong", System.Text.Encoding.ASCII.GetString(buffer, 0, a.Receive(buffer)));
            Assert.Equal(AddressFamily.Unix, a.AddressFamily);
        }
    }

    [Fact]
    public void FromFdDuplicatesSoTheOriginalStaysOpen()
    {
        var (a, b) = SocketPairs.Create();
        using (a)
        using (b)
        {
            using (var adopted = SocketPairs.FromFd((int)a.Handle))
                adopted.Send("via dup"u8);
            // Disposing the adopted socket closed only the duplicate.
            a.Send("!"u8);
            var buffer = new byte[16];
            var n = 0;
            while (n < 8) n += b.Receive(buffer.AsSpan(n));
            Assert.Equal("via dup!", System.Text.Encoding.ASCII.GetString(buffer, 0, n));
        }
    }

    [Fact]
    public void FromFdOnABadDescriptorIsAOneLineError()
    {
        var e = Assert.Throws<Sock.SockException>(() => SocketPairs.FromFd(987654));
        Assert.StartsWith("fromfd 987654: ", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public async Task ReuseAddressAndReusePortAreSeparateAsPythonSees()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        s.SetReuseAddress(true);
        Assert.True(s.GetReuseAddress());
        Assert.False(s.GetReusePort());
        s.SetReusePort(true);
        Assert.True(s.GetReusePort());
        s.SetReuseAddress(false);
        Assert.False(s.GetReuseAddress());
        Assert.True(s.GetReusePort());
        // The option numbers are the ones Python's socket module uses on this machine.
        var python = await PythonSocket.EvalAsync("[socket.SOL_SOCKET, socket.SO_REUSEADDR, socket.SO_REUSEPORT]");
        Assert.Equal([1, 2, 15], python.EnumerateArray().Select(e => e.GetInt32()));
    }

    [Fact]
    public void TimeoutSemanticsFollowPython()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        Assert.Null(s.GetTimeout());
        s.SetTimeout(TimeSpan.FromMilliseconds(100));
        Assert.Equal(TimeSpan.FromMilliseconds(100), s.GetTimeout());
        Assert.True(s.Blocking);
        s.SetBlocking(false);
        Assert.Equal(TimeSpan.Zero, s.GetTimeout());
        Assert.False(s.Blocking);
        s.SetBlocking(true);
        Assert.Null(s.GetTimeout());
        Assert.Throws<ArgumentOutOfRangeException>(() => s.SetTimeout(TimeSpan.FromSeconds(-1)));

        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        s.SetTimeout(TimeSpan.FromMilliseconds(50));
        var e = Assert.Throws<SocketException>(() => s.Receive(new byte[8]));
        Assert.Equal(SocketError.TimedOut, e.SocketErrorCode);
        s.SetBlocking(false);
        e = Assert.Throws<SocketException>(() => s.Receive(new byte[8]));
        Assert.Equal(SocketError.WouldBlock, e.SocketErrorCode);
    }

    [Fact]
    public async Task ConnectWithTimeoutConnectsToAListener()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        using var c = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        c.SetTimeout(TimeSpan.FromSeconds(5));
        await c.ConnectWithTimeoutAsync(listener.LocalEndPoint!, TestContext.Current.CancellationToken);
        Assert.True(c.Connected);
    }
}
