using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Sock.Interop.Tests.Infrastructure;

namespace Sock.Interop.Tests.Toolbox;

/// <summary>
/// `sock perf` against the real iperf3 3.x, both ways round. Each case compares the two tools'
/// own reports of the SAME run: the sender's rate as one tool measured it against the receiver's
/// rate as the other measured it (within 5 %), and the counts exchanged at the end verbatim.
/// </summary>
[Collection(CpuSaturating.Name)]
public class PerfTests
{
    private const double Tolerance = 0.05;

    public static TheoryData<string[]> Cases => new()
    {
        new[] { "-t", "3" },
        new[] { "-t", "3", "-P", "3" },
        new[] { "-t", "3", "-R" },
        new[] { "-t", "3", "-R", "-P", "2" },
        new[] { "-t", "3", "-u", "-b", "20M" },
        new[] { "-t", "3", "-u", "-b", "20M", "-R", "-P", "2" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task SockClientAgainstIperf3Server(string[] args)
    {
        var port = FreePort.Tcp();
        await using var iperf = RunningProcess.Start(Peers.Iperf3, ["-s", "-1", "-p", port.ToString(CultureInfo.InvariantCulture), "--json"]);
        await WaitListeningAsync(port);
        var (code, stdout, stderr) = await SockCli.RunAsync([.. new[] { "perf", "-c", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "--json" }, .. args]);
        Assert.True(code == 0, stderr + stdout);
        Assert.Equal(0, await iperf.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        using var ours = JsonDocument.Parse(stdout);
        using var theirs = JsonDocument.Parse(iperf.Stdout);
        var reverse = args.Contains("-R");
        var udp = args.Contains("-u");
        var parallel = args.Contains("-P") ? int.Parse(args[Array.IndexOf(args, "-P") + 1], CultureInfo.InvariantCulture) : 1;
        var end = theirs.RootElement.GetProperty("end");
        Assert.Equal(parallel, theirs.RootElement.GetProperty("start").GetProperty("test_start").GetProperty("num_streams").GetInt32());
        Assert.Equal(reverse ? 1 : 0, theirs.RootElement.GetProperty("start").GetProperty("test_start").GetProperty("reverse").GetInt32());
        Assert.Equal(udp ? "UDP" : "TCP", theirs.RootElement.GetProperty("start").GetProperty("test_start").GetProperty("protocol").GetString());
        Assert.Equal(parallel, ours.RootElement.GetProperty("streams").GetArrayLength());
        // Sock sends (forward) or receives (reverse); iperf3 measured the other end of the same bytes.
        var ourSide = ours.RootElement.GetProperty(reverse ? "sum_received" : "sum_sent");
        var theirSide = end.GetProperty(reverse ? "sum_sent" : "sum_received");
        AssertClose(Bps(theirSide), Bps(ourSide), $"iperf3 {(reverse ? "sender" : "receiver")} vs sock {(reverse ? "receiver" : "sender")}");
        // The peer's half of sock's report is iperf3's own count, passed over the wire at the end.
        var exchanged = ours.RootElement.GetProperty(reverse ? "sum_sent" : "sum_received");
        Assert.Equal(theirSide.GetProperty("bytes").GetInt64(), exchanged.GetProperty("bytes").GetInt64());
        if (udp)
        {
            var receiver = reverse ? ours.RootElement.GetProperty("sum_received") : theirSide;
            var sockReceiver = ours.RootElement.GetProperty("sum_received");
            Assert.True(sockReceiver.GetProperty("packets").GetInt64() > 0);
            Assert.True(sockReceiver.TryGetProperty("lost", out _), "UDP loss is reported");
            if (!reverse)
            {
                Assert.Equal(receiver.GetProperty("packets").GetInt64(), sockReceiver.GetProperty("packets").GetInt64());
                Assert.Equal(receiver.GetProperty("lost_packets").GetInt64(), sockReceiver.GetProperty("lost").GetInt64());
            }
            // -b 20M per stream: the sender paces to it (a ceiling, not a timing assertion on the machine)
            Assert.InRange(Bps(ours.RootElement.GetProperty("sum_sent")) / parallel, 0, 20e6 * 1.05);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Iperf3ClientAgainstSockServer(string[] args)
    {
        var port = FreePort.Tcp();
        await using var server = SockCli.Start("perf", "-s", "-1", "-p", port.ToString(CultureInfo.InvariantCulture), "--json");
        await WaitListeningAsync(port);
        var (code, stdout, stderr) = await Run.Async(Peers.Iperf3, [.. new[] { "-c", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "--json" }, .. args]);
        Assert.True(code == 0, stderr + stdout);
        server.CloseStdin();
        Assert.Equal(0, await server.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        using var theirs = JsonDocument.Parse(stdout);
        using var ours = JsonDocument.Parse(server.Stdout);
        Assert.False(theirs.RootElement.TryGetProperty("error", out var error), error.ToString());
        var reverse = args.Contains("-R");
        var udp = args.Contains("-u");
        var end = theirs.RootElement.GetProperty("end");
        var parallel = args.Contains("-P") ? int.Parse(args[Array.IndexOf(args, "-P") + 1], CultureInfo.InvariantCulture) : 1;
        Assert.Equal(parallel, end.GetProperty("streams").GetArrayLength());
        Assert.Equal(parallel, ours.RootElement.GetProperty("parallel").GetInt32());
        Assert.Equal(reverse, ours.RootElement.GetProperty("reverse").GetBoolean());
        Assert.Equal(udp ? "UDP" : "TCP", ours.RootElement.GetProperty("protocol").GetString());
        // iperf3 sends (forward) and sock receives, or the other way round: each tool's own number.
        var theirSide = end.GetProperty(reverse ? "sum_received" : "sum_sent");
        var ourSide = ours.RootElement.GetProperty(reverse ? "sum_sent" : "sum_received");
        AssertClose(Bps(theirSide), Bps(ourSide), $"iperf3 {(reverse ? "receiver" : "sender")} vs sock {(reverse ? "sender" : "receiver")}");
        // And iperf3's line for sock's half is what sock reported: the results exchange carried it.
        var exchanged = end.GetProperty(reverse ? "sum_sent" : "sum_received");
        Assert.Equal(ourSide.GetProperty("bytes").GetInt64(), exchanged.GetProperty("bytes").GetInt64());
        if (udp && !reverse)
        {
            Assert.Equal(ourSide.GetProperty("packets").GetInt64(), exchanged.GetProperty("packets").GetInt64());
            Assert.Equal(ourSide.GetProperty("lost").GetInt64(), exchanged.GetProperty("lost_packets").GetInt64());
        }
    }

    /// <summary>
    /// Peers that lie: an absurd parameter length, parameters out of range, garbage for JSON, a
    /// data stream with the wrong cookie. Each is refused with SERVER_ERROR or ACCESS_DENIED and a
    /// one-line log; the server allocates nothing for the lie, keeps its memory, and then serves iperf3.
    /// </summary>
    [Fact]
    public async Task LyingClientsAreRefusedAndTheServerCarriesOn()
    {
        var port = FreePort.Tcp();
        await using var server = SockCli.Start("perf", "-s", "-p", port.ToString(CultureInfo.InvariantCulture), "-i", "0");
        await WaitListeningAsync(port);

        // 1. A parameter block announced as 4 GiB.
        using (var c = await ControlAsync(port))
        {
            await c.SendAsync(new byte[] { 0xFF, 0xFF, 0xFF, 0xF0 });
            Assert.Equal(unchecked((byte)-1), await ReadByteAsync(c)); // SERVER_ERROR
            var codes = new byte[8];
            await ReadExactlyAsync(c, codes);
            Assert.Equal(114, BinaryPrimitives.ReadInt32BigEndian(codes)); // IERECVPARAMS
        }
        await server.WaitForStderrAsync("announced 4294967280 bytes of parameters (limit 65536)", TimeSpan.FromSeconds(10));

        // 2. Parameters that ask for the impossible.
        using (var c = await ControlAsync(port))
        {
            await SendJsonAsync(c, """{"tcp":true,"omit":0,"time":10,"num":0,"blockcount":0,"parallel":100000,"len":131072}""");
            Assert.Equal(unchecked((byte)-1), await ReadByteAsync(c));
        }
        await server.WaitForStderrAsync("parameters rejected: parallel 100000 is outside 1-128", TimeSpan.FromSeconds(10));
        using (var c = await ControlAsync(port))
        {
            await SendJsonAsync(c, """{"udp":true,"time":10,"parallel":1,"len":2000000000}""");
            Assert.Equal(unchecked((byte)-1), await ReadByteAsync(c));
        }
        await server.WaitForStderrAsync("parameters rejected: len 2000000000 is outside 16-65507", TimeSpan.FromSeconds(10));

        // 3. Not JSON at all.
        using (var c = await ControlAsync(port))
        {
            await SendJsonAsync(c, "{{{{ this is not json");
            Assert.Equal(unchecked((byte)-1), await ReadByteAsync(c));
        }
        await server.WaitForStderrAsync("sent invalid parameters", TimeSpan.FromSeconds(10));

        // 4. A data stream with someone else's cookie while a test is creating its streams.
        using (var c = await ControlAsync(port))
        {
            await SendJsonAsync(c, """{"tcp":true,"time":10,"parallel":1,"len":131072}""");
            Assert.Equal(10, await ReadByteAsync(c)); // CREATE_STREAMS
            using var intruder = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await intruder.ConnectAsync(IPAddress.Loopback, port, TestContext.Current.CancellationToken);
            await intruder.SendAsync(Encoding.ASCII.GetBytes("wrongcookiewrongcookiewrongcookie123\0"));
            Assert.Equal(unchecked((byte)-2), await ReadByteAsync(intruder)); // ACCESS_DENIED
            Assert.Equal(0, await intruder.ReceiveAsync(new byte[1])); // and closed
        } // the control connection leaves: the test ends at once
        await server.WaitForStderrAsync("the client left while its streams were being created", TimeSpan.FromSeconds(10));

        // Bounded memory: the lies cost no allocation of what they announced.
        var peakKb = PeakRssKb(server.Id);
        Assert.InRange(peakKb, 1, 300 * 1024);

        // And a real iperf3 is served afterwards.
        var (code, stdout, stderr) = await Run.Async(Peers.Iperf3, "-c", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "-t", "1", "--json");
        Assert.True(code == 0, stderr + stdout);
        Assert.Equal(0, server.Stderr.Split('\n').Count(l => l.Length > 0 && !l.StartsWith("sock: perf -s: client 127.0.0.1, port ", StringComparison.Ordinal)));
        server.Kill();
    }

    /// <summary>A server that lies to `sock perf -c`: a results block announced as 2 GiB. One line, exit 1, no allocation.</summary>
    [Fact]
    public async Task LyingServerIsReportedInOneLine()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(4);
        var port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        var liar = Task.Run(async () =>
        {
            using var c = await listener.AcceptAsync();
            await ReadExactlyAsync(c, new byte[37]);
            await c.SendAsync(new byte[] { 9 }); // PARAM_EXCHANGE
            var length = new byte[4];
            await ReadExactlyAsync(c, length);
            var parameters = new byte[BinaryPrimitives.ReadInt32BigEndian(length)];
            await ReadExactlyAsync(c, parameters);
            await c.SendAsync(new byte[] { 13, 0x7F, 0xFF, 0xFF, 0xFF }); // EXCHANGE_RESULTS, then a 2 GiB results block
            var sink = new byte[4096];
            while (await c.ReceiveAsync(sink) > 0) { }
            return Encoding.UTF8.GetString(parameters);
        });
        var (code, stdout, stderr) = await SockCli.RunAsync("perf", "-c", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "-t", "1");
        Assert.Equal(1, code);
        Assert.Equal($"sock: perf 127.0.0.1:{port}: the peer announced 2147483647 bytes of results (limit 1048576): not an iperf3 peer, or a lying one\n", stderr);
        using var sent = JsonDocument.Parse(await liar);
        Assert.True(sent.RootElement.GetProperty("tcp").GetBoolean());
        Assert.Equal(131072, sent.RootElement.GetProperty("len").GetInt32());
        Assert.Contains("Connecting to host 127.0.0.1", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadUsageAndRefusedConnection()
    {
        Assert.Equal(2, (await SockCli.RunAsync("perf")).Code);
        Assert.Equal(2, (await SockCli.RunAsync("perf", "-s", "-c", "127.0.0.1")).Code);
        Assert.Equal(2, (await SockCli.RunAsync("perf", "-c", "127.0.0.1", "-P", "0")).Code);
        Assert.Equal(2, (await SockCli.RunAsync("perf", "-c", "127.0.0.1", "-n", "12Q")).Code);
        Assert.Equal(2, (await SockCli.RunAsync("perf", "-c", "127.0.0.1", "-u", "-l", "70000")).Code);
        using var closed = FreePort.Refusing(out var port);
        var refused = await SockCli.RunAsync("perf", "-c", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture));
        Assert.Equal((1, $"sock: perf 127.0.0.1:{port}: connect: connection refused (ECONNREFUSED)\n"), (refused.Code, refused.Stderr));
    }

    private static double Bps(JsonElement e) => e.GetProperty("bits_per_second").GetDouble();

    private static void AssertClose(double expected, double actual, string what)
    {
        Assert.True(expected > 0 && actual > 0, $"{what}: {expected} vs {actual}");
        var diff = Math.Abs(actual - expected) / expected;
        Assert.True(diff <= Tolerance, $"{what}: {expected:0} vs {actual:0} bits/s differ by {diff:P1}");
    }

    /// <summary>Waits for a TCP listener on the port by reading /proc/net/tcp{,6}: a probe connection would count as a client to iperf3 -s -1.</summary>
    private static async Task WaitListeningAsync(int port)
    {
        var hex = port.ToString("X4", CultureInfo.InvariantCulture);
        for (var i = 0; i < 400; i++)
        {
            foreach (var file in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
            {
                foreach (var line in File.ReadLines(file).Skip(1))
                {
                    var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    if (f.Length > 3 && f[1].EndsWith(":" + hex, StringComparison.Ordinal) && f[3] == "0A") return;
                }
            }
            await Task.Delay(25);
        }
        Assert.Fail($"nothing listens on port {port} after 10 s");
    }

    private static async Task<Socket> ControlAsync(int port)
    {
        var c = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await c.ConnectAsync(IPAddress.Loopback, port, TestContext.Current.CancellationToken);
        await c.SendAsync(Encoding.ASCII.GetBytes("abcdefghijklmnopqrstuvwxyz2345672345\0"));
        Assert.Equal(9, await ReadByteAsync(c)); // PARAM_EXCHANGE
        return c;
    }

    private static async Task SendJsonAsync(Socket c, string json)
    {
        var body = Encoding.UTF8.GetBytes(json);
        var packet = new byte[4 + body.Length];
        BinaryPrimitives.WriteInt32BigEndian(packet, body.Length);
        body.CopyTo(packet, 4);
        await c.SendAsync(packet);
    }

    private static async Task<byte> ReadByteAsync(Socket c)
    {
        var one = new byte[1];
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        Assert.Equal(1, await c.ReceiveAsync(one, SocketFlags.None, limit.Token));
        return one[0];
    }

    private static async Task ReadExactlyAsync(Socket c, byte[] buffer)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        for (var got = 0; got < buffer.Length;)
        {
            var n = await c.ReceiveAsync(buffer.AsMemory(got), SocketFlags.None, limit.Token);
            Assert.True(n > 0, "peer closed early");
            got += n;
        }
    }

    private static long PeakRssKb(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }
}
