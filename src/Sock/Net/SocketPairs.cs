using System.Net.Sockets;
using System.Runtime.InteropServices;
using Sock.Net.Native;

namespace Sock.Net;

/// <summary>
/// Python's <c>socket.socketpair()</c> and <c>socket.fromfd()</c>, which .NET lacks: a connected
/// pair of Unix-domain sockets, and a <see cref="Socket"/> adopted from a file descriptor.
/// </summary>
/// <example>
/// <code>
/// var (a, b) = SocketPairs.Create();
/// a.Send("ping"u8);
/// var n = b.Receive(buffer);
/// using var adopted = SocketPairs.FromFd(3);   // dup(3), like Python's fromfd
/// </code>
/// </example>
public static unsafe class SocketPairs
{
    /// <summary>socketpair(AF_UNIX, type, 0): two connected sockets, each owning its descriptor.</summary>
    public static (Socket First, Socket Second) Create(SocketType type = SocketType.Stream)
    {
        if (type is not (SocketType.Stream or SocketType.Dgram or SocketType.Seqpacket))
            throw new ArgumentException($"socketpair: socket type {type} not supported (stream, dgram or seqpacket)", nameof(type));
        var fds = stackalloc int[2];
        if (LibC.SocketPair(LibC.AF_UNIX, (int)type, 0, fds) != 0)
            throw Error("socketpair");
        return (Adopt(fds[0]), Adopt(fds[1]));
    }

    /// <summary>
    /// fromfd(fd): a socket for an inherited descriptor. Like Python it duplicates the descriptor
    /// first, so disposing the returned socket leaves <paramref name="fd"/> open for its owner.
    /// </summary>
    public static Socket FromFd(int fd, bool duplicate = true)
    {
        var own = duplicate ? LibC.Dup(fd) : fd;
        if (own < 0)
            throw Error($"fromfd {fd}");
        return Adopt(own);
    }

    private static Socket Adopt(int fd) => new(new SafeSocketHandle(fd, ownsHandle: true));

    private static SockException Error(string what)
    {
        var (name, text) = SocketErrors.DescribeErrno(Marshal.GetLastPInvokeError());
        return new SockException($"{what}: {text} ({name})");
    }
}
