namespace Sock.Net;

/// <summary>
/// The most often open ports, in nmap's frequency order (its nmap-services table, embedded so
/// that nmap need not be installed): <c>sock probe --top-ports N</c> probes what
/// <c>nmap --top-ports N</c> probes.
/// </summary>
/// <example>
/// <code>
/// var ports = TopPorts.Get(100, udp: false); // 80, 23, 443, 21, 22, …
/// </code>
/// </example>
public static partial class TopPorts
{
    /// <summary>Ports that nmap's table ranks (a frequency above zero) for TCP, or for UDP (the first 1000).</summary>
    public static int RankedCount(bool udp) => udp ? RankedUdp.Length : RankedTcp.Length;

    /// <summary>
    /// The <paramref name="count"/> most frequent ports, most frequent first. Past the ranked ones
    /// the rest follow in ascending order, so any count up to 65535 is every port.
    /// </summary>
    public static IReadOnlyList<int> Get(int count, bool udp)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, PortRanges.MaxPorts);
        var ranked = udp ? RankedUdp : RankedTcp;
        var ports = new List<int>(count);
        var seen = new bool[PortRanges.MaxPorts + 1];
        for (var i = 0; i < ranked.Length && ports.Count < count; i++)
        {
            ports.Add(ranked[i]);
            seen[ranked[i]] = true;
        }
        for (var p = 1; p <= PortRanges.MaxPorts && ports.Count < count; p++)
            if (!seen[p]) ports.Add(p);
        return ports;
    }
}
