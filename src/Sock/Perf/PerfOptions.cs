using System.Net.Sockets;

namespace Sock.Perf;

/// <summary>A test as the client asks for it (iperf3's -u, -P, -R, -t, -n, -l, -b, -i).</summary>
public sealed record PerfOptions
{
    public bool Udp { get; init; }
    public int Parallel { get; init; } = 1;
    public bool Reverse { get; init; }
    /// <summary>Test length; ignored when <see cref="Bytes"/> is set.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>Bytes to transfer in all (0: run for <see cref="Duration"/>).</summary>
    public long Bytes { get; init; }
    /// <summary>Bytes per write (TCP) or per datagram (UDP); 0 picks iperf3's defaults.</summary>
    public int Length { get; init; }
    /// <summary>Bits per second per stream (0: unlimited for TCP, 1 Mbit/s for UDP as iperf3).</summary>
    public long Bandwidth { get; init; }
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(1);
    public AddressFamily Family { get; init; } = AddressFamily.Unspecified;
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>The limits and defaults of the protocol, in one place.</summary>
public static class PerfLimits
{
    public const int DefaultPort = 5201;
    public const int DefaultTcpLength = 128 * 1024;
    public const int DefaultUdpLength = 1460;
    public const long DefaultUdpBandwidth = 1_000_000;
    public const int MaxTcpLength = 1024 * 1024;      // iperf3's MAX_BLOCKSIZE
    public const int MaxUdpLength = 65507;            // the largest IPv4 UDP payload
    public const int MinUdpLength = 16;               // the datagram header with a 64-bit counter
    public const int MaxParallel = 128;               // iperf3's MAX_STREAMS
    public const double MaxSeconds = 86400;           // iperf3's MAX_TIME
    public const int MaxParametersJson = 64 * 1024;   // iperf3's own parameter block is ~200 bytes
    public const int MaxResultsJson = 1024 * 1024;    // ~150 bytes a stream, 128 streams
    public static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);
}

/// <summary>`perf -s`: where to listen, whether to stop after one test.</summary>
public sealed record PerfServerOptions
{
    public string? Bind { get; init; }
    public int Port { get; init; } = PerfLimits.DefaultPort;
    public bool OneOff { get; init; }
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(1);
}

/// <summary>What a running test reports as it goes; each callback may be null.</summary>
public sealed class PerfEvents
{
    public Action<PerfStreamInfo>? Connected { get; init; }
    public Action<PerfTestInfo>? Started { get; init; }
    public Action<PerfInterval>? Interval { get; init; }
    /// <summary>Server only: one test ended (its result) or failed (its error).</summary>
    public Action<PerfResult>? TestDone { get; init; }
    public Action<string>? TestFailed { get; init; }
    /// <summary>Server only: a control connection was accepted or turned away.</summary>
    public Action<string>? Log { get; init; }
}
