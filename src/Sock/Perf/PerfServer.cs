using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Sock.Net;

namespace Sock.Perf;

/// <summary>
/// <c>perf -s</c>: an iperf3-compatible server. One test at a time, as iperf3: a connection whose
/// cookie opens a test becomes its control connection, connections with that test's cookie become
/// its data streams, anyone else gets ACCESS_DENIED. A client's parameters are checked against
/// <see cref="PerfLimits"/> before anything is allocated for them.
/// </summary>
public static class PerfServer
{
    /// <summary>Serves until cancelled, or (one-off) until the first test ends: its result, or its error as a <see cref="SockException"/>.</summary>
    public static async Task<PerfResult?> RunAsync(PerfServerOptions options, PerfEvents events, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(events);
        var address = options.Bind is null ? IPAddress.IPv6Any : await PerfClient.ResolveAsync(options.Bind, AddressFamily.Unspecified, ct);
        using var listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        if (address.Equals(IPAddress.IPv6Any)) listener.DualMode = true;
        listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        try
        {
            listener.Bind(new IPEndPoint(address, options.Port));
            listener.Listen(64);
        }
        catch (SocketException e)
        {
            throw new SockException($"perf -s: listen on port {options.Port}: {SocketErrors.Format(e.SocketErrorCode)}", e);
        }
        var server = new Server(options, events, listener, (IPEndPoint)listener.LocalEndPoint!);
        events.Log?.Invoke($"Server listening on {server.Port}");
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var accepting = server.AcceptLoopAsync(stop.Token);
        try
        {
            if (!options.OneOff)
            {
                await accepting;
                return null;
            }
            var first = await server.FirstTest.Task.WaitAsync(ct);
            return first;
        }
        finally
        {
            await stop.CancelAsync();
            listener.Dispose();
            await accepting.ContinueWith(static _ => { }, TaskScheduler.Default);
        }
    }

    private sealed class Server(PerfServerOptions options, PerfEvents events, Socket listener, IPEndPoint local)
    {
        private readonly Lock _gate = new();
        private ServerTest? _active;
        public int Port => local.Port;
        public TaskCompletionSource<PerfResult?> FirstTest { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task AcceptLoopAsync(CancellationToken ct)
        {
            while (!ct.IsCancellationRequested)
            {
                Socket connection;
                try
                {
                    connection = await listener.AcceptAsync(ct);
                }
                catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
                {
                    return;
                }
                catch (SocketException)
                {
                    continue; // one failed accept (EMFILE, a reset) does not stop the server
                }
                _ = Task.Run(() => HandleAsync(connection, ct), ct);
            }
        }

        private async Task HandleAsync(Socket connection, CancellationToken ct)
        {
            var peer = connection.RemoteEndPoint as IPEndPoint;
            var cookie = new byte[PerfWire.CookieSize];
            try
            {
                using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
                limit.CancelAfter(PerfLimits.HandshakeTimeout);
                await PerfWire.ReadExactlyAsync(connection, cookie, "its cookie", limit.Token);
            }
            catch (Exception e) when (e is SockException or OperationCanceledException or SocketException)
            {
                events.Log?.Invoke($"{Show(peer)}: no 37-byte cookie within {PerfLimits.HandshakeTimeout.TotalSeconds:0} s: closed");
                connection.Dispose();
                return;
            }
            ServerTest? test = null;
            var stream = false;
            lock (_gate)
            {
                if (_active is null) test = _active = new ServerTest(connection, cookie, options, events);
                else stream = _active.TryAddTcpStream(connection, cookie);
            }
            if (test is null)
            {
                if (!stream) await DenyAsync(connection, peer);
                return;
            }
            events.Log?.Invoke($"Accepted connection from {Show(peer)}");
            PerfResult? result = null;
            string? error = null;
            try
            {
                result = await test.RunAsync(local, ct);
                events.TestDone?.Invoke(result);
            }
            catch (Exception e) when (e is SockException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                error = e switch
                {
                    SockException s => s.Message,
                    SocketException s => $"perf -s: client {Show(peer)}: {SocketErrors.Format(s.SocketErrorCode)}",
                    _ => $"perf -s: client {Show(peer)}: test interrupted",
                };
                if (!ct.IsCancellationRequested) events.TestFailed?.Invoke(error);
            }
            finally
            {
                lock (_gate) _active = null;
            }
            if (error is null) FirstTest.TrySetResult(result);
            else FirstTest.TrySetException(new SockException(error));
        }

        private async Task DenyAsync(Socket connection, IPEndPoint? peer)
        {
            events.Log?.Invoke($"{Show(peer)}: busy with another test, or a stream with a wrong cookie: ACCESS_DENIED");
            try
            {
                await PerfWire.WriteStateAsync(connection, PerfState.AccessDenied, CancellationToken.None);
            }
            catch (SocketException)
            {
            }
            connection.Dispose();
        }
    }

