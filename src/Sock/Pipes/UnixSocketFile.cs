using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Sock.Pipes;

/// <summary>
/// Removing a stale Unix socket file safely: only when the path is a socket (never a regular
/// file someone mistyped) and nothing accepts connections on it any more.
/// </summary>
internal static partial class UnixSocketFile
{
    /// <summary>Removes <paramref name="path"/> if it is a dead socket; throws if it is alive or not a socket.</summary>
    public static void RemoveIfStale(string path)
    {
        if (!File.Exists(path) && !Directory.Exists(path)) return;
        if (!IsSocket(path))
            throw new SockException($"listen {path}: file exists and is not a socket (EEXIST)");
        // Listening sockets are listed in /proc/net/unix with their path: this check does not
        // connect, so it cannot steal the only accept of a one-shot listener (`sock listen -U`, `nc -lU`).
        if (ListedAsListening(path))
            throw new SockException($"listen {path}: {Sock.Net.SocketErrors.Format(SocketError.AddressAlreadyInUse)}");
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(path));
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            File.Delete(path); // nobody listens: a leftover from a process that died
            return;
        }
        throw new SockException($"listen {path}: {Sock.Net.SocketErrors.Format(SocketError.AddressAlreadyInUse)}");
    }

    private static bool ListedAsListening(string path)
    {
        const string Table = "/proc/net/unix";
        if (!File.Exists(Table)) return false;
        var full = Path.GetFullPath(path);
        try
        {
            // Columns: Num RefCount Protocol Flags Type St Inode Path; Flags 00010000 is __SO_ACCEPTCON (listening).
            return File.ReadLines(Table).Skip(1).Select(l => l.Split(' ', 8, StringSplitOptions.RemoveEmptyEntries))
                .Any(c => c.Length == 8 && c[3] == "00010000" && (c[7] == path || c[7] == full));
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>File type from statx(2), whose layout is the same on every Linux architecture.</summary>
    public static bool IsSocket(string path)
    {
        if (!OperatingSystem.IsLinux()) return true; // other systems: the connect probe still guards live sockets
        Span<byte> buffer = stackalloc byte[256];
        const int AtFdCwd = -100, AtSymlinkNoFollow = 0x100, StatxType = 0x1;
        if (Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxType, ref MemoryMarshal.GetReference(buffer)) != 0) return false;
        var mode = BitConverter.ToUInt16(buffer[0x1C..]);
        return (mode & 0xF000) == 0xC000; // S_IFMT == S_IFSOCK
    }

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Statx(int dirfd, string path, int flags, uint mask, ref byte statxBuffer);
}
