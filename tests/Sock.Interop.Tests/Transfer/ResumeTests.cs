using Sock.Interop.Tests.Infrastructure;
using static Sock.Interop.Tests.Transfer.TransferHarness;

namespace Sock.Interop.Tests.Transfer;

/// <summary>kill -9 of either side mid-transfer, then the same commands again: the rest arrives, and only the rest is sent.</summary>
public sealed class ResumeTests
{
    private const int Size = 4 << 20;

    [Theory]
    [InlineData("receiver")]
    [InlineData("sender")]
    public async Task KilledMidTransfer_RerunSendsOnlyMissingBytes(string victim)
    {
        using var dir = FreePort.TempDir();
        var data = RandomFile(dir.File("big.bin"), Size);
        var part = dir.File("out/big.bin.part");

        // First run, slowed to 2 MiB/s so there is a "middle" to kill in.
        var (recv, port) = await StartListeningAsync("recv", "-o", dir.File("out"));
        await using (recv)
        await using (var send = SockCli.Start("send", "--limit-rate", "2M", dir.File("big.bin"), $"127.0.0.1:{port}"))
        {
            await WaitForFileLengthAsync(part, 1 << 20);
            var (killed, survivor) = victim == "receiver" ? (recv, send) : (send, recv);
            killed.Signal(9);
            await killed.WaitForExitAsync(Wait);
            Assert.Equal(1, await survivor.WaitForExitAsync(Wait));
            if (victim == "sender") Assert.Contains(".part is kept", recv.Stderr);
        }
        Assert.False(File.Exists(dir.File("out/big.bin")));
        var held = new FileInfo(part).Length;
        Assert.InRange(held, 1 << 20, Size - 1);

        // Second run: the same commands (without the rate limit).
        var (recv2, port2) = await StartListeningAsync("recv", "-o", dir.File("out"), "--json");
        await using var _ = recv2;
        var send2 = await SockCli.RunAsync("send", dir.File("big.bin"), $"127.0.0.1:{port2}", "--json");
        Assert.True(send2.Code == 0, send2.Stderr);
        Assert.Equal(0, await recv2.WaitForExitAsync(Wait));

        Assert.Equal(data, File.ReadAllBytes(dir.File("out/big.bin")));
        Assert.False(File.Exists(part));
        var summary = Json(send2.Stdout);
        Assert.Equal(Size - held, summary.GetProperty("bytes_transferred").GetInt64());
        Assert.Equal(held, summary.GetProperty("bytes_resumed").GetInt64());
        Assert.Equal(Size - held, Json(recv2.Stdout).GetProperty("bytes_transferred").GetInt64());
    }

    [Fact]
    public async Task CorruptedPartPrefix_IsCaughtByTheWholeFileHash_ThenRetransferred()
    {
        using var dir = FreePort.TempDir();
        var data = RandomFile(dir.File("f.bin"), 300_000);
        Directory.CreateDirectory(dir.File("out"));
        var bad = data[..100_000];
        bad[10] ^= 1;
        File.WriteAllBytes(dir.File("out/f.bin.part"), bad);

        var (recv, port) = await StartListeningAsync("recv", "-o", dir.File("out"));
        await using (recv)
        {
            var send = await SockCli.RunAsync("send", dir.File("f.bin"), $"127.0.0.1:{port}", "--json");
            Assert.Equal(1, send.Code);
            Assert.Equal(100_000, Json(send.Stdout).GetProperty("bytes_resumed").GetInt64());
            Assert.Equal(1, await recv.WaitForExitAsync(Wait));
            Assert.Contains("hash mismatch", recv.Stderr);
        }
        Assert.False(File.Exists(dir.File("out/f.bin")));
        Assert.False(File.Exists(dir.File("out/f.bin.part")));

        var (recv2, port2) = await StartListeningAsync("recv", "-o", dir.File("out"));
        await using var _ = recv2;
        Assert.Equal(0, (await SockCli.RunAsync("send", dir.File("f.bin"), $"127.0.0.1:{port2}")).Code);
        Assert.Equal(0, await recv2.WaitForExitAsync(Wait));
        Assert.Equal(data, File.ReadAllBytes(dir.File("out/f.bin")));
    }
}
