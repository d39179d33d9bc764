using System.Buffers;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Sock.Net.Native;

namespace Sock.Net;

/// <summary>
/// The C library's resolver, called the way Python's <c>socket</c> module calls it, so both give
/// the same answers on the same machine: getaddrinfo (every result, in order, with per-type
/// triples and canonical names), getnameinfo with NI_* flags, gethostbyname_ex and gethostbyaddr
/// with aliases (which <see cref="System.Net.Dns"/> drops on Linux), gethostname and getfqdn.
/// </summary>
/// <example>
/// <code>
/// foreach (var ai in Resolver.GetAddrInfo("localhost", "80", type: SocketType.Stream))
///     Console.WriteLine($"{ai.Address}:{ai.Port}");
/// </code>
/// </example>
public static unsafe class Resolver
{
    private const int MaxBuffer = 1 << 20;

    /// <summary>
    /// getaddrinfo(host, service, family, type, proto, flags): every result in the resolver's order.
    /// A null <paramref name="host"/> is Python's None (with <see cref="AddrInfoHints.Passive"/>, the wildcard address).
    /// </summary>
    /// <exception cref="ResolverException">EAI_* failure, message naming host and service.</exception>
    public static IReadOnlyList<AddressInfo> GetAddrInfo(string? host, string? service,
        AddressFamily family = AddressFamily.Unspecified, SocketType type = SocketType.Unknown,
        int protocol = 0, AddrInfoHints flags = AddrInfoHints.None)
    {
        var hints = new AddrInfo
        {
            Family = SocketNames.ToNative(family),
            SockType = type == SocketType.Unknown ? 0 : (int)type,
            Protocol = protocol,
            Flags = (int)flags,
        };
        var ascii = host is null ? null : HostNames.ToAscii(host, Describe(host, service));
        AddrInfo* result = null;
        var rc = LibC.GetAddrInfo(ascii, service, &hints, &result);
        if (rc != 0)
            throw ResolverCodes.Eai(Describe(host, service), rc);
        try
        {
            var list = new List<AddressInfo>();
            for (var ai = result; ai != null; ai = ai->Next)
            {
                var (address, port) = SockAddr.Read(ai->Addr);
                list.Add(new AddressInfo(SocketNames.FromNative(ai->Family), (SocketType)ai->SockType,
                    ai->Protocol, LibC.Str(ai->CanonName), address, port));
            }
            return list;
        }
        finally
        {
            LibC.FreeAddrInfo(result);
        }
    }

    /// <summary>
    /// getnameinfo((address, port), flags) as Python does it: the address must be numeric
    /// (resolved with AI_NUMERICHOST) and must resolve to exactly one sockaddr. Like Python, the
    /// port is not range-checked here (the C library truncates it); front ends check it.
    /// </summary>
    public static NameInfo GetNameInfo(string address, int port, NameInfoOptions flags = NameInfoOptions.None)
    {
        var portText = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var hints = new AddrInfo { Family = LibC.AF_UNSPEC, SockType = (int)SocketType.Dgram, Flags = (int)AddrInfoHints.NumericHost };
        AddrInfo* result = null;
        var rc = LibC.GetAddrInfo(address, portText, &hints, &result);
        if (rc != 0)
            throw ResolverCodes.Eai($"nameinfo {address} {port}", rc);
        try
        {
            if (result->Next != null)
                throw new SockException($"nameinfo {address} {port}: sockaddr resolved to multiple addresses");
            // Python rebuilds the sockaddr from its (host, port) tuple: flowinfo and scope_id are 0.
            if (SockAddr.Family(result->Addr) == LibC.AF_INET6)
            {
                *(uint*)(result->Addr + 4) = 0;
                *(uint*)(result->Addr + 24) = 0;
            }
            const int MaxHost = 1025, MaxServ = 32;
            var host = stackalloc byte[MaxHost];
            var serv = stackalloc byte[MaxServ];
            rc = LibC.GetNameInfo(result->Addr, result->AddrLen, host, MaxHost, serv, MaxServ, (int)flags);
            if (rc != 0)
                throw ResolverCodes.Eai($"nameinfo {address} {port}", rc);
            return new NameInfo(LibC.Str(host), LibC.Str(serv));
        }
        finally
        {
            LibC.FreeAddrInfo(result);
        }
    }

