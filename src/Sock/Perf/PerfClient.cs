using System.Net;
using System.Net.Sockets;
using System.Buffers.Binary;
using Sock.Net;

namespace Sock.Perf;

/// <summary>
/// <c>perf -c</c>: runs one test against an iperf3 server (or <c>sock perf -s</c>) over iperf3's
/// protocol: cookie, parameters, streams, TEST_END after the duration or byte count, then both
/// sides' results exchanged, so the sender's and the receiver's own counts come back together.
/// </summary>
/// <example>
/// <code>
/// var result = await PerfClient.RunAsync("127.0.0.1", 5201, new PerfOptions { Duration = TimeSpan.FromSeconds(3) }, new PerfEvents(), ct);
/// Console.WriteLine(result.SumReceived.BitsPerSecond);
/// </code>
/// </example>
public static class PerfClient
{
    public static async Task<PerfResult> RunAsync(string host, int port, PerfOptions options, PerfEvents events, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(events);
        Validate(options);
        var address = await ResolveAsync(host, options.Family, ct);
        var server = new IPEndPoint(address, port);
        using var control = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await ConnectAsync(control, server, options.ConnectTimeout, $"perf {host}:{port}", ct);
        var cookie = PerfWire.NewCookie();
        await control.SendAsync(cookie, SocketFlags.None, ct);
        var length = options.Length > 0 ? options.Length : options.Udp ? PerfLimits.DefaultUdpLength : PerfLimits.DefaultTcpLength;
        var bandwidth = options.Bandwidth > 0 ? options.Bandwidth : options.Udp ? PerfLimits.DefaultUdpBandwidth : 0;
        var duration = options.Bytes > 0 ? 0 : options.Duration.TotalSeconds;
        var test = new PerfTestInfo(options.Udp ? "UDP" : "TCP", options.Parallel, options.Reverse, !options.Reverse, duration, options.Bytes,
            length, bandwidth, PerfWire.CookieText(cookie));
        await using var run = new PerfRun(test, counters64: false, options.Interval, events.Interval);
        PerfResultsJson? local = null, peer = null;
        var prefix = $"perf {host}:{port}";
        var pending = PerfWire.ReadStateAsync(control, ct);
        while (true)
        {
            var state = await WithContext(pending, prefix);
            switch (state)
            {
                case PerfState.ParamExchange:
                    await PerfWire.WriteJsonAsync(control, Parameters(options, test), PerfWireJsonContext.Default.PerfParametersJson, ct);
                    break;
                case PerfState.CreateStreams:
                    for (var i = 0; i < options.Parallel; i++)
                    {
                        var stream = await OpenStreamAsync(server, options, cookie, PerfWire.StreamId(i), prefix, ct);
                        run.Streams.Add(stream);
                        events.Connected?.Invoke(PerfStreamInfo.Of(stream.Id, stream.Socket!.LocalEndPoint, server));
                    }
                    break;
                case PerfState.TestStart:
                    events.Started?.Invoke(test);
                    break;
                case PerfState.TestRunning:
                    run.Start();
                    pending = PerfWire.ReadStateAsync(control, ct);
                    // The client decides when the test ends: after the duration, or once -n bytes went (or came) through.
                    var end = options.Bytes > 0 ? run.QuotaReached : Task.Delay(options.Duration, ct);
                    if (await Task.WhenAny(end, pending) == pending)
                        throw new SockException($"{prefix}: the server ended the test early ({await DescribeAsync(control, pending)})");
                    // StopAsync stops counting before its first await; TEST_END goes out at that same moment,
                    // so the receiver's clock stops as close as possible to the sender's.
                    var stopping = run.StopAsync();
                    await PerfWire.WriteStateAsync(control, PerfState.TestEnd, ct);
                    await stopping;
                    continue;
                case PerfState.ExchangeResults:
                    local = run.LocalResults();
                    await PerfWire.WriteJsonAsync(control, local, PerfWireJsonContext.Default.PerfResultsJson, ct);
                    peer = await WithContext(PerfWire.ReadJsonAsync(control, PerfWireJsonContext.Default.PerfResultsJson, PerfLimits.MaxResultsJson, "results", ct), prefix);
                    break;
                case PerfState.DisplayResults:
                    await PerfWire.WriteStateAsync(control, PerfState.IperfDone, ct);
                    if (local is null || peer is null) throw new SockException($"{prefix}: the server asked to display results before exchanging them");
                    var (streams, sent, received) = run.Totals(local, peer);
                    return new PerfResult("client", test.Protocol, options.Reverse, options.Parallel, PerfServer.Text(control.LocalEndPoint), PerfServer.Text(server),
                        test.Cookie, streams, sent, received, run.Intervals, run.LocalCpuPercent, Math.Round(peer.CpuUtilTotal, 3));
                default:
                    throw new SockException($"{prefix}: {await DescribeAsync(control, Task.FromResult(state))}");
            }
            pending = PerfWire.ReadStateAsync(control, ct);
        }
    }

