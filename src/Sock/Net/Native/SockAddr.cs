using System.Buffers.Binary;

namespace Sock.Net.Native;

/// <summary>Reads Linux sockaddr_in / sockaddr_in6 the way Python's makesockaddr does.</summary>
internal static unsafe class SockAddr
{
    public static int Family(byte* sa) => sa == null ? LibC.AF_UNSPEC : *(ushort*)sa;

    /// <summary>Address text (inet_ntop) and port of an AF_INET/AF_INET6 sockaddr; ("", 0) otherwise.</summary>
    public static (string Address, int Port) Read(byte* sa)
    {
        var family = Family(sa);
        var port = BinaryPrimitives.ReverseEndianness(*(ushort*)(sa + 2));
        return family switch
        {
            LibC.AF_INET => (Ntop(LibC.AF_INET, sa + 4), port),
            LibC.AF_INET6 => (Ntop(LibC.AF_INET6, sa + 8), port),
            _ => ("", 0),
        };
    }

    /// <summary>Just the address bytes' text; for netmasks too.</summary>
    public static string AddressText(byte* sa) => Family(sa) switch
    {
        LibC.AF_INET => Ntop(LibC.AF_INET, sa + 4),
        LibC.AF_INET6 => Ntop(LibC.AF_INET6, sa + 8),
        _ => "",
    };

    /// <summary>Number of leading one bits in a netmask sockaddr (the prefix length).</summary>
    public static int PrefixLength(byte* mask)
    {
        var (offset, length) = Family(mask) switch
        {
            LibC.AF_INET => (4, 4),
            LibC.AF_INET6 => (8, 16),
            _ => (0, 0),
        };
        var bits = 0;
        for (var i = 0; i < length; i++)
            bits += System.Numerics.BitOperations.PopCount(mask[offset + i]);
        return bits;
    }

    public static string Ntop(int family, byte* src)
    {
        var buf = stackalloc byte[64];
        return LibC.InetNtop(family, src, buf, 64) == null ? "" : LibC.Str(buf);
    }
}
