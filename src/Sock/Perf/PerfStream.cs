using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Sock.Perf;

/// <summary>
/// One data stream's counters. Exactly one loop writes them (its send or receive loop, or the
/// server's UDP dispatcher); the interval ticker only reads, so plain Volatile reads suffice.
/// </summary>
internal sealed class PerfStream(int id, Socket? socket, EndPoint? peer)
{
    public int Id { get; } = id;
    /// <summary>The stream's own socket: TCP, or the client's connected UDP socket.</summary>
    public Socket? Socket { get; } = socket;
    /// <summary>The client's address, for a server-side UDP stream that shares the listening socket.</summary>
    public EndPoint? Peer { get; } = peer;

    public long Bytes;
    /// <summary>Sender pacing: bytes of rate the stream was allowed to fall behind and not make up.</summary>
    public double Forgiven;
    /// <summary>UDP: datagrams sent, or the highest sequence number received (iperf3's packet_count).</summary>
    public long Packets;
    /// <summary>UDP receiver: datagrams missing from the sequence (iperf3's cnt_error).</summary>
    public long Lost;
    public long OutOfOrder;
    /// <summary>UDP receiver: RFC 1889 inter-arrival jitter, in seconds.</summary>
    public double Jitter;
    private double _previousTransit;

    /// <summary>Counts one received datagram the way iperf_udp_recv does: sequence gaps are losses, a late one repays one.</summary>
    public void CountDatagram(ReadOnlySpan<byte> datagram, bool counters64, double arrivalUnixSeconds)
    {
        if (datagram.Length < (counters64 ? 16 : 12)) return; // not an iperf3 datagram
        var sec = BinaryPrimitives.ReadUInt32BigEndian(datagram);
        var usec = BinaryPrimitives.ReadUInt32BigEndian(datagram[4..]);
        var sequence = counters64 ? (long)Math.Min(BinaryPrimitives.ReadUInt64BigEndian(datagram[8..]), long.MaxValue)
            : BinaryPrimitives.ReadUInt32BigEndian(datagram[8..]);
        var first = Bytes == 0;
        Volatile.Write(ref Bytes, Bytes + datagram.Length);
        if (sequence >= Packets + 1)
        {
            if (sequence > Packets + 1) Volatile.Write(ref Lost, Lost + (sequence - 1 - Packets));
            Volatile.Write(ref Packets, sequence);
        }
        else
        {
            OutOfOrder++;
            if (Lost > 0) Volatile.Write(ref Lost, Lost - 1);
        }
        var transit = arrivalUnixSeconds - (sec + usec / 1e6);
        if (first) _previousTransit = transit;
        var d = Math.Abs(transit - _previousTransit);
        _previousTransit = transit;
        Volatile.Write(ref Jitter, Jitter + (d - Jitter) / 16.0);
    }

    /// <summary>Writes the 12- or 16-byte header iperf_udp_send puts in front of each datagram.</summary>
    public static void WriteDatagramHeader(Span<byte> datagram, long sequence, bool counters64)
    {
        var micros = (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) / 10;
        BinaryPrimitives.WriteUInt32BigEndian(datagram, (uint)(micros / 1_000_000));
        BinaryPrimitives.WriteUInt32BigEndian(datagram[4..], (uint)(micros % 1_000_000));
        if (counters64) BinaryPrimitives.WriteUInt64BigEndian(datagram[8..], (ulong)sequence);
        else BinaryPrimitives.WriteUInt32BigEndian(datagram[8..], (uint)sequence);
    }

    /// <summary>Linux TCP_INFO's tcpi_total_retrans (offset 100 of struct tcp_info), or null where unavailable.</summary>
    public long? TotalRetransmits()
    {
        if (Socket is not { ProtocolType: ProtocolType.Tcp } tcp || !OperatingSystem.IsLinux()) return null;
        Span<byte> info = stackalloc byte[232];
        try
        {
            var n = tcp.GetRawSocketOption(6 /* IPPROTO_TCP */, 11 /* TCP_INFO */, info);
            return n >= 104 ? System.Runtime.InteropServices.MemoryMarshal.Read<uint>(info[100..]) : null;
        }
        catch (SocketException)
        {
            return null;
        }
        catch (ObjectDisposedException)
        {
            return null;
        }
    }

    public static double UnixNow() => (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) / 1e7;
}
