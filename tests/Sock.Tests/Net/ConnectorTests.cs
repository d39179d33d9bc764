using System.Net;
using System.Net.Sockets;
using Sock.Net;

namespace Sock.Tests.Net;

/// <summary>create_connection with Happy Eyeballs, against real loopback listeners.</summary>
public class ConnectorTests
{
    private static readonly IPAddress V4 = IPAddress.Loopback, V6 = IPAddress.IPv6Loopback;

    [Fact]
    public void InterleaveAlternatesFamiliesStartingWithTheFirst()
    {
        IPAddress a6 = IPAddress.Parse("2001:db8::1"), b6 = IPAddress.Parse("2001:db8::2");
        IPAddress a4 = IPAddress.Parse("192.0.2.1"), b4 = IPAddress.Parse("192.0.2.2"), c4 = IPAddress.Parse("192.0.2.3");
        Assert.Equal([a6, a4, b6, b4, c4], Connector.Interleave([a6, b6, a4, b4, c4]));
        Assert.Equal([a4, a6, b4, b6, c4], Connector.Interleave([a4, b4, c4, a6, b6]));
        Assert.Equal([a4, b4], Connector.Interleave([a4, b4, a4]));
        Assert.Empty(Connector.Interleave([]));
    }

    [Fact]
    public async Task FirstAddressWinsWhenBothFamiliesListen()
    {
        using var v6 = Listen(V6, 0);
        var port = Port(v6);
        using var v4 = Listen(V4, port);
        using var socket = await Connector.ConnectAnyAsync([V6, V4], port, TimeSpan.FromSeconds(10), ct: TestContext.Current.CancellationToken);
        Assert.Equal(V6, ((IPEndPoint)socket.RemoteEndPoint!).Address);
        using var socket4 = await Connector.ConnectAnyAsync([V4, V6], port, TimeSpan.FromSeconds(10), ct: TestContext.Current.CancellationToken);
        Assert.Equal(V4, ((IPEndPoint)socket4.RemoteEndPoint!).Address);
    }

    [Fact]
    public async Task RefusedFirstAddressFallsThroughToTheNext()
    {
        using var v4 = Listen(V4, 0); // nothing on ::1 at this port: the IPv6 attempt is refused
        var port = Port(v4);
        using var socket = await Connector.ConnectAnyAsync([V6, V4], port, TimeSpan.FromSeconds(10), ct: TestContext.Current.CancellationToken);
        Assert.Equal(V4, ((IPEndPoint)socket.RemoteEndPoint!).Address);
        Assert.True(socket.Connected);
    }

    [Fact]
    public async Task UnansweredFirstAddressDoesNotBlockTheNext()
    {
        // ::1 listens but its accept queue is full, so SYNs to it go unanswered and that attempt
        // hangs; Happy Eyeballs starts 127.0.0.1 after the attempt delay and that one wins.
        using var v6 = Listen(V6, 0, backlog: 0);
        var port = Port(v6);
        using var v4 = Listen(V4, port);
        var fillers = new List<Socket>();
        try
        {
            for (var i = 0; i < 8; i++)
            {
                var f = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp) { Blocking = false };
                fillers.Add(f);
                try { f.Connect(V6, port); } catch (SocketException) { }
            }
            // Alone, the ::1 attempt really does hang until the timeout.
            var hung = await Assert.ThrowsAsync<SockException>(() =>
                Connector.ConnectAnyAsync([V6], port, TimeSpan.FromSeconds(0.5), ct: TestContext.Current.CancellationToken));
            Assert.Equal($"connect [::1]:{port}: timed out after 0.5s (ETIMEDOUT)", hung.Message);
            using var socket = await Connector.ConnectAnyAsync([V6, V4], port, TimeSpan.FromSeconds(20), ct: TestContext.Current.CancellationToken);
            Assert.Equal(V4, ((IPEndPoint)socket.RemoteEndPoint!).Address);
        }
        finally
        {
            foreach (var f in fillers) f.Dispose();
        }
    }

    [Fact]
    public async Task AllRefusedReportsTheErrorForTheHost()
    {
        int port;
        using (var probe = Listen(V4, 0)) port = Port(probe);
        var e = await Assert.ThrowsAsync<SockException>(() =>
            Connector.CreateConnectionAsync("127.0.0.1", port, TimeSpan.FromSeconds(10), ct: TestContext.Current.CancellationToken));
        Assert.Equal($"connect 127.0.0.1:{port}: connection refused (ECONNREFUSED)", e.Message);
    }

    [Fact]
    public async Task BracketedLiteralAndLocalhostResolve()
    {
        using var v6 = Listen(V6, 0);
        using var v4 = Listen(V4, Port(v6));
        using var a = await Connector.CreateConnectionAsync("[::1]", Port(v6), ct: TestContext.Current.CancellationToken);
        Assert.Equal(V6, ((IPEndPoint)a.RemoteEndPoint!).Address);
        using var b = await Connector.CreateConnectionAsync("localhost", Port(v6), ct: TestContext.Current.CancellationToken);
        Assert.True(IPAddress.IsLoopback(((IPEndPoint)b.RemoteEndPoint!).Address));
        using var c = await Connector.CreateConnectionAsync("localhost", Port(v6), family: AddressFamily.InterNetwork, ct: TestContext.Current.CancellationToken);
        Assert.Equal(V4, ((IPEndPoint)c.RemoteEndPoint!).Address);
    }

    [Fact]
    public async Task SourceAddressIsBound()
    {
        using var v4 = Listen(V4, 0);
        int sourcePort;
        using (var probe = Listen(V4, 0)) sourcePort = Port(probe);
        using var socket = await Connector.CreateConnectionAsync("localhost", Port(v4), source: new IPEndPoint(V4, sourcePort),
            ct: TestContext.Current.CancellationToken);
        Assert.Equal(new IPEndPoint(V4, sourcePort), socket.LocalEndPoint);
        using var accepted = await v4.AcceptAsync(TestContext.Current.CancellationToken);
        Assert.Equal(new IPEndPoint(V4, sourcePort), accepted.RemoteEndPoint);
    }

    [Fact]
    public async Task UnknownHostIsAOneLineResolveError()
    {
        var e = await Assert.ThrowsAsync<SockException>(() =>
            Connector.CreateConnectionAsync("no-such-host.invalid", 80, ct: TestContext.Current.CancellationToken));
        Assert.StartsWith("resolve no-such-host.invalid: ", e.Message, StringComparison.Ordinal);
    }

    private static Socket Listen(IPAddress address, int port, int backlog = 16)
    {
        var s = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        if (address.AddressFamily == AddressFamily.InterNetworkV6) s.DualMode = false;
        s.Bind(new IPEndPoint(address, port));
        s.Listen(backlog);
        return s;
    }

    private static int Port(Socket s) => ((IPEndPoint)s.LocalEndPoint!).Port;
}