    private static void Validate(PerfOptions o)
    {
        if (o.Parallel is < 1 or > PerfLimits.MaxParallel) throw new ArgumentException($"perf: -P {o.Parallel} must be 1-{PerfLimits.MaxParallel}");
        if (o.Bytes < 0) throw new ArgumentException("perf: -n must not be negative");
        if (o.Bytes == 0 && (o.Duration <= TimeSpan.Zero || o.Duration.TotalSeconds > PerfLimits.MaxSeconds))
            throw new ArgumentException($"perf: -t must be 0-{PerfLimits.MaxSeconds} seconds");
        var max = o.Udp ? PerfLimits.MaxUdpLength : PerfLimits.MaxTcpLength;
        if (o.Length != 0 && (o.Length < (o.Udp ? PerfLimits.MinUdpLength : 1) || o.Length > max))
            throw new ArgumentException($"perf: -l {o.Length} must be {(o.Udp ? PerfLimits.MinUdpLength : 1)}-{max} bytes");
        if (o.Bandwidth < 0) throw new ArgumentException("perf: -b must not be negative");
    }

    private static PerfParametersJson Parameters(PerfOptions o, PerfTestInfo test) => new()
    {
        Tcp = o.Udp ? null : true,
        Udp = o.Udp ? true : null,
        Omit = 0,
        Time = Math.Round(test.Duration),
        Num = o.Bytes,
        Blockcount = 0,
        Parallel = o.Parallel,
        Reverse = o.Reverse ? true : null,
        Len = test.Length,
        Bandwidth = test.Bandwidth > 0 ? test.Bandwidth : null,
        PacingTimer = 1000,
        ClientVersion = "3.12",
    };

    private static async Task<PerfStream> OpenStreamAsync(IPEndPoint server, PerfOptions o, byte[] cookie, int id, string prefix, CancellationToken ct)
    {
        if (!o.Udp)
        {
            var tcp = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = false };
            await ConnectAsync(tcp, server, o.ConnectTimeout, prefix, ct);
            await tcp.SendAsync(cookie, SocketFlags.None, ct);
            return new PerfStream(id, tcp, null);
        }
        var udp = new Socket(server.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            udp.ReceiveBufferSize = Math.Max(udp.ReceiveBufferSize, 4 * 1024 * 1024);
            await udp.ConnectAsync(server, ct);
            var hello = new byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(hello, PerfWire.UdpConnectMessage); // iperf3 writes a host-order int
            await udp.SendAsync(hello, SocketFlags.None, ct);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(PerfLimits.HandshakeTimeout);
            var reply = new byte[64];
            try
            {
                await udp.ReceiveAsync(reply, SocketFlags.None, timeout.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new SockException($"{prefix}: no reply to the UDP stream handshake within {PerfLimits.HandshakeTimeout.TotalSeconds:0} s");
            }
            catch (SocketException e)
            {
                throw new SockException($"{prefix}: UDP stream handshake: {SocketErrors.Format(e.SocketErrorCode)}", e);
            }
            return new PerfStream(id, udp, null);
        }
        catch
        {
            udp.Dispose();
            throw;
        }
    }

    internal static async Task ConnectAsync(Socket socket, IPEndPoint to, TimeSpan timeout, string prefix, CancellationToken ct)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        try
        {
            await socket.ConnectAsync(to, limit.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new SockException($"{prefix}: connect timed out after {timeout.TotalSeconds:0} s");
        }
        catch (SocketException e)
        {
            throw new SockException($"{prefix}: connect: {SocketErrors.Format(e.SocketErrorCode)}", e);
        }
    }

    /// <summary>A state the client did not expect, in words: iperf3's refusals and errors, or the raw value.</summary>
    private static async Task<string> DescribeAsync(Socket control, Task<PerfState> state)
    {
        PerfState s;
        try
        {
            s = await state;
        }
        catch (SockException e)
        {
            return e.Message.Replace("perf: ", "", StringComparison.Ordinal);
        }
        switch (s)
        {
            case PerfState.AccessDenied:
                return "the server is busy running a test (ACCESS_DENIED); try later";
            case PerfState.ServerError:
                var codes = new byte[8];
                try
                {
                    using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                    await PerfWire.ReadExactlyAsync(control, codes, "an error code", limit.Token);
                }
                catch (Exception e) when (e is SockException or OperationCanceledException or SocketException)
                {
                    return "the server reported an error (SERVER_ERROR)";
                }
                var iperfErrno = BinaryPrimitives.ReadInt32BigEndian(codes);
                var errno = BinaryPrimitives.ReadInt32BigEndian(codes.AsSpan(4));
                return $"the server reported an error (SERVER_ERROR, iperf3 error {iperfErrno}{(errno != 0 ? $", errno {errno}" : "")})";
            case PerfState.ServerTerminate:
                return "the server was terminated (SERVER_TERMINATE)";
            default:
                return $"unexpected control state {(int)s}";
        }
    }

    private static async Task<T> WithContext<T>(Task<T> task, string prefix)
    {
        try
        {
            return await task;
        }
        catch (SockException e) when (e.Message.StartsWith("perf: ", StringComparison.Ordinal))
        {
            throw new SockException(prefix + ": " + e.Message["perf: ".Length..], e);
        }
        catch (SocketException e)
        {
            throw new SockException($"{prefix}: control connection: {SocketErrors.Format(e.SocketErrorCode)}", e);
        }
    }

    internal static async Task<IPAddress> ResolveAsync(string host, AddressFamily family, CancellationToken ct)
    {
        var bare = host.Trim('[', ']');
        if (IPAddress.TryParse(bare, out var literal)) return literal;
        try
        {
            var found = await Dns.GetHostAddressesAsync(bare, family, ct);
            return found.FirstOrDefault() ?? throw new SockException($"perf {host}: no address");
        }
        catch (SocketException e)
        {
            throw new SockException($"perf {host}: {SocketErrors.Format(e.SocketErrorCode)}", e);
        }
    }
}
