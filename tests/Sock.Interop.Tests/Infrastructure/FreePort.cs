using System.Net;
using System.Net.Sockets;

namespace Sock.Interop.Tests.Infrastructure;

/// <summary>Free loopback ports, found by binding port 0 and letting the kernel choose.</summary>
public static class FreePort
{
    public static int Tcp(AddressFamily family = AddressFamily.InterNetwork)
    {
        using var s = new Socket(family, SocketType.Stream, ProtocolType.Tcp);
        s.Bind(new IPEndPoint(family == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Loopback : IPAddress.Loopback, 0));
        return ((IPEndPoint)s.LocalEndPoint!).Port;
    }

    /// <summary>
    /// A loopback TCP port that refuses connections for as long as the returned socket lives: bound,
    /// not listening. A port found free and released can meanwhile be taken by a parallel test, or
    /// even be chosen as a connecting socket's own port, which on loopback connects it to itself.
    /// </summary>
    public static Socket Refusing(out int port)
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        port = ((IPEndPoint)s.LocalEndPoint!).Port;
        return s;
    }

    public static int Udp()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)s.LocalEndPoint!).Port;
    }

    /// <summary>Waits until something accepts TCP connections on 127.0.0.1:<paramref name="port"/>.</summary>
    public static async Task WaitListeningAsync(int port, TimeSpan timeout, string host = "127.0.0.1")
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                using var c = new Socket(SocketType.Stream, ProtocolType.Tcp);
                await c.ConnectAsync(IPAddress.Parse(host), port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(25);
            }
        }
    }

    /// <summary>A fresh temporary directory, removed by the caller's using.</summary>
    public static TempDir TempDir() => new();
}

public sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("sock-test-").FullName;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
