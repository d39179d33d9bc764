using System.Diagnostics;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Sock.Perf;

/// <summary>
/// The data phase of one test, the same for client and server: the send or receive loop of each
/// stream, the interval ticker, and the totals both sides exchange at the end. Bytes count only
/// between <see cref="Start"/> and <see cref="StopAsync"/>, as iperf3 counts only in TEST_RUNNING.
/// </summary>
internal sealed class PerfRun : IAsyncDisposable
{
    private readonly PerfTestInfo _test;
    private readonly bool _counters64;
    private readonly TimeSpan _interval;
    private readonly Action<PerfInterval>? _onInterval;
    private readonly CancellationTokenSource _teardown = new();
    private readonly CancellationTokenSource _tickerStop = new();
    private readonly List<Task> _loops = [];
    private readonly List<PerfInterval> _intervals = [];
    private readonly TaskCompletionSource _quotaReached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _counting, _sending;
    private long _startTimestamp, _endTimestamp, _totalBytes;
    private TimeSpan _cpuStart, _userStart;
    private Task? _ticker;
    private long[] _lastBytes = [], _lastPackets = [], _lastLost = [], _lastRetransmits = [];
    private double _lastTick;

    public PerfRun(PerfTestInfo test, bool counters64, TimeSpan interval, Action<PerfInterval>? onInterval)
    {
        _test = test;
        _counters64 = counters64;
        _interval = interval;
        _onInterval = onInterval;
    }

    public List<PerfStream> Streams { get; } = [];
    public bool Udp => _test.Protocol == "UDP";
    public bool Counting => _counting;
    public IReadOnlyList<PerfInterval> Intervals => _intervals;
    public double LocalCpuPercent { get; private set; }
    public double LocalUserPercent { get; private set; }

    /// <summary>Completes when the byte target (-n) has been sent (sender) or received (receiver).</summary>
    public Task QuotaReached => _quotaReached.Task;

    /// <summary>Seconds since Start (to Stop once stopped).</summary>
    public double Elapsed => _startTimestamp == 0 ? 0
        : Stopwatch.GetElapsedTime(_startTimestamp, _endTimestamp != 0 ? _endTimestamp : Stopwatch.GetTimestamp()).TotalSeconds;

    /// <summary>TEST_RUNNING: start counting and the loops. A server-side UDP receiver is fed by its dispatcher instead.</summary>
    public void Start(Func<PerfStream, byte[], CancellationToken, ValueTask>? udpSendTo = null)
    {
        var process = Process.GetCurrentProcess();
        (_cpuStart, _userStart) = (process.TotalProcessorTime, process.UserProcessorTime);
        _lastBytes = new long[Streams.Count];
        _lastPackets = new long[Streams.Count];
        _lastLost = new long[Streams.Count];
        _lastRetransmits = Streams.Select(s => _test.Sender ? s.TotalRetransmits() ?? 0 : 0).ToArray();
        _retransmitsAtStart = (long[])_lastRetransmits.Clone();
        _startTimestamp = Stopwatch.GetTimestamp();
        _counting = true;
        _sending = _test.Sender;
        var ct = _teardown.Token;
        foreach (var stream in Streams)
        {
            if (_test.Sender) _loops.Add(Task.Run(() => Udp ? SendUdpAsync(stream, udpSendTo, ct) : SendTcpAsync(stream, ct), ct));
            else if (stream.Socket is not null) _loops.Add(Task.Run(() => Udp ? ReceiveUdpAsync(stream, ct) : ReceiveTcpAsync(stream, ct), ct));
        }
        _ticker = TickAsync(_tickerStop.Token);
    }

