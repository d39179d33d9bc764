using System.Text.RegularExpressions;
using Sock.Interop.Tests.Infrastructure;

namespace Sock.Interop.Tests.Transfer;

/// <summary>
/// A private magic-wormhole world on loopback: Debian's mailbox server and transit relay on free
/// ports, in a temporary directory (the mailbox keeps an sqlite file in its working directory).
/// </summary>
internal sealed class WormholeServers : IAsyncDisposable
{
    private readonly RunningProcess _mailbox;
    private readonly RunningProcess _relay;
    private readonly TempDir _dir;

    public int MailboxPort { get; }
    public int RelayPort { get; }
    public string MailboxUrl => $"ws://127.0.0.1:{MailboxPort}/v1";
    public string TransitHelper => $"tcp:127.0.0.1:{RelayPort}";

    private WormholeServers(TempDir dir, RunningProcess mailbox, RunningProcess relay, int mailboxPort, int relayPort)
    {
        (_dir, _mailbox, _relay, MailboxPort, RelayPort) = (dir, mailbox, relay, mailboxPort, relayPort);
    }

    public static async Task<WormholeServers> StartAsync()
    {
        var twist = Peers.Require("twist3", "python3-twisted");
        Peers.Require("wormhole", "magic-wormhole");
        var dir = FreePort.TempDir();
        var mailboxPort = FreePort.Tcp();
        var relayPort = FreePort.Tcp();
        var mailbox = RunningProcess.Start(twist, ["wormhole-mailbox", $"--port=tcp:{mailboxPort}:interface=127.0.0.1"], dir.Path);
        var relay = RunningProcess.Start(twist, ["transitrelay", $"--port=tcp:{relayPort}:interface=127.0.0.1"], dir.Path);
        var servers = new WormholeServers(dir, mailbox, relay, mailboxPort, relayPort);
        try
        {
            await FreePort.WaitListeningAsync(mailboxPort, TimeSpan.FromSeconds(30));
            await FreePort.WaitListeningAsync(relayPort, TimeSpan.FromSeconds(30));
        }
        catch
        {
            await servers.DisposeAsync();
            throw;
        }
        return servers;
    }

    /// <summary>The real `wormhole` client pointed at these servers.</summary>
    public RunningProcess Wormhole(string workingDirectory, params string[] args) =>
        RunningProcess.Start(Peers.Require("wormhole", "magic-wormhole"), ["--relay-url", MailboxUrl, "--transit-helper", TransitHelper, .. args], workingDirectory);

    /// <summary>`sock ARGS --wormhole-url … --transit-helper …`.</summary>
    public RunningProcess Sock(string workingDirectory, params string[] args) =>
        SockCli.Start([.. args, "--wormhole-url", MailboxUrl, "--transit-helper", TransitHelper], workingDirectory);

    public async ValueTask DisposeAsync()
    {
        await _mailbox.DisposeAsync();
        await _relay.DisposeAsync();
        _dir.Dispose();
    }
}