    /// <summary>An endpoint as "address:port" ("[v6]:port"), IPv4-mapped addresses shown as IPv4.</summary>
    internal static string Text(EndPoint? e)
    {
        if (e is not IPEndPoint ip) return "?";
        var a = ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address;
        return a.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{a}]:{ip.Port}" : $"{a}:{ip.Port}";
    }

    internal static string Show(IPEndPoint? e) => e is null ? "?" : $"{(e.Address.IsIPv4MappedToIPv6 ? e.Address.MapToIPv4() : e.Address)}, port {e.Port}";

    /// <summary>One test on the server: its control connection, its streams, its run.</summary>
    private sealed class ServerTest(Socket control, byte[] cookie, PerfServerOptions options, PerfEvents events)
    {
        private readonly Lock _gate = new();
        private readonly TaskCompletionSource _streamsReady = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Dictionary<EndPoint, PerfStream> _udpStreams = [];
        private PerfRun? _run;
        private PerfTestInfo? _info;
        private bool _accepting;
        private string _prefix = "perf -s";

        /// <summary>A data connection: ours if it carries our cookie while streams are being created.</summary>
        public bool TryAddTcpStream(Socket connection, byte[] theirs)
        {
            lock (_gate)
            {
                if (!_accepting || _run is null || _info is null || _info.Protocol != "TCP" || !theirs.AsSpan().SequenceEqual(cookie)) return false;
                var stream = new PerfStream(PerfWire.StreamId(_run.Streams.Count), connection, null);
                _run.Streams.Add(stream);
                events.Connected?.Invoke(PerfStreamInfo.Of(stream.Id, connection.LocalEndPoint, connection.RemoteEndPoint));
                if (_run.Streams.Count == _info.Parallel)
                {
                    _accepting = false;
                    _streamsReady.TrySetResult();
                }
                return true;
            }
        }