    /// <summary>gethostbyname_ex(name): the host's official name, aliases and IPv4 addresses.</summary>
    public static HostEntry GetHostByName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var ascii = HostNames.ToAscii(name, $"host {name}");
        // Python first resolves the name for AF_INET (so errors are getaddrinfo's EAI_* codes)…
        ToAddress(ascii, LibC.AF_INET, $"host {name}");
        // …then asks gethostbyname_r for the entry with its aliases.
        return WithHostEnt($"host {name}", (ent, buf, len, res, err) =>
            LibC.GetHostByNameR(ascii, ent, buf, len, res, err));
    }

    /// <summary>gethostbyname(name): the first IPv4 address of <see cref="GetHostByName"/>.</summary>
    public static string GetHostAddress(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var (family, bytes) = ToAddress(HostNames.ToAscii(name, $"host {name}"), LibC.AF_INET, $"host {name}");
        fixed (byte* p = bytes)
            return SockAddr.Ntop(family, p);
    }

    /// <summary>gethostbyaddr(address): the name, aliases and addresses registered for an address (or a name's first address).</summary>
    public static HostEntry GetHostByAddr(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var (family, bytes) = ToAddress(HostNames.ToAscii(address, $"reverse {address}"), LibC.AF_UNSPEC, $"reverse {address}");
        return WithHostEnt($"reverse {address}", (ent, buf, len, res, err) =>
        {
            fixed (byte* p = bytes)
                return LibC.GetHostByAddrR(p, (uint)bytes.Length, family, ent, buf, len, res, err);
        });
    }

    /// <summary>gethostname().</summary>
    public static string GetHostName()
    {
        var buf = stackalloc byte[256];
        if (LibC.GetHostName(buf, 256) != 0)
            throw new SockException($"gethostname: {SocketErrors.DescribeErrno(Marshal.GetLastPInvokeError()).Text}");
        buf[255] = 0;
        return LibC.Str(buf);
    }

    /// <summary>
    /// sethostname(name): changes the machine's host name (needs CAP_SYS_ADMIN). Library only;
    /// the CLI never calls it.
    /// </summary>
    public static void SetHostName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var bytes = System.Text.Encoding.UTF8.GetBytes(name);
        fixed (byte* p = bytes)
        {
            if (LibC.SetHostName(p, (nuint)bytes.Length) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                var (symbol, text) = SocketErrors.DescribeErrno(errno);
                throw new SockException($"sethostname {name}: {text} ({symbol})");
            }
        }
    }

    /// <summary>
    /// getfqdn(name): Python's algorithm — gethostbyaddr(name), then the first of its name and
    /// aliases containing a dot, else its name; the input itself when the lookup fails.
    /// </summary>
    public static string GetFqdn(string? name = null)
    {
        name = (name ?? "").Trim();
        if (name.Length == 0 || name == "0.0.0.0" || name == "::")
            name = GetHostName();
        try
        {
            var entry = GetHostByAddr(name);
            foreach (var candidate in entry.Aliases.Prepend(entry.Name))
                if (candidate.Contains('.', StringComparison.Ordinal))
                    return candidate;
            return entry.Name;
        }
        catch (SockException)
        {
            return name;
        }
    }

    /// <summary>Python's socket.has_ipv6, checked for real: can this machine make an IPv6 socket?</summary>
    /// <remarks>
    /// Straight to libc: a managed <see cref="Socket"/> starts .NET's socket event thread, which was
    /// a tenth of `sock info`'s start-up.
    /// </remarks>
    public static bool HasIPv6()
    {
        var fd = LibC.Socket(LibC.AF_INET6, LibC.SOCK_DGRAM, 0);
        if (fd < 0) return false;
        _ = LibC.Close(fd); // nothing was written through it: a failed close loses nothing
        return true;
    }

    private delegate int HostEntCall(HostEnt* ent, byte* buf, nuint len, HostEnt** result, int* hErrno);

    /// <summary>Runs a *_r host lookup, growing the buffer on ERANGE, and copies out the entry.</summary>
    private static HostEntry WithHostEnt(string what, HostEntCall call)
    {
        for (var size = 4096; size <= MaxBuffer; size *= 2)
        {
            var buffer = ArrayPool<byte>.Shared.Rent(size);
            try
            {
                fixed (byte* buf = buffer)
                {
                    HostEnt ent;
                    HostEnt* result = null;
                    int hErrno = 0;
                    var rc = call(&ent, buf, (nuint)buffer.Length, &result, &hErrno);
                    if (rc == LibC.ERANGE) continue;
                    // Python reports the global h_errno, not the *_r out-parameter; they can differ.
                    if (result == null)
                        throw ResolverCodes.HostError(what, *LibC.HErrnoLocation() is var h and not 0 ? h : hErrno == 0 ? 1 : hErrno);
                    var addresses = new List<string>();
                    for (var a = result->AddrList; a != null && *a != null; a++)
                        addresses.Add(SockAddr.Ntop(result->AddrType, *a));
                    return new HostEntry(LibC.Str(result->Name), LibC.StrArray(result->Aliases), addresses);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
        throw new SockException($"{what}: host entry too large");
    }

    /// <summary>
    /// Python's setipaddr: a numeric IPv4 or IPv6 address directly, otherwise the first
    /// getaddrinfo result for <paramref name="family"/>. Returns (AF_*, address bytes).
    /// </summary>
    private static (int Family, byte[] Bytes) ToAddress(string name, int family, string what)
    {
        // Python answers these without a lookup: "" is the wildcard, "<broadcast>" the broadcast address.
        if (name.Length == 0 && family != LibC.AF_INET6)
            return (LibC.AF_INET, [0, 0, 0, 0]);
        if (name is "<broadcast>" or "255.255.255.255" && family != LibC.AF_INET6)
            return (LibC.AF_INET, [255, 255, 255, 255]);
        var v4 = Inet.TryPton(LibC.AF_INET, name);
        if ((family == LibC.AF_UNSPEC || family == LibC.AF_INET) && v4 is not null)
            return (LibC.AF_INET, v4);
        if ((family == LibC.AF_UNSPEC || family == LibC.AF_INET6) && !name.Contains('%', StringComparison.Ordinal)
            && Inet.TryPton(LibC.AF_INET6, name) is { } v6)
            return (LibC.AF_INET6, v6);
        var hints = new AddrInfo { Family = family };
        AddrInfo* result = null;
        var rc = LibC.GetAddrInfo(name, null, &hints, &result);
        if (rc != 0)
            throw ResolverCodes.Eai(what, rc);
        try
        {
            var sa = result->Addr;
            return SockAddr.Family(sa) switch
            {
                LibC.AF_INET => (LibC.AF_INET, new ReadOnlySpan<byte>(sa + 4, 4).ToArray()),
                LibC.AF_INET6 => (LibC.AF_INET6, new ReadOnlySpan<byte>(sa + 8, 16).ToArray()),
                var f => throw new SockException($"{what}: unsupported address family {f}"),
            };
        }
        finally
        {
            LibC.FreeAddrInfo(result);
        }
    }

    private static string Describe(string? host, string? service) =>
        (host, service) switch
        {
            (null, null) => "resolve",
            (null, _) => $"resolve {service}",
            (_, null) => $"resolve {host}",
            _ => $"resolve {host} {service}",
        };
}
