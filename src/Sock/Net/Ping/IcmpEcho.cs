using System.Buffers.Binary;

namespace Sock.Net.Ping;

/// <summary>ICMP echo packets (RFC 792, RFC 4443) as pure functions over bytes.</summary>
public static class IcmpEcho
{
    public const byte EchoRequestV4 = 8, EchoReplyV4 = 0, EchoRequestV6 = 128, EchoReplyV6 = 129;

    /// <summary>An echo request: type, code 0, checksum (IPv4; the kernel fills it for ICMPv6), id, sequence, payload.</summary>
    public static byte[] Request(bool v6, ushort id, ushort sequence, int payloadSize)
    {
        var packet = new byte[8 + payloadSize];
        packet[0] = v6 ? EchoRequestV6 : EchoRequestV4;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(4), id);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(6), sequence);
        for (var i = 0; i < payloadSize; i++) packet[8 + i] = (byte)(0x10 + i); // iputils' pattern after its timestamp
        if (!v6) BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), Checksum(packet));
        return packet;
    }

    /// <summary>The Internet checksum (RFC 1071).</summary>
    public static ushort Checksum(ReadOnlySpan<byte> data)
    {
        uint sum = 0;
        for (var i = 0; i + 1 < data.Length; i += 2) sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        if ((data.Length & 1) == 1) sum += (uint)(data[^1] << 8);
        while (sum >> 16 != 0) sum = (sum & 0xFFFF) + (sum >> 16);
        return (ushort)~sum;
    }

    /// <summary>
    /// Reads an echo reply from what a socket received: a raw IPv4 socket delivers the IP header first
    /// (its TTL is the reply's), ICMPv6 and datagram ICMP sockets deliver the ICMP message alone.
    /// Null for anything else (our own request looped back, other ICMP traffic).
    /// </summary>
    public static EchoReply? ParseReply(ReadOnlySpan<byte> data, bool v6, bool withIpHeader)
    {
        int? ttl = null;
        if (withIpHeader)
        {
            if (data.Length < 20 || data[0] >> 4 != 4) return null;
            var ihl = (data[0] & 0xF) * 4;
            if (ihl < 20 || data.Length < ihl) return null;
            ttl = data[8];
            data = data[ihl..];
        }
        if (data.Length < 8 || data[0] != (v6 ? EchoReplyV6 : EchoReplyV4) || data[1] != 0) return null;
        return new EchoReply(BinaryPrimitives.ReadUInt16BigEndian(data[4..]), BinaryPrimitives.ReadUInt16BigEndian(data[6..]), data.Length, ttl);
    }
}

/// <summary>An echo reply's identifier, sequence number, ICMP size in bytes, and TTL when the socket showed it.</summary>
public readonly record struct EchoReply(ushort Id, ushort Sequence, int Bytes, int? Ttl);
