using System.Globalization;
using System.Runtime.InteropServices;
using Sock.Net.Native;

namespace Sock.Net;

/// <summary>One network interface: if_nameindex's (index, name) plus state, MTU and addresses with prefix lengths.</summary>
public sealed record InterfaceInfo(int Index, string Name, bool Up, int? Mtu, IReadOnlyList<string> Addresses);

/// <summary>
/// Network interfaces as the C library lists them: <c>if_nameindex</c> for (index, name) in index
/// order — Python's <c>socket.if_nameindex()</c> — enriched from <c>getifaddrs</c> (IFF_UP,
/// addresses in the kernel's order) and /sys/class/net (MTU).
/// </summary>
/// <example>
/// <code>
/// foreach (var nic in Interfaces.List())
///     Console.WriteLine($"{nic.Index} {nic.Name} {string.Join(' ', nic.Addresses)}");
/// </code>
/// </example>
public static unsafe class Interfaces
{
    private const uint IFF_UP = 0x1;

    /// <summary>if_nameindex(): (index, name) pairs in index order.</summary>
    public static IReadOnlyList<(int Index, string Name)> NameIndex()
    {
        var list = LibC.IfNameIndex();
        if (list == null)
            throw new SockException($"if_nameindex: {SocketErrors.DescribeErrno(Marshal.GetLastPInvokeError()).Text}");
        try
        {
            var result = new List<(int, string)>();
            for (var e = list; e->Index != 0; e++)
                result.Add(((int)e->Index, LibC.Str(e->Name)));
            return result;
        }
        finally
        {
            LibC.IfFreeNameIndex(list);
        }
    }

    /// <summary>Every interface with its state, MTU and addresses ("127.0.0.1/8", "::1/128").</summary>
    public static IReadOnlyList<InterfaceInfo> List()
    {
        var flags = new Dictionary<string, uint>(StringComparer.Ordinal);
        var addresses = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        IfAddrs* head = null;
        if (LibC.GetIfAddrs(&head) == 0)
        {
            try
            {
                for (var a = head; a != null; a = a->Next)
                {
                    var name = LibC.Str(a->Name);
                    flags[name] = a->Flags;
                    var family = SockAddr.Family(a->Addr);
                    if (family is not (LibC.AF_INET or LibC.AF_INET6)) continue;
                    if (!addresses.TryGetValue(name, out var list))
                        addresses[name] = list = [];
                    var prefix = a->Netmask == null ? (family == LibC.AF_INET ? 32 : 128) : SockAddr.PrefixLength(a->Netmask);
                    list.Add($"{SockAddr.AddressText(a->Addr)}/{prefix}");
                }
            }
            finally
            {
                LibC.FreeIfAddrs(head);
            }
        }

        return NameIndex().Select(n => new InterfaceInfo(
            n.Index, n.Name,
            Up: ((flags.TryGetValue(n.Name, out var f) ? f : SysFlags(n.Name)) & IFF_UP) != 0,
            Mtu: ReadSysInt(n.Name, "mtu"),
            Addresses: addresses.TryGetValue(n.Name, out var list) ? list : [])).ToList();
    }

    private static uint SysFlags(string name)
    {
        var text = ReadSys(name, "flags");
        return text is not null && uint.TryParse(text.Replace("0x", "", StringComparison.Ordinal), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var v) ? v : 0;
    }

    private static int? ReadSysInt(string name, string file) =>
        int.TryParse(ReadSys(name, file), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : null;

    private static string? ReadSys(string name, string file)
    {
        try
        {
            return File.ReadAllText(Path.Combine("/sys/class/net", name, file)).Trim();
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