    /// <summary>TEST_END: stop sending and counting; the last partial interval is reported.</summary>
    public async Task StopAsync()
    {
        if (!_counting) return;
        _sending = false;
        _counting = false;
        _endTimestamp = Stopwatch.GetTimestamp();
        var process = Process.GetCurrentProcess();
        var wall = Math.Max(Elapsed, 1e-6);
        LocalCpuPercent = Math.Round(100 * (process.TotalProcessorTime - _cpuStart).TotalSeconds / wall, 3);
        LocalUserPercent = Math.Round(100 * (process.UserProcessorTime - _userStart).TotalSeconds / wall, 3);
        if (_ticker is not null)
        {
            await _tickerStop.CancelAsync();
            await _ticker.ContinueWith(static _ => { }, TaskScheduler.Default);
        }
        if (Elapsed - _lastTick > 0.05 * _interval.TotalSeconds || _intervals.Count == 0) Report(Elapsed, last: true);
    }

    /// <summary>A datagram the server's shared UDP socket received for this test's stream.</summary>
    public void Deliver(PerfStream stream, ReadOnlySpan<byte> datagram)
    {
        if (!_counting) return;
        stream.CountDatagram(datagram, _counters64, PerfStream.UnixNow());
        CheckQuota(Interlocked.Add(ref _totalBytes, datagram.Length));
    }

    private void CheckQuota(long total)
    {
        if (_test.Bytes > 0 && total >= _test.Bytes) _quotaReached.TrySetResult();
    }

