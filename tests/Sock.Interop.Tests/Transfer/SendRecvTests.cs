using Sock.Interop.Tests.Infrastructure;
using static Sock.Interop.Tests.Transfer.TransferHarness;

namespace Sock.Interop.Tests.Transfer;

/// <summary>`sock send` → `sock recv` between two real processes: either side listening, trees, names, attributes.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class SendRecvTests
{
    [Fact]
    public async Task SingleFile_ReceiverListens_IdenticalWithModeAndMtime()
    {
        using var dir = FreePort.TempDir();
        var data = RandomFile(dir.File("src/data.bin"), 3 << 20);
        File.SetUnixFileMode(dir.File("src/data.bin"), (UnixFileMode)0x1E0); // 0740
        var mtime = new DateTime(2020, 2, 3, 4, 5, 6, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(dir.File("src/data.bin"), mtime);

        var (recv, port) = await StartListeningAsync("recv", "-o", dir.File("out"), "--json");
        await using var _ = recv;
        var send = await SockCli.RunAsync("send", dir.File("src/data.bin"), $"127.0.0.1:{port}", "--json");
        Assert.True(send.Code == 0, send.Stderr);
        Assert.Equal(0, await recv.WaitForExitAsync(Wait));

        Assert.Equal(data, File.ReadAllBytes(dir.File("out/data.bin")));
        Assert.Equal((UnixFileMode)0x1E0, File.GetUnixFileMode(dir.File("out/data.bin")));
        Assert.Equal(mtime, File.GetLastWriteTimeUtc(dir.File("out/data.bin")));
        Assert.False(File.Exists(dir.File("out/data.bin.part")));
        var summary = Json(send.Stdout);
        Assert.True(summary.GetProperty("ok").GetBoolean());
        Assert.Equal(3 << 20, summary.GetProperty("bytes_transferred").GetInt64());
        Assert.Equal("xxh128", summary.GetProperty("hash").GetString());
        Assert.Equal(summary.GetProperty("entries")[0].GetProperty("hash").GetString(),
            Json(recv.Stdout).GetProperty("entries")[0].GetProperty("hash").GetString());
    }

    [Fact]
    public async Task Tree_SenderListens_UnicodeEmptyFilesAndEmptyDirsArrive()
    {
        using var dir = FreePort.TempDir();
        RandomFile(dir.File("tree/a/b/deep.bin"), 100_000);
        File.WriteAllText(dir.File("tree/中文文件名.txt"), "你好\n");
        File.WriteAllBytes(dir.File("tree/a/empty.txt"), []);
        Directory.CreateDirectory(dir.File("tree/empty-dir/inner-empty"));
        var single = RandomFile(dir.File("one.bin"), 1234, seed: 7);

        var (send, port) = await StartListeningAsync("send", dir.File("tree"), dir.File("one.bin"), "--json");
        await using var _ = send;
        var recv = await SockCli.RunAsync("recv", $"127.0.0.1:{port}", "-o", dir.File("out"));
        Assert.True(recv.Code == 0, recv.Stderr);
        Assert.Equal(0, await send.WaitForExitAsync(Wait));

        Assert.Equal(Listing(dir.File("tree")), Listing(dir.File("out/tree")));
        Assert.Equal("你好\n", File.ReadAllText(dir.File("out/tree/中文文件名.txt")));
        Assert.Empty(File.ReadAllBytes(dir.File("out/tree/a/empty.txt")));
        Assert.True(Directory.Exists(dir.File("out/tree/empty-dir/inner-empty")));
        Assert.Equal(File.ReadAllBytes(dir.File("tree/a/b/deep.bin")), File.ReadAllBytes(dir.File("out/tree/a/b/deep.bin")));
        Assert.Equal(single, File.ReadAllBytes(dir.File("out/one.bin")));
        Assert.Matches(@"received 4 files, 5 directories, .* xxh128 verified", recv.Stderr);
        Assert.Equal(4, Json(send.Stdout).GetProperty("files").GetInt32());
    }

    [Fact]
    public async Task Sha256_IsUsedWhenAsked()
    {
        using var dir = FreePort.TempDir();
        var data = RandomFile(dir.File("f.bin"), 50_000);
        var (recv, port) = await StartListeningAsync("recv", "-o", dir.File("out"), "--json");
        await using var _ = recv;
        var send = await SockCli.RunAsync("send", "--hash", "sha256", dir.File("f.bin"), $"127.0.0.1:{port}");
        Assert.True(send.Code == 0, send.Stderr);
        Assert.Equal(0, await recv.WaitForExitAsync(Wait));
        var entry = Json(recv.Stdout).GetProperty("entries")[0];
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(data)), entry.GetProperty("hash").GetString());
    }

    [Fact]
    public async Task ExistingFile_IsKept_NewOneSavedAsNumberedName_OrReplacedWithOverwrite()
    {
        using var dir = FreePort.TempDir();
        var data = RandomFile(dir.File("report.txt"), 1000);
        Directory.CreateDirectory(dir.File("out"));
        File.WriteAllText(dir.File("out/report.txt"), "old");
        File.WriteAllText(dir.File("out/report (1).txt"), "older");

        var (recv, port) = await StartListeningAsync("recv", "-o", dir.File("out"));
        await using (recv)
        {
            Assert.Equal(0, (await SockCli.RunAsync("send", dir.File("report.txt"), $"127.0.0.1:{port}")).Code);
            Assert.Equal(0, await recv.WaitForExitAsync(Wait));
            Assert.Contains("saved as", recv.Stderr);
        }
        Assert.Equal("old", File.ReadAllText(dir.File("out/report.txt")));
        Assert.Equal("older", File.ReadAllText(dir.File("out/report (1).txt")));
        Assert.Equal(data, File.ReadAllBytes(dir.File("out/report (2).txt")));

        var (recv2, port2) = await StartListeningAsync("recv", "-o", dir.File("out"), "--overwrite");
        await using (recv2)
        {
            Assert.Equal(0, (await SockCli.RunAsync("send", dir.File("report.txt"), $"127.0.0.1:{port2}")).Code);
            Assert.Equal(0, await recv2.WaitForExitAsync(Wait));
        }
        Assert.Equal(data, File.ReadAllBytes(dir.File("out/report.txt")));
        Assert.False(File.Exists(dir.File("out/report (3).txt")));
    }

    [Fact]
    public async Task Tls_SelfSignedReceiver_PinnedSender()
    {
        using var dir = FreePort.TempDir();
        var data = RandomFile(dir.File("secret.bin"), 200_000);
        var (recv, port) = await StartListeningAsync("recv", "--tls", "-o", dir.File("out"));
        await using var _ = recv;
        await recv.WaitForStderrAsync("--pin ", Wait);
        var pin = System.Text.RegularExpressions.Regex.Match(recv.Stderr, "--pin ([0-9A-F]{64})").Groups[1].Value;

        var wrong = await SockCli.RunAsync("send", "--tls", "--pin", new string('0', 64), dir.File("secret.bin"), $"127.0.0.1:{port}");
        Assert.Equal(1, wrong.Code);
        Assert.Contains("does not match", wrong.Stderr);

        var send = await SockCli.RunAsync("send", "--pin", pin, dir.File("secret.bin"), $"localhost:{port}");
        Assert.True(send.Code == 0, send.Stderr);
        Assert.Equal(0, await recv.WaitForExitAsync(Wait));
        Assert.Equal(data, File.ReadAllBytes(dir.File("out/secret.bin")));
    }

    [Fact]
    public async Task PortProbe_BeforeTheRealSender_IsIgnored()
    {
        using var dir = FreePort.TempDir();
        var data = RandomFile(dir.File("f.bin"), 10_000);
        var (recv, port) = await StartListeningAsync("recv", "-o", dir.File("out"));
        await using var _ = recv;
        await FreePort.WaitListeningAsync(port, Wait); // connects and closes without a byte
        Assert.Equal(0, (await SockCli.RunAsync("send", dir.File("f.bin"), $"127.0.0.1:{port}")).Code);
        Assert.Equal(0, await recv.WaitForExitAsync(Wait));
        Assert.Equal(data, File.ReadAllBytes(dir.File("out/f.bin")));
    }

    [Fact]
    public async Task BadUsage_ExitsTwo()
    {
        var both = await SockCli.RunAsync("send", "x", "127.0.0.1:1", "--listen", "5");
        Assert.Equal(2, both.Code);
        var neither = await SockCli.RunAsync("recv");
        Assert.Equal(2, neither.Code);
        Assert.Contains("--listen", neither.Stderr);
        var missing = await SockCli.RunAsync("send", "/nonexistent/file", "127.0.0.1:1");
        Assert.Equal(1, missing.Code);
        Assert.Contains("no such file", missing.Stderr);
    }
}
