using System.Diagnostics;
using System.Net.Sockets;
using Sock.Net.Proxy;

namespace Sock.Net;

/// <summary>Probing through a proxy: the proxy connects, and its reply to CONNECT is the port's state.</summary>
public static partial class PortProbe
{
    private static async Task<IReadOnlyList<ProbeResult>> RunViaProxyAsync(string host, IReadOnlyList<int> ports, ProbeOptions options,
        ProxySettings proxy, CancellationToken ct)
    {
        if (options.Udp) throw new ArgumentException("probe --udp cannot go through a proxy (SOCKS UDP ASSOCIATE is not supported)");
        var results = new ProbeResult[ports.Count];
        using var gate = new SemaphoreSlim(options.Concurrency);
        var tasks = ports.Select(async (port, i) =>
        {
            await gate.WaitAsync(ct);
            try
            {
                results[i] = await ProbeViaProxyAsync(host, port, options.Timeout, proxy, ct);
            }
            finally
            {
                gate.Release();
            }
        }).ToList();
        await Task.WhenAll(tasks);
        return results;
    }

    /// <summary>
    /// One port through the proxy. The address column is the host as given: the proxy resolves it.
    /// A proxy that cannot be used at all (down, wrong password) fails the whole probe with its error.
    /// </summary>
    private static async Task<ProbeResult> ProbeViaProxyAsync(string host, int port, TimeSpan timeout, ProxySettings proxy, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        SocketError? error = null;
        PortState state;
        try
        {
            using var socket = await ProxyConnector.ConnectAsync(proxy, host, port, timeout, null, ct);
            state = PortState.Open;
        }
        catch (ProxyRefusedException e)
        {
            error = e.TargetError;
            state = error == SocketError.ConnectionRefused ? PortState.Closed : error == SocketError.TimedOut ? PortState.Timeout : PortState.Unreachable;
        }
        var ms = Math.Round(clock.Elapsed.TotalMilliseconds, 2);
        var address = host.Trim('[', ']');
        if (error is null) return new ProbeResult(host, address, port, state, 0, null, ms);
        var (errno, name, _) = SocketErrors.Describe(error.Value);
        return new ProbeResult(host, address, port, state, errno, name, ms);
    }
}
