using System.Text.RegularExpressions;
using Sock.Interop.Tests.Infrastructure;

namespace Sock.Interop.Tests.Transfer;

/// <summary>`sock relay` as the mailbox server and transit relay of the real magic-wormhole clients, and of sock's own.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed partial class RelayTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [GeneratedRegex(@"ode is: (\S+)")]
    private static partial Regex CodePattern();

    private static async Task<(RunningProcess Relay, int Port)> StartRelayAsync(params string[] extra)
    {
        var port = FreePort.Tcp();
        var relay = SockCli.Start(["relay", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", .. extra], null);
        await relay.WaitForStderrAsync("relay listening on port", Wait);
        return (relay, port);
    }

    private static string[] Wormhole(int port) => ["--relay-url", $"ws://127.0.0.1:{port}/v1", "--transit-helper", $"tcp:127.0.0.1:{port}"];

    private static string[] SockFlags(int port) => ["--wormhole-url", $"ws://127.0.0.1:{port}/v1", "--transit-helper", $"tcp:127.0.0.1:{port}"];

    [Fact]
    public async Task RealWormholeClientsThroughSockRelay()
    {
        var wormhole = Peers.Require("wormhole", "magic-wormhole");
        var (relay, port) = await StartRelayAsync();
        await using var _ = relay;
        using var dir = FreePort.TempDir();
        var data = TransferHarness.RandomFile(dir.File("src/movie.bin"), 4_000_000);
        Directory.CreateDirectory(dir.File("out"));
        // Neither client listens, so the bytes must go through sock relay's transit half.
        await using var sender = RunningProcess.Start(wormhole, [.. Wormhole(port), "send", "--no-listen", "--hide-progress", "movie.bin"], dir.File("src"));
        await sender.WaitForStderrAsync("Wormhole code is: ", Wait);
        var code = CodePattern().Match(sender.Stderr).Groups[1].Value;
        await using var receiver = RunningProcess.Start(wormhole, [.. Wormhole(port), "receive", "--no-listen", "--accept-file", "--hide-progress", code], dir.File("out"));
        Assert.Equal(0, await receiver.WaitForExitAsync(Wait));
        Assert.Equal(0, await sender.WaitForExitAsync(Wait));
        Assert.Equal(data, File.ReadAllBytes(dir.File("out/movie.bin")));
        await relay.WaitForStderrAsync("transit #1: 127.0.0.1 ⇄ 127.0.0.1", Wait);
        // One line, sizes only: never the code or the file's name.
        var line = relay.Stderr.Split('\n').Single(l => l.Contains("transit #1", StringComparison.Ordinal));
        Assert.Matches(@"transit #1: 127\.0\.0\.1 ⇄ 127\.0\.0\.1, \d+ bytes one way, \d+ the other, [\d.]+ s$", line);
        Assert.DoesNotContain("movie", relay.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(code, relay.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SockAndWormholeThroughSockRelayBothWays()
    {
        var wormhole = Peers.Require("wormhole", "magic-wormhole");
        var (relay, port) = await StartRelayAsync();
        await using var _ = relay;
        using var dir = FreePort.TempDir();
        TransferHarness.RandomFile(dir.File("tree/x/a.bin"), 300_000, seed: 3);
        TransferHarness.RandomFile(dir.File("tree/b.bin"), 1000, seed: 4);
        Directory.CreateDirectory(dir.File("out1"));
        Directory.CreateDirectory(dir.File("out2"));

        await using var sockSend = SockCli.Start(["send", "--wormhole", "tree", "--no-listen", .. SockFlags(port)], dir.Path);
        await sockSend.WaitForStderrAsync("wormhole code is: ", Wait);
        var code = CodePattern().Match(sockSend.Stderr).Groups[1].Value;
        await using var wormholeReceive = RunningProcess.Start(wormhole, [.. Wormhole(port), "receive", "--no-listen", "--accept-file", "--hide-progress", code], dir.File("out1"));
        Assert.Equal(0, await wormholeReceive.WaitForExitAsync(Wait));
        Assert.Equal(0, await sockSend.WaitForExitAsync(Wait));
        Assert.Equal(File.ReadAllBytes(dir.File("tree/x/a.bin")), File.ReadAllBytes(dir.File("out1/tree/x/a.bin")));

        await using var wormholeSend = RunningProcess.Start(wormhole, [.. Wormhole(port), "send", "--no-listen", "--hide-progress", "tree"], dir.Path);
        await wormholeSend.WaitForStderrAsync("Wormhole code is: ", Wait);
        var code2 = CodePattern().Match(wormholeSend.Stderr).Groups[1].Value;
        await using var sockRecv = SockCli.Start(["recv", "--wormhole", code2, "--no-listen", "-o", "out2", .. SockFlags(port)], dir.Path);
        Assert.Equal(0, await sockRecv.WaitForExitAsync(Wait));
        Assert.Equal(0, await wormholeSend.WaitForExitAsync(Wait));
        Assert.Equal(TransferHarness.Listing(dir.File("tree")), TransferHarness.Listing(dir.File("out2/tree")));
        Assert.Equal(File.ReadAllBytes(dir.File("tree/b.bin")), File.ReadAllBytes(dir.File("out2/tree/b.bin")));
        Assert.Contains("via relay 127.0.0.1:", sockRecv.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrongCodeThroughSockRelay()
    {
        var (relay, port) = await StartRelayAsync();
        await using var _ = relay;
        using var dir = FreePort.TempDir();
        TransferHarness.RandomFile(dir.File("f.bin"), 1000);
        Directory.CreateDirectory(dir.File("out"));
        await using var sender = SockCli.Start(["send", "--wormhole", "f.bin", "--code", "5-correct-horse", .. SockFlags(port)], dir.Path);
        await sender.WaitForStderrAsync("wormhole code is: ", Wait);
        await using var receiver = SockCli.Start(["recv", "--wormhole", "5-battery-staple", "-o", "out", .. SockFlags(port)], dir.Path);
        Assert.Equal(1, await receiver.WaitForExitAsync(Wait));
        Assert.Equal(1, await sender.WaitForExitAsync(Wait));
        Assert.StartsWith("sock: wrong code", receiver.Stderr, StringComparison.Ordinal);
        Assert.StartsWith("sock: wrong code", sender.Stderr.Split('\n').Last(l => l.Length > 0), StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.File("out")));
    }

    /// <summary>What the relay's network sees (tcpdump on loopback): no 32-byte piece of the file, not its name.</summary>
    [Fact]
    public async Task PacketCaptureOfTheRelayHoldsNoPlaintext()
    {
        var tcpdump = Peers.Require("tcpdump", "tcpdump");
        var (relay, port) = await StartRelayAsync();
        await using var _ = relay;
        using var dir = FreePort.TempDir();
        var data = TransferHarness.RandomFile(dir.File("classified-plans.bin"), 1_000_000, seed: 9);
        Directory.CreateDirectory(dir.File("out"));
        await using var capture = RunningProcess.Start(tcpdump, ["-Z", "root", "-U", "-i", "lo", "-w", dir.File("relay.pcap"), "port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await capture.WaitForStderrAsync("listening on", Wait);
        await using var sender = SockCli.Start(["send", "--wormhole", "classified-plans.bin", "--no-listen", .. SockFlags(port)], dir.Path);
        await sender.WaitForStderrAsync("wormhole code is: ", Wait);
        var code = CodePattern().Match(sender.Stderr).Groups[1].Value;
        await using var receiver = SockCli.Start(["recv", "--wormhole", code, "--no-listen", "-o", "out", .. SockFlags(port)], dir.Path);
        Assert.Equal(0, await receiver.WaitForExitAsync(Wait));
        Assert.Equal(0, await sender.WaitForExitAsync(Wait));
        Assert.Equal(data, File.ReadAllBytes(dir.File("out/classified-plans.bin")));
        await relay.WaitForStderrAsync("transit #1", Wait);
        await Task.Delay(1000, TestContext.Current.CancellationToken); // the last packets reach the capture file
        capture.Signal(2);
        await capture.WaitForExitAsync(Wait);
        var pcap = File.ReadAllBytes(dir.File("relay.pcap"));
        Assert.True(pcap.Length > data.Length, "the capture holds the relayed transfer");
        for (var i = 0; i + 32 <= data.Length; i += 4096)
            Assert.True(pcap.AsSpan().IndexOf(data.AsSpan(i, 32)) < 0, $"bytes {i}..{i + 32} of the file appear in the capture");
        Assert.True(pcap.AsSpan().IndexOf("classified-plans"u8) < 0, "the file name appears in the capture");
        Assert.True(pcap.AsSpan().IndexOf(System.Text.Encoding.ASCII.GetBytes(code)) < 0, "the code appears in the capture");
    }

    [Fact]
    public async Task PerAddressLimitRefusesExtraConnections()
    {
        var (relay, port) = await StartRelayAsync("--per-address", "2");
        await using var _ = relay;
        using var s1 = new System.Net.Sockets.TcpClient();
        using var s2 = new System.Net.Sockets.TcpClient();
        using var s3 = new System.Net.Sockets.TcpClient();
        await s1.ConnectAsync("127.0.0.1", port, TestContext.Current.CancellationToken);
        await s2.ConnectAsync("127.0.0.1", port, TestContext.Current.CancellationToken);
        await s3.ConnectAsync("127.0.0.1", port, TestContext.Current.CancellationToken);
        await relay.WaitForStderrAsync("refused 127.0.0.1: more than 2 connections from one address", Wait);
        var buffer = new byte[1];
        using var timeout = new CancellationTokenSource(Wait);
        Assert.Equal(0, await s3.GetStream().ReadAsync(buffer, timeout.Token));
    }

    [Theory]
    [InlineData("relay", "--port", "70000")]
    [InlineData("relay", "--per-address", "0")]
    [InlineData("relay", "--bind", "not-an-address")]
    public async Task BadRelayUsage(params string[] args)
    {
        var (code, _, stderr) = await SockCli.RunAsync(args);
        Assert.Equal(2, code);
        Assert.StartsWith("sock: ", stderr, StringComparison.Ordinal);
    }
}