        public async Task<PerfResult> RunAsync(IPEndPoint local, CancellationToken ct)
        {
            var peer = control.RemoteEndPoint as IPEndPoint;
            _prefix = $"perf -s: client {Show(peer)}";
            Socket? udp = null;
            Task? dispatcher = null;
            using var teardown = CancellationTokenSource.CreateLinkedTokenSource(ct);
            try
            {
                await PerfWire.WriteStateAsync(control, PerfState.ParamExchange, ct);
                PerfParametersJson parameters;
                try
                {
                    parameters = await ReadAsync(PerfWire.ReadJsonAsync(control, PerfWireJsonContext.Default.PerfParametersJson, PerfLimits.MaxParametersJson, "parameters", ct));
                }
                catch (SockException)
                {
                    await RefuseAsync();
                    throw;
                }
                var info = Check(parameters);
                if (info is null)
                {
                    await RefuseAsync();
                    throw new SockException($"{_prefix}: {_refusal}");
                }
                var run = new PerfRun(info, parameters.UdpCounters64Bit is > 0, options.Interval, events.Interval);
                lock (_gate)
                {
                    (_run, _info, _accepting) = (run, info, true);
                }
                await using var owned = run;
                if (info.Protocol == "UDP")
                {
                    udp = new Socket(local.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
                    if (local.AddressFamily == AddressFamily.InterNetworkV6) udp.DualMode = true;
                    udp.ReceiveBufferSize = Math.Max(udp.ReceiveBufferSize, 4 * 1024 * 1024);
                    udp.Bind(new IPEndPoint(local.Address, local.Port));
                    dispatcher = DispatchUdpAsync(udp, run, info, teardown.Token);
                }
                await PerfWire.WriteStateAsync(control, PerfState.CreateStreams, ct);
                // One read of the control connection from here on: a client that leaves (or speaks) while
                // its streams are still being created ends the test at once, not after the timeout.
                var state = PerfWire.ReadStateAsync(control, ct);
                var ready = await Task.WhenAny(_streamsReady.Task, state, Task.Delay(PerfLimits.HandshakeTimeout, ct));
                if (ready == state)
                {
                    PerfState early;
                    try
                    {
                        early = await state;
                    }
                    catch (Exception e) when (e is SockException or SocketException)
                    {
                        throw new SockException($"{_prefix}: the client left while its streams were being created", e);
                    }
                    throw new SockException($"{_prefix}: control state {(int)early} while streams were being created");
                }
                if (ready != _streamsReady.Task)
                    throw new SockException($"{_prefix}: only {run.Streams.Count} of {info.Parallel} streams connected within {PerfLimits.HandshakeTimeout.TotalSeconds:0} s");
                events.Started?.Invoke(info);
                await PerfWire.WriteStateAsync(control, PerfState.TestStart, ct);
                await PerfWire.WriteStateAsync(control, PerfState.TestRunning, ct);
                run.Start(udp is null ? null : (s, datagram, token) => SendToAsync(udp, s, datagram, token));
                // The client ends the test; a client that never does is cut off well after its own duration.
                var patience = TimeSpan.FromSeconds(info.Duration > 0 ? info.Duration * 2 + 10 : PerfLimits.MaxSeconds);
                if (await Task.WhenAny(state, Task.Delay(patience, ct)) != state)
                    throw new SockException($"{_prefix}: no TEST_END within {patience.TotalSeconds:0} s of a {info.Duration:0} s test");
                var got = await ReadAsync(state);
                await run.StopAsync();
                // As iperf3's server: close the data streams at TEST_END, so a client blocked reading the
                // rest of a block (iperf3 reads whole blocks) sees end-of-file instead of waiting forever.
                run.CloseStreams();
                if (got == PerfState.ClientTerminate) throw new SockException($"{_prefix}: the client terminated the test");
                if (got != PerfState.TestEnd) throw new SockException($"{_prefix}: unexpected control state {(int)got} during the test");
                await PerfWire.WriteStateAsync(control, PerfState.ExchangeResults, ct);
                var theirs = await ReadAsync(PerfWire.ReadJsonAsync(control, PerfWireJsonContext.Default.PerfResultsJson, PerfLimits.MaxResultsJson, "results", ct));
                var mine = run.LocalResults();
                await PerfWire.WriteJsonAsync(control, mine, PerfWireJsonContext.Default.PerfResultsJson, ct);
                await PerfWire.WriteStateAsync(control, PerfState.DisplayResults, ct);
                await WaitForDoneAsync(ct);
                var (streams, sent, received) = run.Totals(mine, theirs);
                return new PerfResult("server", info.Protocol, info.Reverse, info.Parallel, Text(control.LocalEndPoint), Text(peer), info.Cookie,
                    streams, sent, received, run.Intervals, run.LocalCpuPercent, Math.Round(theirs.CpuUtilTotal, 3));
            }
            finally
            {
                lock (_gate) _accepting = false;
                await teardown.CancelAsync();
                udp?.Dispose();
                if (dispatcher is not null) await dispatcher.ContinueWith(static _ => { }, TaskScheduler.Default);
                control.Dispose();
            }
        }

        private string _refusal = "";

        /// <summary>The client's parameters as a test, or null (with <see cref="_refusal"/> set) when they are impossible or hostile.</summary>
        private PerfTestInfo? Check(PerfParametersJson p)
        {
            string? Problem()
            {
                if (p.Sctp == true) return "SCTP tests are not supported";
                if (p.Bidirectional == true) return "bidirectional tests (--bidir) are not supported";
                if (p.Parallel is < 1 or > PerfLimits.MaxParallel) return $"parallel {p.Parallel} is outside 1-{PerfLimits.MaxParallel}";
                var udp = p.Udp == true;
                var max = udp ? PerfLimits.MaxUdpLength : PerfLimits.MaxTcpLength;
                if (p.Len < (udp ? PerfLimits.MinUdpLength : 1) || p.Len > max) return $"len {p.Len} is outside {(udp ? PerfLimits.MinUdpLength : 1)}-{max}";
                if (!(p.Time >= 0) || p.Time > PerfLimits.MaxSeconds) return $"time {p.Time} is outside 0-{PerfLimits.MaxSeconds} s";
                if (p.Num < 0 || p.Blockcount < 0) return "a negative byte or block count";
                if (p.Time == 0 && p.Num == 0 && p.Blockcount == 0) return "neither a duration nor a byte count";
                if (p.Bandwidth is < 0 or > 1e15) return $"bandwidth {p.Bandwidth} is out of range";
                return null;
            }
            if (Problem() is { } problem)
            {
                _refusal = "parameters rejected: " + problem;
                return null;
            }
            var bytes = p.Num > 0 ? p.Num : p.Blockcount * p.Len;
            return new PerfTestInfo(p.Udp == true ? "UDP" : "TCP", p.Parallel, p.Reverse == true, Sender: p.Reverse == true, p.Time, bytes,
                p.Len, (long)(p.Bandwidth ?? 0), PerfWire.CookieText(cookie));
        }

        private async Task RefuseAsync()
        {
            try
            {
                await PerfWire.WriteServerErrorAsync(control, PerfWire.ErrorReceiveParameters, 0, CancellationToken.None);
            }
            catch (SocketException)
            {
            }
        }

        private async Task<T> ReadAsync<T>(Task<T> read)
        {
            try
            {
                return await read;
            }
            catch (SockException e) when (e.Message.StartsWith("perf: ", StringComparison.Ordinal))
            {
                throw new SockException(_prefix + ": " + e.Message["perf: ".Length..], e);
            }
            catch (SocketException e)
            {
                throw new SockException($"{_prefix}: control connection: {SocketErrors.Format(e.SocketErrorCode)}", e);
            }
        }

        private async Task WaitForDoneAsync(CancellationToken ct)
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
            limit.CancelAfter(PerfLimits.HandshakeTimeout);
            try
            {
                await PerfWire.ReadStateAsync(control, limit.Token); // IPERF_DONE; a client that just closes is fine too
            }
            catch (Exception e) when (e is SockException or SocketException or OperationCanceledException)
            {
            }
        }

