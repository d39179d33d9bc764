using System.Runtime.InteropServices;

namespace Sock.Net.Native;

// The C library's resolver, services database and interface calls: the same functions Python's
// socket module calls, so results agree with it exactly. Pointers are kept raw (blittable
// structs) so the marshalling is AOT-safe and nothing is copied that we do not read.

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct AddrInfo
{
    public int Flags;
    public int Family;
    public int SockType;
    public int Protocol;
    public uint AddrLen;
    public byte* Addr;
    public byte* CanonName;
    public AddrInfo* Next;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct HostEnt
{
    public byte* Name;
    public byte** Aliases;
    public int AddrType;
    public int Length;
    public byte** AddrList;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct ServEnt
{
    public byte* Name;
    public byte** Aliases;
    public int Port;
    public byte* Proto;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct IfAddrs
{
    public IfAddrs* Next;
    public byte* Name;
    public uint Flags;
    public byte* Addr;
    public byte* Netmask;
    public byte* BroadAddr;
    public void* Data;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct IfNameIndexEntry
{
    public uint Index;
    public byte* Name;
}

internal static unsafe partial class LibC
{
    private const string Lib = "libc";

    public const int AF_UNSPEC = 0, AF_UNIX = 1, AF_INET = 2, AF_INET6 = 10, AF_PACKET = 17;
    public const int ERANGE = 34;
    public const int SOL_SOCKET = 1, SO_REUSEADDR = 2, SO_REUSEPORT = 15, SOCK_STREAM = 1, SOCK_DGRAM = 2;

    [LibraryImport(Lib, EntryPoint = "getaddrinfo", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int GetAddrInfo(string? node, string? service, AddrInfo* hints, AddrInfo** result);

    [LibraryImport(Lib, EntryPoint = "freeaddrinfo")]
    public static partial void FreeAddrInfo(AddrInfo* info);

    [LibraryImport(Lib, EntryPoint = "gai_strerror")]
    public static partial byte* GaiStrError(int code);

    [LibraryImport(Lib, EntryPoint = "getnameinfo")]
    public static partial int GetNameInfo(byte* addr, uint addrLen, byte* host, uint hostLen, byte* serv, uint servLen, int flags);

    [LibraryImport(Lib, EntryPoint = "gethostbyname_r", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int GetHostByNameR(string name, HostEnt* ret, byte* buf, nuint bufLen, HostEnt** result, int* hErrno);

    [LibraryImport(Lib, EntryPoint = "gethostbyaddr_r")]
    public static partial int GetHostByAddrR(byte* addr, uint len, int type, HostEnt* ret, byte* buf, nuint bufLen, HostEnt** result, int* hErrno);

    [LibraryImport(Lib, EntryPoint = "getservbyname_r", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int GetServByNameR(string name, string? proto, ServEnt* ret, byte* buf, nuint bufLen, ServEnt** result);

    [LibraryImport(Lib, EntryPoint = "getservbyport_r", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int GetServByPortR(int port, string? proto, ServEnt* ret, byte* buf, nuint bufLen, ServEnt** result);

    [LibraryImport(Lib, EntryPoint = "setservent")]
    public static partial void SetServEnt(int stayOpen);

    [LibraryImport(Lib, EntryPoint = "getservent_r")]
    public static partial int GetServEntR(ServEnt* ret, byte* buf, nuint bufLen, ServEnt** result);

    [LibraryImport(Lib, EntryPoint = "endservent")]
    public static partial void EndServEnt();

    [LibraryImport(Lib, EntryPoint = "socket")]
    public static partial int Socket(int domain, int type, int protocol);

    [LibraryImport(Lib, EntryPoint = "close")]
    public static partial int Close(int fd);

    [LibraryImport(Lib, EntryPoint = "if_nameindex")]
    public static partial IfNameIndexEntry* IfNameIndex();

    [LibraryImport(Lib, EntryPoint = "if_freenameindex")]
    public static partial void IfFreeNameIndex(IfNameIndexEntry* list);

    [LibraryImport(Lib, EntryPoint = "getifaddrs", SetLastError = true)]
    public static partial int GetIfAddrs(IfAddrs** list);

    [LibraryImport(Lib, EntryPoint = "freeifaddrs")]
    public static partial void FreeIfAddrs(IfAddrs* list);

    [LibraryImport(Lib, EntryPoint = "inet_aton", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int InetAton(string cp, byte* inp);

    [LibraryImport(Lib, EntryPoint = "inet_pton", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int InetPton(int af, string src, byte* dst);

    [LibraryImport(Lib, EntryPoint = "inet_ntop")]
    public static partial byte* InetNtop(int af, byte* src, byte* dst, uint size);

    [LibraryImport(Lib, EntryPoint = "gethostname", SetLastError = true)]
    public static partial int GetHostName(byte* name, nuint len);

    [LibraryImport(Lib, EntryPoint = "sethostname", SetLastError = true)]
    public static partial int SetHostName(byte* name, nuint len);

    [LibraryImport(Lib, EntryPoint = "socketpair", SetLastError = true)]
    public static partial int SocketPair(int domain, int type, int protocol, int* fds);

    [LibraryImport(Lib, EntryPoint = "__h_errno_location")]
    public static partial int* HErrnoLocation();

    [LibraryImport(Lib, EntryPoint = "dup", SetLastError = true)]
    public static partial int Dup(int fd);

    /// <summary>A NUL-terminated C string as UTF-8 text ("" for NULL).</summary>
    public static string Str(byte* p) => p == null ? "" : Marshal.PtrToStringUTF8((nint)p) ?? "";

    /// <summary>A NULL-terminated array of C strings (h_aliases, s_aliases).</summary>
    public static List<string> StrArray(byte** p)
    {
        var list = new List<string>();
        if (p == null) return list;
        for (; *p != null; p++) list.Add(Str(*p));
        return list;
    }
}
