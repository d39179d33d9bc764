using System.Buffers.Binary;
using System.Net;

namespace Sock.Net.Trace;

/// <summary>What an ICMP message received on a raw IPv4 socket says about one of our probes.</summary>
internal readonly record struct TraceAnswer(IPAddress From, TraceProtocol Protocol, int Key, byte Type, byte Code, bool FromDestination);

/// <summary>
/// Reads ICMPv4 answers (RFC 792): an echo reply names its probe by id and sequence; a time-exceeded
/// or unreachable quotes the probe's IP header and first 8 bytes, which name it by ICMP sequence,
/// UDP destination port or TCP source port. Pure functions over bytes.
/// </summary>
internal static class TracePackets
{
    public const byte EchoReply = 0, Unreachable = 3, TimeExceeded = 11;

    public static TraceAnswer? Parse(ReadOnlySpan<byte> packet, IPAddress destination, ushort icmpId, int udpSourcePort)
    {
        if (packet.Length < 20 || packet[0] >> 4 != 4) return null;
        var ihl = (packet[0] & 0xF) * 4;
        if (ihl < 20 || packet.Length < ihl + 8) return null;
        var from = new IPAddress(packet.Slice(12, 4));
        var icmp = packet[ihl..];
        var (type, code) = (icmp[0], icmp[1]);
        if (type == EchoReply)
        {
            if (BinaryPrimitives.ReadUInt16BigEndian(icmp[4..]) != icmpId) return null;
            return new TraceAnswer(from, TraceProtocol.Icmp, BinaryPrimitives.ReadUInt16BigEndian(icmp[6..]), type, code, from.Equals(destination));
        }
        if (type is not (TimeExceeded or Unreachable)) return null;
        var inner = icmp[8..];
        if (inner.Length < 20 || inner[0] >> 4 != 4) return null;
        var innerIhl = (inner[0] & 0xF) * 4;
        if (inner.Length < innerIhl + 8 || !new IPAddress(inner.Slice(16, 4)).Equals(destination)) return null;
        var quoted = inner[innerIhl..];
        var reached = from.Equals(destination);
        switch (inner[9])
        {
            case 1 when BinaryPrimitives.ReadUInt16BigEndian(quoted[4..]) == icmpId:
                return new TraceAnswer(from, TraceProtocol.Icmp, BinaryPrimitives.ReadUInt16BigEndian(quoted[6..]), type, code, reached);
            case 17 when BinaryPrimitives.ReadUInt16BigEndian(quoted) == udpSourcePort:
                return new TraceAnswer(from, TraceProtocol.Udp, BinaryPrimitives.ReadUInt16BigEndian(quoted[2..]), type, code, reached);
            case 6:
                return new TraceAnswer(from, TraceProtocol.Tcp, BinaryPrimitives.ReadUInt16BigEndian(quoted), type, code, reached);
            default:
                return null;
        }
    }

    /// <summary>traceroute's annotation for an unreachable: !N network, !H host, !P protocol, !X administratively prohibited.</summary>
    public static string? Note(byte type, byte code, bool fromDestination) => type != Unreachable ? null : code switch
    {
        0 => "!N",
        1 => "!H",
        2 => "!P",
        3 => fromDestination ? null : "!P", // port unreachable from the destination is how UDP probes arrive
        9 or 10 or 13 => "!X",
        _ => $"!<{code}>",
    };
}
