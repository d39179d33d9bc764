using System.Buffers;
using System.Buffers.Binary;
using Sock.Net.Native;

namespace Sock.Net;

/// <summary>One services-database entry: Python's getservbyname/getservbyport plus the aliases and protocol.</summary>
public sealed record ServiceEntry(string Name, int Port, string Proto, IReadOnlyList<string> Aliases);

/// <summary>
/// The C library's services database (getservbyname_r / getservbyport_r / getservent_r, i.e.
/// whatever nsswitch.conf's "services:" line says — usually /etc/services). .NET has no API for it.
/// </summary>
/// <example>
/// <code>
/// var ssh = ServicesDatabase.GetByName("ssh", "tcp");   // ssh 22/tcp
/// var web = ServicesDatabase.GetByPort(80);             // http 80/tcp
/// </code>
/// </example>
public static unsafe class ServicesDatabase
{
    private static readonly Lock EnumerationLock = new();

    /// <summary>getservbyname(name, proto); proto null matches any protocol (the database's first entry).</summary>
    /// <exception cref="SockException">"service NAME/PROTO: service/proto not found".</exception>
    public static ServiceEntry GetByName(string name, string? proto = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        return TryGetByName(name, proto) ?? throw NotFound(name, proto);
    }

    public static ServiceEntry? TryGetByName(string name, string? proto = null) =>
        Lookup((ent, buf, len, res) => LibC.GetServByNameR(name, proto, ent, buf, len, res));

    /// <summary>getservbyport(port, proto); port must be 0..65535 as in Python.</summary>
    public static ServiceEntry GetByPort(int port, string? proto = null)
    {
        if (port is < 0 or > 65535)
            throw new ArgumentOutOfRangeException(nameof(port), port, $"port {port} out of range (0-65535)");
        return TryGetByPort(port, proto) ?? throw NotFound(port.ToString(System.Globalization.CultureInfo.InvariantCulture), proto);
    }

    public static ServiceEntry? TryGetByPort(int port, string? proto = null) =>
        Lookup((ent, buf, len, res) => LibC.GetServByPortR(BinaryPrimitives.ReverseEndianness((ushort)port), proto, ent, buf, len, res));

    /// <summary>Every entry of the database in its order (setservent/getservent_r/endservent), optionally one protocol's.</summary>
    public static IReadOnlyList<ServiceEntry> All(string? proto = null)
    {
        var list = new List<ServiceEntry>();
        // getservent_r walks a process-wide cursor, so one enumeration at a time.
        lock (EnumerationLock)
        {
            LibC.SetServEnt(0);
            try
            {
                while (Lookup((ent, buf, len, res) => LibC.GetServEntR(ent, buf, len, res)) is { } entry)
                    if (proto is null || entry.Proto == proto)
                        list.Add(entry);
            }
            finally
            {
                LibC.EndServEnt();
            }
        }
        return list;
    }

    private static SockException NotFound(string what, string? proto) =>
        new($"service {what}{(proto is null ? "" : "/" + proto)}: service/proto not found");

    private delegate int ServEntCall(ServEnt* ent, byte* buf, nuint len, ServEnt** result);

    private static ServiceEntry? Lookup(ServEntCall call)
    {
        for (var size = 1024; size <= 1 << 20; size *= 2)
        {
            var buffer = ArrayPool<byte>.Shared.Rent(size);
            try
            {
                fixed (byte* buf = buffer)
                {
                    ServEnt ent;
                    ServEnt* result = null;
                    var rc = call(&ent, buf, (nuint)buffer.Length, &result);
                    if (rc == LibC.ERANGE) continue;
                    if (result == null) return null;
                    return new ServiceEntry(LibC.Str(result->Name),
                        BinaryPrimitives.ReverseEndianness((ushort)result->Port),
                        LibC.Str(result->Proto), LibC.StrArray(result->Aliases));
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
        return null;
    }
}
