using System.Net.Sockets;

namespace Sock.Net;

/// <summary>One getaddrinfo result, as Python's tuple (family, type, proto, canonname, sockaddr).</summary>
public sealed record AddressInfo(AddressFamily Family, SocketType Type, int Protocol, string CanonName, string Address, int Port);

/// <summary>getaddrinfo's ai_flags (glibc values), the same names as Python's socket.AI_*.</summary>
[Flags]
public enum AddrInfoHints
{
    None = 0,
    Passive = 0x1,
    CanonName = 0x2,
    NumericHost = 0x4,
    V4Mapped = 0x8,
    All = 0x10,
    AddrConfig = 0x20,
    NumericServ = 0x400,
}

/// <summary>getnameinfo's flags (glibc values), the same names as Python's socket.NI_*.</summary>
[Flags]
public enum NameInfoOptions
{
    None = 0,
    NumericHost = 1,
    NumericServ = 2,
    NoFqdn = 4,
    NameRequired = 8,
    Datagram = 16,
}

/// <summary>gethostbyname_ex / gethostbyaddr's triple: (name, aliases, addresses).</summary>
public sealed record HostEntry(string Name, IReadOnlyList<string> Aliases, IReadOnlyList<string> Addresses);

/// <summary>getnameinfo's pair: (host, service).</summary>
public sealed record NameInfo(string Host, string Service);

/// <summary>The C library's names for families and socket types, as Python prints them without "AF_"/"SOCK_".</summary>
public static class SocketNames
{
    public static string Family(AddressFamily family) => family switch
    {
        AddressFamily.InterNetwork => "inet",
        AddressFamily.InterNetworkV6 => "inet6",
        AddressFamily.Unix => "unix",
        AddressFamily.Unspecified => "unspec",
        _ => family.ToString().ToLowerInvariant(),
    };

    public static string Type(SocketType type) => type switch
    {
        SocketType.Stream => "stream",
        SocketType.Dgram => "dgram",
        SocketType.Raw => "raw",
        SocketType.Rdm => "rdm",
        SocketType.Seqpacket => "seqpacket",
        _ => ((int)type).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>Parses "stream"/"dgram"/"raw"/"seqpacket" (also "tcp"/"udp"); null if unknown.</summary>
    public static SocketType? ParseType(string text) => text.ToLowerInvariant() switch
    {
        "stream" or "tcp" => SocketType.Stream,
        "dgram" or "udp" => SocketType.Dgram,
        "raw" => SocketType.Raw,
        "seqpacket" => SocketType.Seqpacket,
        _ => null,
    };

    internal static int ToNative(AddressFamily family) => family switch
    {
        AddressFamily.InterNetwork => Native.LibC.AF_INET,
        AddressFamily.InterNetworkV6 => Native.LibC.AF_INET6,
        AddressFamily.Unix => Native.LibC.AF_UNIX,
        _ => Native.LibC.AF_UNSPEC,
    };

    internal static AddressFamily FromNative(int family) => family switch
    {
        Native.LibC.AF_INET => AddressFamily.InterNetwork,
        Native.LibC.AF_INET6 => AddressFamily.InterNetworkV6,
        Native.LibC.AF_UNIX => AddressFamily.Unix,
        Native.LibC.AF_UNSPEC => AddressFamily.Unspecified,
        _ => (AddressFamily)family,
    };
}
