namespace Sock.Perf;

/// <summary>A data stream once connected: iperf3's id, the two ends.</summary>
public sealed record PerfStreamInfo(int Id, string LocalAddress, int LocalPort, string RemoteAddress, int RemotePort)
{
    internal static PerfStreamInfo Of(int id, System.Net.EndPoint? local, System.Net.EndPoint? remote)
    {
        static (string, int) Split(System.Net.EndPoint? e) => e is System.Net.IPEndPoint ip
            ? ((ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address).ToString(), ip.Port) : ("?", 0);
        var (la, lp) = Split(local);
        var (ra, rp) = Split(remote);
        return new PerfStreamInfo(id, la, lp, ra, rp);
    }
}

/// <summary>The test both sides agreed on, as it starts.</summary>
public sealed record PerfTestInfo(string Protocol, int Parallel, bool Reverse, bool Sender, double Duration, long Bytes, int Length, long Bandwidth, string Cookie);

/// <summary>
/// One stream's numbers over an interval or a whole test, from one side. Retransmits for a TCP
/// sender; packets for a UDP sender; packets, lost and jitter for a UDP receiver.
/// </summary>
public sealed record PerfSample(int Id, double Start, double End, long Bytes, double BitsPerSecond,
    long? Retransmits = null, long? Packets = null, long? Lost = null, double? LostPercent = null, double? JitterMs = null, long? OutOfOrder = null)
{
    public double Seconds => End - Start;
}

/// <summary>An interval report: each stream, and their sum (Id 0). <see cref="Sender"/> says which side counted.</summary>
public sealed record PerfInterval(bool Sender, IReadOnlyList<PerfSample> Streams, PerfSample Sum);

/// <summary>One stream's totals as the sender counted them and as the receiver did.</summary>
public sealed record PerfStreamTotals(int Id, PerfSample Sent, PerfSample Received);

/// <summary>
/// A finished test: per stream and summed, the sender's and the receiver's own counts (one of
/// them reported by the peer at the end, as iperf3 exchanges them), CPU use on both sides.
/// </summary>
public sealed record PerfResult(string Role, string Protocol, bool Reverse, int Parallel, string Local, string Remote, string Cookie,
    IReadOnlyList<PerfStreamTotals> Streams, PerfSample SumSent, PerfSample SumReceived, IReadOnlyList<PerfInterval> Intervals,
    double LocalCpuPercent, double RemoteCpuPercent);
