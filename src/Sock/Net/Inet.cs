using System.Net.Sockets;
using Sock.Net.Native;

namespace Sock.Net;

/// <summary>
/// inet_aton / inet_ntoa / inet_pton / inet_ntop from the C library, so every form it accepts
/// (<c>127.1</c>, <c>0x7f.1</c>, <c>0177.0.0.1</c>, <c>2130706433</c>) is accepted and everything
/// it rejects is rejected — .NET's <see cref="System.Net.IPAddress.Parse(string)"/> differs.
/// Messages are Python's.
/// </summary>
/// <example>
/// <code>
/// byte[] packed = Inet.Aton("127.1");          // 7f 00 00 01
/// string text = Inet.Ntop(AddressFamily.InterNetworkV6, Inet.Pton(AddressFamily.InterNetworkV6, "::ffff:1.2.3.4"));
/// </code>
/// </example>
public static unsafe class Inet
{
    /// <summary>inet_aton: a dotted (possibly short, hex or octal) IPv4 string to 4 bytes.</summary>
    public static byte[] Aton(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var result = new byte[4];
        fixed (byte* p = result)
        {
            if (text.Contains('\0', StringComparison.Ordinal) || LibC.InetAton(text, p) == 0)
                throw new SockException($"inet aton {text}: illegal IP address string passed to inet_aton");
        }
        return result;
    }

    /// <summary>inet_ntoa: 4 bytes to dotted-decimal text.</summary>
    public static string Ntoa(ReadOnlySpan<byte> packed)
    {
        if (packed.Length != 4)
            throw new SockException($"inet ntoa {Hex.Format(packed)}: packed IP wrong length for inet_ntoa");
        fixed (byte* p = packed)
            return SockAddr.Ntop(LibC.AF_INET, p);
    }

    /// <summary>inet_pton for AF_INET (strict dotted quad) or AF_INET6.</summary>
    public static byte[] Pton(AddressFamily family, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var af = NativeFamily(family);
        return TryPton(af, text) ?? throw new SockException($"inet pton {SocketNames.Family(family)} {text}: illegal IP address string passed to inet_pton");
    }

    /// <summary>inet_ntop for AF_INET (4 bytes) or AF_INET6 (16 bytes).</summary>
    public static string Ntop(AddressFamily family, ReadOnlySpan<byte> packed)
    {
        var af = NativeFamily(family);
        if (packed.Length != (af == LibC.AF_INET ? 4 : 16))
            throw new SockException($"inet ntop {SocketNames.Family(family)} {Hex.Format(packed)}: invalid length of packed IP address string");
        fixed (byte* p = packed)
            return SockAddr.Ntop(af, p);
    }

    /// <summary>"inet"/"inet6" (also "4"/"6", "AF_INET"/"AF_INET6", "ipv4"/"ipv6"); null if neither.</summary>
    public static AddressFamily? ParseFamily(string text) => text.ToLowerInvariant() switch
    {
        "inet" or "af_inet" or "4" or "ipv4" => AddressFamily.InterNetwork,
        "inet6" or "af_inet6" or "6" or "ipv6" => AddressFamily.InterNetworkV6,
        _ => null,
    };

    internal static byte[]? TryPton(int af, string text)
    {
        if (text.Contains('\0', StringComparison.Ordinal)) return null;
        var result = new byte[af == LibC.AF_INET ? 4 : 16];
        fixed (byte* p = result)
            return LibC.InetPton(af, text, p) == 1 ? result : null;
    }

    private static int NativeFamily(AddressFamily family) => family switch
    {
        AddressFamily.InterNetwork => LibC.AF_INET,
        AddressFamily.InterNetworkV6 => LibC.AF_INET6,
        _ => throw new ArgumentException($"address family {family} not supported (use inet or inet6)", nameof(family)),
    };
}
