namespace Sock.Net.Trace;

/// <summary>How a probe travels: ICMP echo (traceroute -I), UDP to high ports (traceroute's default), or TCP SYN to a port (tcptraceroute).</summary>
public enum TraceProtocol { Icmp, Udp, Tcp }

/// <summary>What to send: the protocol, its port, how far, how many probes per hop, how long to wait for each.</summary>
public sealed record TraceOptions
{
    public TraceProtocol Protocol { get; init; } = TraceProtocol.Icmp;
    /// <summary>TCP: the destination port; UDP: the first port (traceroute's 33434), one more per probe.</summary>
    public int Port { get; init; }
    public int MaxHops { get; init; } = 30;
    public int Queries { get; init; } = 3;
    public TimeSpan Wait { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>Between two probes sent, so routers' ICMP rate limits let every answer through.</summary>
    public TimeSpan Gap { get; init; } = TimeSpan.FromMilliseconds(10);
    public bool ResolveNames { get; init; } = true;
    public const int FirstUdpPort = 33434;
}

/// <summary>One probe's answer: who answered (null: nobody, "*"), its name, the round trip, and an annotation (!H, !N, !X…).</summary>
public sealed record TraceProbe(string? Address, string? Name, double? Ms, string? Note);

/// <summary>One hop: its TTL and its probes in the order sent.</summary>
public sealed record TraceHop(int Hop, IReadOnlyList<TraceProbe> Probes);

/// <summary>A whole trace: where to, how, the hops up to the destination (or the maximum), and whether it was reached.</summary>
public sealed record TraceResult(string Host, string Address, string Protocol, int Port, int MaxHops, bool Reached, IReadOnlyList<TraceHop> Hops);

/// <summary>mtr --report's row for a hop: the address that answered most, loss and the round trips over the cycles.</summary>
public sealed record TraceReportHop(int Hop, string? Address, string? Name, double Loss, int Sent, int Received, double Last, double Avg, double Best, double Worst, double StDev);

/// <summary>mtr --report over <see cref="Cycles"/> cycles.</summary>
public sealed record TraceReport(string Host, string Address, string Protocol, int Port, int Cycles, bool Reached, IReadOnlyList<TraceReportHop> Hops);