/// <summary>sock against the real magic-wormhole client, mailbox server and transit relay (Debian's packages).</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed partial class WormholeTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [GeneratedRegex(@"wormhole code is: (\S+)")]
    private static partial Regex CodePattern();

    private static async Task<string> CodeOf(RunningProcess sender)
    {
        await sender.WaitForStderrAsync("wormhole code is: ", Wait);
        return CodePattern().Match(sender.Stderr).Groups[1].Value;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // neither side listens: the bytes go through the transit relay
    public async Task WormholeSendFileToSockRecv(bool relayOnly)
    {
        await using var servers = await WormholeServers.StartAsync();
        using var dir = FreePort.TempDir();
        var data = TransferHarness.RandomFile(dir.File("src/report.bin"), 3_000_000);
        Directory.CreateDirectory(dir.File("out"));
        string[] noListen = relayOnly ? ["--no-listen"] : [];
        await using var wormhole = servers.Wormhole(dir.File("src"), ["send", .. noListen, "--hide-progress", "--code", "4-purple-sausages", "report.bin"]);
        await wormhole.WaitForStderrAsync("Wormhole code is", Wait);
        await using var sock = servers.Sock(dir.Path, ["recv", "--wormhole", "4-purple-sausages", "-o", "out", "--json", .. noListen]);
        Assert.Equal(0, await sock.WaitForExitAsync(Wait));
        Assert.Equal(0, await wormhole.WaitForExitAsync(Wait));
        Assert.Equal(data, File.ReadAllBytes(dir.File("out/report.bin")));
        Assert.Contains("Confirmation received. Transfer complete.", wormhole.Stderr, StringComparison.Ordinal);
        var json = TransferHarness.Json(sock.Stdout);
        Assert.True(json.GetProperty("ok").GetBoolean());
        Assert.Equal("sha256", json.GetProperty("hash").GetString());
        Assert.StartsWith(relayOnly ? "relay 127.0.0.1:" : "direct", json.GetProperty("peer").GetString(), StringComparison.Ordinal);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(data)),
            json.GetProperty("entries")[0].GetProperty("hash").GetString());
        Assert.False(File.Exists(dir.File("out/report.bin.part")));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task SockSendDirectoryToWormholeReceive(bool relayOnly)
    {
        await using var servers = await WormholeServers.StartAsync();
        using var dir = FreePort.TempDir();
        TransferHarness.RandomFile(dir.File("photos/a.jpg"), 700_000, seed: 1);
        TransferHarness.RandomFile(dir.File("photos/2024/b.raw"), 123_457, seed: 2);
        Directory.CreateDirectory(dir.File("photos/2024/deep"));
        File.WriteAllText(dir.File("photos/2024/deep/nötes.txt"), "a non-ASCII name inside\n");
        File.SetUnixFileMode(dir.File("photos/a.jpg"), (UnixFileMode)0b111_101_000); // 0750
        Directory.CreateDirectory(dir.File("out"));
        string[] noListen = relayOnly ? ["--no-listen"] : [];
        await using var sock = servers.Sock(dir.Path, ["send", "--wormhole", "photos", .. noListen]);
        var code = await CodeOf(sock);
        Assert.Matches(@"^\d+-[a-z]+-[a-z]+$", code);
        await using var wormhole = servers.Wormhole(dir.File("out"), ["receive", .. noListen, "--accept-file", "--hide-progress", code]);
        Assert.Equal(0, await wormhole.WaitForExitAsync(Wait));
        Assert.Equal(0, await sock.WaitForExitAsync(Wait));
        Assert.Equal(TransferHarness.Listing(dir.File("photos")), TransferHarness.Listing(dir.File("out/photos")));
        foreach (var f in new[] { "a.jpg", "2024/b.raw", "2024/deep/nötes.txt" })
            Assert.Equal(File.ReadAllBytes(dir.File("photos/" + f)), File.ReadAllBytes(dir.File("out/photos/" + f)));
        Assert.Equal((UnixFileMode)0b111_101_000, File.GetUnixFileMode(dir.File("out/photos/a.jpg")));
        Assert.Contains("sock: sent 3 files, 1 directory", sock.Stderr, StringComparison.Ordinal);
        Assert.Contains(relayOnly ? "sending via relay" : "sending via direct", sock.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SockSendFileToWormholeReceive()
    {
        await using var servers = await WormholeServers.StartAsync();
        using var dir = FreePort.TempDir();
        var data = TransferHarness.RandomFile(dir.File("big file.bin"), 5_000_000);
        Directory.CreateDirectory(dir.File("out"));
        await using var sock = servers.Sock(dir.Path, ["send", "--wormhole", "big file.bin", "--code", "12-ahead-aztec"]);
        Assert.Equal("12-ahead-aztec", await CodeOf(sock));
        await using var wormhole = servers.Wormhole(dir.File("out"), ["receive", "--accept-file", "--hide-progress", "12-ahead-aztec"]);
        Assert.Equal(0, await wormhole.WaitForExitAsync(Wait));
        Assert.Equal(0, await sock.WaitForExitAsync(Wait));
        Assert.Equal(data, File.ReadAllBytes(dir.File("out/big file.bin")));
    }

    [Fact]
    public async Task SockToSockThroughWormholeServersKeepsExistingFiles()
    {
        await using var servers = await WormholeServers.StartAsync();
        using var dir = FreePort.TempDir();
        var data = TransferHarness.RandomFile(dir.File("a.bin"), 100_000);
        Directory.CreateDirectory(dir.File("out"));
        File.WriteAllText(dir.File("out/a.bin"), "already here");
        await using var sender = servers.Sock(dir.Path, ["send", "--wormhole", "a.bin"]);
        var code = await CodeOf(sender);
        // The code from standard input, as a script would give it: never on the command line.
        await using var receiver = servers.Sock(dir.Path, ["recv", "--wormhole", "--code-stdin", "-o", "out"]);
        await receiver.WriteAsync(code + "\n");
        Assert.Equal(0, await receiver.WaitForExitAsync(Wait));
        Assert.Equal(0, await sender.WaitForExitAsync(Wait));
        Assert.Equal("already here", File.ReadAllText(dir.File("out/a.bin")));
        Assert.Equal(data, File.ReadAllBytes(dir.File("out/a (1).bin")));
        Assert.Contains("a.bin exists; saved as", receiver.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrongCodeFailsBothSidesAndWritesNothing()
    {
        await using var servers = await WormholeServers.StartAsync();
        using var dir = FreePort.TempDir();
        TransferHarness.RandomFile(dir.File("src/secret.bin"), 10_000);
        Directory.CreateDirectory(dir.File("out"));
        await using var wormhole = servers.Wormhole(dir.File("src"), ["send", "--hide-progress", "--code", "9-right-words", "secret.bin"]);
        await wormhole.WaitForStderrAsync("Wormhole code is", Wait);
        await using var sock = servers.Sock(dir.Path, ["recv", "--wormhole", "9-wrong-words", "-o", "out"]);
        Assert.Equal(1, await sock.WaitForExitAsync(Wait));
        Assert.Equal(1, await wormhole.WaitForExitAsync(Wait));
        var line = Assert.Single(sock.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("sock: wrong code", line, StringComparison.Ordinal);
        Assert.Contains("Key confirmation failed", wormhole.Stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.File("out")));

        // And the other way round: sock sends, wormhole types it wrong.
        await using var sender = servers.Sock(dir.Path, ["send", "--wormhole", "src/secret.bin", "--code", "10-right-words"]);
        await CodeOf(sender);
        await using var receiver = servers.Wormhole(dir.File("out"), ["receive", "--accept-file", "--hide-progress", "10-wrong-words"]);
        Assert.Equal(1, await receiver.WaitForExitAsync(Wait));
        Assert.Equal(1, await sender.WaitForExitAsync(Wait));
        Assert.Contains("sock: wrong code", sender.Stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.File("out")));
    }

    [Fact]
    public async Task TextMessageFromWormholeIsPrinted()
    {
        await using var servers = await WormholeServers.StartAsync();
        using var dir = FreePort.TempDir();
        await using var wormhole = servers.Wormhole(dir.Path, ["send", "--code", "3-text-message", "--text", "hello from wormhole"]);
        await wormhole.WaitForStderrAsync("Wormhole code is", Wait);
        await using var sock = servers.Sock(dir.Path, ["recv", "--wormhole", "3-text-message"]);
        Assert.Equal(0, await sock.WaitForExitAsync(Wait));
        Assert.Equal(0, await wormhole.WaitForExitAsync(Wait));
        Assert.Equal("hello from wormhole\n", sock.Stdout);
    }

    [Theory]
    [InlineData("recv", "--wormhole", "not-a-code")]
    [InlineData("recv", "--wormhole", "7")]
    [InlineData("recv", "--wormhole", "--listen", "0")]
    [InlineData("send", "--wormhole", "a", "b")]
    [InlineData("send", "x", "--code", "7-a-b")]
    [InlineData("recv", "--wormhole", "--wormhole-url", "http://x/v1", "7-a-b")]
    [InlineData("recv", "--wormhole", "--transit-helper", "nonsense", "7-a-b")]
    public async Task BadUsageIsOneLineAndExit2(params string[] args)
    {
        var (code, _, stderr) = await SockCli.RunAsync(args);
        Assert.Equal(2, code);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("sock: ", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoCodeAndNoTerminalIsAUsageError()
    {
        await using var sock = SockCli.Start("recv", "--wormhole");
        sock.CloseStdin();
        Assert.Equal(2, await sock.WaitForExitAsync(Wait));
        Assert.Contains("--code-stdin", sock.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnreachableMailboxIsOneLineExit1()
    {
        var port = FreePort.Tcp();
        var (code, _, stderr) = await SockCli.RunAsync("recv", "--wormhole", "7-a-b", "--wormhole-url", $"ws://127.0.0.1:{port}/v1");
        Assert.Equal(1, code);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"sock: cannot reach the wormhole mailbox server ws://127.0.0.1:{port}/v1", line, StringComparison.Ordinal);
    }
}
