using System.Net.Sockets;
using Sock.Net.Native;

namespace Sock.Net;

/// <summary>
/// SO_REUSEADDR and SO_REUSEPORT set separately, as in C and Python. .NET's
/// <see cref="SocketOptionName.ReuseAddress"/> sets both on Unix, which lets a second process bind
/// the same port — not what SO_REUSEADDR alone means (reuse a port in TIME_WAIT).
/// </summary>
/// <example>
/// <code>
/// listener.SetReuseAddress(true);   // setsockopt(SOL_SOCKET, SO_REUSEADDR, 1) only
/// listener.SetReusePort(false);
/// bool both = listener.GetReuseAddress() &amp;&amp; listener.GetReusePort();
/// </code>
/// </example>
public static class SocketOptionsExtensions
{
    public static void SetReuseAddress(this Socket socket, bool on) => SetInt(socket, LibC.SO_REUSEADDR, on ? 1 : 0);

    public static void SetReusePort(this Socket socket, bool on) => SetInt(socket, LibC.SO_REUSEPORT, on ? 1 : 0);

    public static bool GetReuseAddress(this Socket socket) => GetInt(socket, LibC.SO_REUSEADDR) != 0;

    public static bool GetReusePort(this Socket socket) => GetInt(socket, LibC.SO_REUSEPORT) != 0;

    private static void SetInt(Socket socket, int name, int value)
    {
        ArgumentNullException.ThrowIfNull(socket);
        Span<byte> bytes = stackalloc byte[sizeof(int)];
        BitConverter.TryWriteBytes(bytes, value);
        socket.SetRawSocketOption(LibC.SOL_SOCKET, name, bytes);
    }

    private static int GetInt(Socket socket, int name)
    {
        ArgumentNullException.ThrowIfNull(socket);
        Span<byte> bytes = stackalloc byte[sizeof(int)];
        socket.GetRawSocketOption(LibC.SOL_SOCKET, name, bytes);
        return BitConverter.ToInt32(bytes);
    }
}
