using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Sock.Net;

/// <summary>What a probe saw on one port.</summary>
public enum PortState { Open, Closed, Timeout, Unreachable }

/// <summary>
/// One probed port: Python's connect_ex result (0 or errno) with its name, and how long it took;
/// with <see cref="ProbeOptions.Banner"/>, what an open port said first (escaped; "" if nothing).
/// </summary>
public sealed record ProbeResult(string Host, string Address, int Port, PortState State, int Errno, string? Error, double Ms, string? Banner = null);

/// <summary>Limits for <see cref="PortProbe"/>; defaults in one place.</summary>
public sealed record ProbeOptions
{
    public bool Udp { get; init; }
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(2);
    public int Concurrency { get; init; } = DefaultConcurrency();
    public AddressFamily Family { get; init; } = AddressFamily.Unspecified;

    /// <summary>Probe through this proxy: its CONNECT reply tells open from closed, and it resolves the name.</summary>
    public Proxy.ProxySettings? Proxy { get; init; }

    /// <summary>TCP: read what each open port says first (<see cref="Banners"/>), waiting at most <see cref="BannerWait"/>.</summary>
    public bool Banner { get; init; }

    public TimeSpan BannerWait { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Connect from this local address (and port, when not 0), as nmap's -S/-g.</summary>
    public IPEndPoint? Source { get; init; }

    /// <summary>Called once per finished port, from many threads at once: a progress count, not ordered.</summary>
    public Action<ProbeResult>? OnResult { get; init; }

    /// <summary>Most probes the open-file limit allows at once, keeping <see cref="FileLimits.Headroom"/> and some for the runtime.</summary>
    public static int MaxConcurrency() =>
        FileLimits.Get() is { } l && l.Soft < int.MaxValue ? (int)Math.Max(1, (long)l.Soft - 2 * FileLimits.Headroom) : PortRanges.MaxPorts;

    /// <summary>
    /// 5000 at once where the open-file limit allows it (RustScan's batch size: loopback answers every
    /// connect at once, a remote host's filtered ports each hold a descriptor until the timeout).
    /// </summary>
    public static int DefaultConcurrency() => Math.Min(5000, MaxConcurrency());
}

/// <summary>
/// <c>connect_ex</c> for many ports at once, at most <see cref="ProbeOptions.Concurrency"/> at a
/// time. TCP: open = connected, closed = refused. UDP: an empty datagram is sent; an answer is
/// open, ICMP port-unreachable (ECONNREFUSED on the next receive) is closed, silence is timeout.
/// </summary>
/// <example>
/// <code>
/// var results = await PortProbe.RunAsync("127.0.0.1", [22, 80], new ProbeOptions(), ct);
/// </code>
/// </example>
public static partial class PortProbe
{
    public static async Task<IReadOnlyList<ProbeResult>> RunAsync(string host, IReadOnlyList<int> ports, ProbeOptions options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(ports);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Concurrency, 1);
        if (options.Proxy is { } proxy) return await RunViaProxyAsync(host, ports, options, proxy, ct);
        // Resolve once, as connect_ex on a socket of one family would: the resolver's first address.
        var first = Resolver.GetAddrInfo(host, null, options.Family, options.Udp ? SocketType.Dgram : SocketType.Stream)[0];
        var address = IPAddress.Parse(first.Address);
        var results = new ProbeResult[ports.Count];
        // A fixed set of workers taking the next port: no task or semaphore wait per port.
        var next = -1;
        async Task Worker()
        {
            using var connect = new ConnectOperation();
            int i;
            while ((i = Interlocked.Increment(ref next)) < ports.Count)
            {
                ct.ThrowIfCancellationRequested();
                var result = options.Udp
                    ? await ProbeUdpAsync(host, address, ports[i], options.Timeout, ct)
                    : await ProbeTcpAsync(host, address, ports[i], options, connect, ct);
                results[i] = result;
                options.OnResult?.Invoke(result);
            }
        }
        var workers = Math.Min(options.Concurrency, ports.Count);
        await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(Worker, ct)));
        return results;
    }

    private static async Task<ProbeResult> ProbeUdpAsync(string host, IPAddress address, int port, TimeSpan timeout, CancellationToken ct)
    {
        using var socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timer.CancelAfter(timeout);
        var buffer = ArrayPool<byte>.Shared.Rent(2048);
        var clock = Stopwatch.StartNew();
        try
        {
            await socket.ConnectAsync(address, port, timer.Token);
            await socket.SendAsync(ReadOnlyMemory<byte>.Empty, SocketFlags.None, timer.Token);
            await socket.ReceiveAsync(buffer.AsMemory(), SocketFlags.None, timer.Token);
            return Result(host, address, port, PortState.Open, null, clock);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return Result(host, address, port, PortState.Timeout, SocketError.TimedOut, clock);
        }
        catch (SocketException e)
        {
            return Result(host, address, port, Classify(e.SocketErrorCode), e.SocketErrorCode, clock);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static PortState Classify(SocketError error) => error switch
    {
        SocketError.ConnectionRefused or SocketError.ConnectionReset => PortState.Closed,
        SocketError.TimedOut => PortState.Timeout,
        _ => PortState.Unreachable,
    };

    private static ProbeResult Result(string host, IPAddress address, int port, PortState state, SocketError? error, Stopwatch clock)
    {
        var ms = Math.Round(clock.Elapsed.TotalMilliseconds, 2);
        if (error is null)
            return new ProbeResult(host, address.ToString(), port, state, 0, null, ms);
        var (errno, name, _) = SocketErrors.Describe(error.Value);
        return new ProbeResult(host, address.ToString(), port, state, errno, name, ms);
    }
}