    private async Task SendTcpAsync(PerfStream stream, CancellationToken ct)
    {
        var block = new byte[_test.Length];
        RandomNumberGenerator.Fill(block); // iperf3 sends random bytes too, so compression on the path cannot flatter it
        var socket = stream.Socket!;
        try
        {
            while (_sending)
            {
                if (_test.Bandwidth > 0 && !await PaceAsync(stream, ct)) continue;
                var n = await socket.SendAsync(block, SocketFlags.None, ct);
                if (!_counting) break;
                Volatile.Write(ref stream.Bytes, stream.Bytes + n);
                var total = Interlocked.Add(ref _totalBytes, n);
                CheckQuota(total);
                if (_test.Bytes > 0 && total >= _test.Bytes) break;
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The peer closed the stream or the test is being torn down: the counts so far stand.
        }
    }

    private async Task SendUdpAsync(PerfStream stream, Func<PerfStream, byte[], CancellationToken, ValueTask>? sendTo, CancellationToken ct)
    {
        var datagram = new byte[_test.Length];
        RandomNumberGenerator.Fill(datagram);
        try
        {
            while (_sending)
            {
                if (!await PaceAsync(stream, ct)) continue;
                var sequence = stream.Packets + 1;
                PerfStream.WriteDatagramHeader(datagram, sequence, _counters64);
                try
                {
                    if (sendTo is not null) await sendTo(stream, datagram, ct);
                    else await stream.Socket!.SendAsync(datagram, SocketFlags.None, ct);
                }
                catch (SocketException e) when (e.SocketErrorCode is SocketError.NoBufferSpaceAvailable or SocketError.ConnectionRefused)
                {
                    continue; // a full queue, or an ICMP error for an earlier datagram: UDP goes on
                }
                if (!_counting) break;
                Volatile.Write(ref stream.Packets, sequence);
                Volatile.Write(ref stream.Bytes, stream.Bytes + datagram.Length);
                var total = Interlocked.Add(ref _totalBytes, datagram.Length);
                CheckQuota(total);
                if (_test.Bytes > 0 && total >= _test.Bytes) break;
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    /// <summary>iperf3's pacing: send only while this stream is behind its bit rate; else wait a millisecond.</summary>
    private async ValueTask<bool> PaceAsync(PerfStream stream, CancellationToken ct)
    {
        var rate = _test.Bandwidth;
        if (rate <= 0) return true;
        var allowed = rate * Elapsed / 8 - stream.Forgiven;
        // Behind by more than 10 ms of traffic (a stall on a loaded machine): forgive the debt rather
        // than burst it out, which a receiver's socket buffer would drop as loss that was never the path's.
        var debt = allowed - stream.Bytes;
        var burst = Math.Max(2.0 * _test.Length, rate * 0.01 / 8);
        if (debt > burst) stream.Forgiven += debt - burst;
        if (debt > 0) return true;
        await Task.Delay(1, ct);
        return false;
    }

    private async Task ReceiveTcpAsync(PerfStream stream, CancellationToken ct)
    {
        var buffer = new byte[Math.Max(_test.Length, 64 * 1024)];
        try
        {
            while (true)
            {
                var n = await stream.Socket!.ReceiveAsync(buffer, SocketFlags.None, ct);
                if (n == 0) return;
                if (!_counting) continue; // keep draining so a sender blocked in write can reach TEST_END
                Volatile.Write(ref stream.Bytes, stream.Bytes + n);
                CheckQuota(Interlocked.Add(ref _totalBytes, n));
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private async Task ReceiveUdpAsync(PerfStream stream, CancellationToken ct)
    {
        var buffer = new byte[65536];
        try
        {
            while (true)
            {
                int n;
                try
                {
                    n = await stream.Socket!.ReceiveAsync(buffer, SocketFlags.None, ct);
                }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
                {
                    continue;
                }
                Deliver(stream, buffer.AsSpan(0, n));
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private async Task TickAsync(CancellationToken ct)
    {
        if (_interval <= TimeSpan.Zero) return;
        var next = _interval;
        try
        {
            while (_counting)
            {
                var wait = next - TimeSpan.FromSeconds(Elapsed);
                if (wait > TimeSpan.Zero) await Task.Delay(wait, ct);
                if (!_counting) return;
                Report(Elapsed);
                next += _interval;
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private readonly Lock _reportLock = new();

    private void Report(double now, bool last = false)
    {
        lock (_reportLock)
        {
            var start = _lastTick;
            if (now <= start) return;
            var samples = new List<PerfSample>(Streams.Count);
            for (var i = 0; i < Streams.Count; i++)
            {
                var s = Streams[i];
                var bytes = Volatile.Read(ref s.Bytes);
                var delta = bytes - _lastBytes[i];
                _lastBytes[i] = bytes;
                long? retransmits = null, packets = null, lost = null;
                double? lostPercent = null, jitter = null;
                if (!Udp && _test.Sender && s.TotalRetransmits() is { } total)
                {
                    retransmits = total - _lastRetransmits[i];
                    _lastRetransmits[i] = total;
                }
                if (Udp)
                {
                    var p = Volatile.Read(ref s.Packets);
                    packets = p - _lastPackets[i];
                    _lastPackets[i] = p;
                    if (!_test.Sender)
                    {
                        var l = Volatile.Read(ref s.Lost);
                        lost = l - _lastLost[i];
                        _lastLost[i] = l;
                        lostPercent = packets > 0 ? 100.0 * lost / packets : 0;
                        jitter = Volatile.Read(ref s.Jitter) * 1000;
                    }
                }
                samples.Add(new PerfSample(s.Id, start, now, delta, delta * 8 / (now - start), retransmits, packets, lost, lostPercent, jitter));
            }
            _lastTick = now;
            var interval = new PerfInterval(_test.Sender, samples, Sum(samples, start, now));
            if (last && interval.Sum.Bytes == 0 && _intervals.Count > 0) return; // the moments between the end and TEST_END
            _intervals.Add(interval);
            _onInterval?.Invoke(interval);
        }
    }

    /// <summary>The sum line: bytes and counters added, jitter averaged, as iperf3's [SUM].</summary>
    internal static PerfSample Sum(IReadOnlyList<PerfSample> samples, double start, double end)
    {
        var bytes = samples.Sum(s => s.Bytes);
        var seconds = end - start;
        long? Add(Func<PerfSample, long?> f) => samples.Any(s => f(s) is not null) ? samples.Sum(s => f(s) ?? 0) : null;
        var packets = Add(s => s.Packets);
        var lost = Add(s => s.Lost);
        double? jitter = samples.Any(s => s.JitterMs is not null) ? samples.Average(s => s.JitterMs ?? 0) : null;
        return new PerfSample(0, start, end, bytes, seconds > 0 ? bytes * 8 / seconds : 0, Add(s => s.Retransmits), packets, lost,
            lost is not null && packets is > 0 ? 100.0 * lost / packets : lost is not null ? 0 : null, jitter, Add(s => s.OutOfOrder));
    }

    /// <summary>This side's results block, as iperf_api.c send_results writes it.</summary>
    public PerfResultsJson LocalResults()
    {
        var duration = Elapsed;
        var tcpSender = _test.Sender && !Udp;
        var retransmits = Streams.Select(s => tcpSender ? s.TotalRetransmits() : null).ToList();
        return new PerfResultsJson
        {
            CpuUtilTotal = LocalCpuPercent,
            CpuUtilUser = LocalUserPercent,
            CpuUtilSystem = Math.Max(0, LocalCpuPercent - LocalUserPercent),
            SenderHasRetransmits = tcpSender && retransmits.All(r => r is not null) ? 1 : _test.Sender ? 0 : -1,
            Streams = Streams.Select((s, i) => new PerfStreamResultJson
            {
                Id = s.Id,
                Bytes = s.Bytes,
                Retransmits = retransmits[i] is { } r ? r - _lastRetransmitsAtStart(i) : -1,
                Jitter = Udp && !_test.Sender ? s.Jitter : 0,
                Errors = Udp && !_test.Sender ? s.Lost : 0,
                Packets = Udp ? s.Packets : 0,
                StartTime = 0,
                EndTime = Math.Round(duration, 6),
            }).ToList(),
        };
    }

    private long[] _retransmitsAtStart = [];
    private long _lastRetransmitsAtStart(int i) => i < _retransmitsAtStart.Length ? _retransmitsAtStart[i] : 0;

    /// <summary>Local and peer totals side by side, per stream and summed.</summary>
    public (List<PerfStreamTotals> Streams, PerfSample SumSent, PerfSample SumReceived) Totals(PerfResultsJson local, PerfResultsJson peer)
    {
        var peerById = (peer.Streams ?? []).GroupBy(s => s.Id).ToDictionary(g => g.Key, g => g.First());
        var totals = new List<PerfStreamTotals>();
        foreach (var mine in local.Streams ?? [])
        {
            var theirs = peerById.GetValueOrDefault(mine.Id) ?? new PerfStreamResultJson { Id = mine.Id, EndTime = mine.EndTime };
            var (sent, received) = _test.Sender ? (mine, theirs) : (theirs, mine);
            totals.Add(new PerfStreamTotals(mine.Id, Sample(sent, true), Sample(received, false)));
        }
        var seconds = Math.Max(totals.Select(t => t.Sent.End).DefaultIfEmpty(0).Max(), 0);
        var rseconds = Math.Max(totals.Select(t => t.Received.End).DefaultIfEmpty(0).Max(), 0);
        return (totals, Sum(totals.Select(t => t.Sent).ToList(), 0, seconds), Sum(totals.Select(t => t.Received).ToList(), 0, rseconds));
    }

    private PerfSample Sample(PerfStreamResultJson r, bool sent)
    {
        var seconds = r.EndTime - r.StartTime;
        if (!(seconds > 0)) seconds = Elapsed;
        var bps = seconds > 0 ? r.Bytes * 8 / seconds : 0;
        if (!Udp) return new PerfSample(r.Id, 0, seconds, r.Bytes, bps, sent && r.Retransmits >= 0 && r.Retransmits < long.MaxValue ? (long)r.Retransmits : null);
        if (sent) return new PerfSample(r.Id, 0, seconds, r.Bytes, bps, Packets: r.Packets);
        return new PerfSample(r.Id, 0, seconds, r.Bytes, bps, Packets: r.Packets, Lost: r.Errors,
            LostPercent: r.Packets > 0 ? 100.0 * r.Errors / r.Packets : 0, JitterMs: r.Jitter * 1000);
    }

    /// <summary>Closes the TCP streams (a server's answer to TEST_END); loops still in a send or receive end quietly.</summary>
    public void CloseStreams()
    {
        foreach (var s in Streams) s.Socket?.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await _teardown.CancelAsync();
        foreach (var s in Streams) s.Socket?.Dispose();
        await Task.WhenAll(_loops).ContinueWith(static _ => { }, TaskScheduler.Default);
        _teardown.Dispose();
        _tickerStop.Dispose();
    }
}
