namespace Sock.Interop.Tests.Infrastructure;

/// <summary>
/// Tests that keep both cores busy by design (iperf3-rate streams, 64 MiB and 1 GiB WebSocket streams,
/// 65,535-port sweeps): run alone, after the parallel ones, so they neither starve the timing-sensitive
/// tests beside them (floods, browsers) nor get starved themselves (perf's same-run 5 % comparison).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CpuSaturating
{
    public const string Name = "cpu-saturating";
}