        private static async ValueTask SendToAsync(Socket udp, PerfStream stream, byte[] datagram, CancellationToken ct) =>
            await udp.SendToAsync(datagram, SocketFlags.None, stream.Peer!, ct);

        /// <summary>
        /// The UDP port's one reader: a 4-byte datagram from a new address while streams are being
        /// created is a stream's hello (answered as iperf_udp_accept does); after that, datagrams go
        /// to their stream's counters by source address, and strangers are ignored.
        /// </summary>
        private async Task DispatchUdpAsync(Socket udp, PerfRun run, PerfTestInfo info, CancellationToken ct)
        {
            var buffer = new byte[65536];
            EndPoint any = new IPEndPoint(udp.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
            try
            {
                while (true)
                {
                    SocketReceiveFromResult r;
                    try
                    {
                        r = await udp.ReceiveFromAsync(buffer, SocketFlags.None, any, ct);
                    }
                    catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
                    {
                        continue;
                    }
                    PerfStream? known;
                    lock (_gate) known = _udpStreams.GetValueOrDefault(r.RemoteEndPoint);
                    if (known is not null)
                    {
                        run.Deliver(known, buffer.AsSpan(0, r.ReceivedBytes));
                        continue;
                    }
                    if (r.ReceivedBytes != 4) continue;
                    PerfStream? added = null;
                    lock (_gate)
                    {
                        if (_accepting && run.Streams.Count < info.Parallel)
                        {
                            added = new PerfStream(PerfWire.StreamId(run.Streams.Count), null, r.RemoteEndPoint);
                            run.Streams.Add(added);
                            _udpStreams[r.RemoteEndPoint] = added;
                        }
                    }
                    if (added is null) continue;
                    var hello = BinaryPrimitives.ReadInt32LittleEndian(buffer);
                    var reply = new byte[4];
                    BinaryPrimitives.WriteInt32LittleEndian(reply, hello == PerfWire.LegacyUdpConnectMessage ? PerfWire.LegacyUdpConnectReply : PerfWire.UdpConnectReply);
                    await udp.SendToAsync(reply, SocketFlags.None, r.RemoteEndPoint, ct);
                    events.Connected?.Invoke(PerfStreamInfo.Of(added.Id, udp.LocalEndPoint, r.RemoteEndPoint));
                    lock (_gate)
                    {
                        if (run.Streams.Count == info.Parallel)
                        {
                            _accepting = false;
                            _streamsReady.TrySetResult();
                        }
                    }
                }
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
            {
            }
        }
    }
}
