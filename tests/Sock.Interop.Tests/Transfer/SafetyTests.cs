using Sock.Interop.Tests.Infrastructure;
using static Sock.Interop.Tests.Transfer.TransferHarness;

namespace Sock.Interop.Tests.Transfer;

/// <summary>A malicious or broken sender, written as raw protocol bytes, against the real `sock recv`.</summary>
public sealed class SafetyTests
{
    public static TheoryData<string, byte[]> UnsafeNames => new()
    {
        { "absolute", "/tmp/sock-escape.txt"u8.ToArray() },
        { "dotdot", "../escape.txt"u8.ToArray() },
        { "nested dotdot", "a/../../escape.txt"u8.ToArray() },
        { "empty", [] },
        { "empty component", "a//b.txt"u8.ToArray() },
        { "NUL", "a\0b.txt"u8.ToArray() },
        { "backslash", "..\\escape.txt"u8.ToArray() },
        { "overlong UTF-8 slash", [(byte)'.', (byte)'.', 0xC0, 0xAF, .. "escape.txt"u8] },
        { "device name", "CON"u8.ToArray() },
        { "device name with extension", "sub/nul.txt"u8.ToArray() },
        { "symlink escape", "link/escape.txt"u8.ToArray() },
    };

    [Theory]
    [MemberData(nameof(UnsafeNames))]
    public async Task UnsafeName_IsRefused_NothingWritten(string why, byte[] name)
    {
        using var dir = FreePort.TempDir();
        var output = dir.File("out");
        var outside = dir.File("outside");
        Directory.CreateDirectory(output);
        Directory.CreateDirectory(outside);
        File.CreateSymbolicLink(Path.Combine(output, "link"), outside);
        var before = Listing(output);

        var (recv, port) = await StartListeningAsync("recv", "-o", output);
        await using var _ = recv;
        await using var sender = await RawSender.ConnectAsync(port);
        await sender.SendAsync([.. RawSender.Hello(), .. RawSender.Manifest((1, name, 5))]);
        var reply = await sender.ReadToEndAsync();

        Assert.Equal(1, await recv.WaitForExitAsync(Wait));
        Assert.Contains("refused", recv.Stderr);
        Assert.Single(recv.Stderr.Trim().Split('\n'), l => l.Contains("refused"));
        Assert.Contains("refused", RawSender.ErrorText(reply));
        Assert.Equal(before, Listing(output));
        Assert.Empty(Directory.EnumerateFileSystemEntries(outside));
        Assert.False(File.Exists("/tmp/sock-escape.txt"), why);
    }

    [Fact]
    public async Task FlippedByte_HashMismatch_NoFinalFileNoPart_ExitOne()
    {
        using var dir = FreePort.TempDir();
        var output = dir.File("out");
        var data = new byte[100_000];
        new Random(3).NextBytes(data);
        var flipped = (byte[])data.Clone();
        flipped[54_321] ^= 0x40;

        var (recv, port) = await StartListeningAsync("recv", "-o", output);
        await using var _ = recv;
        await using var sender = await RawSender.ConnectAsync(port);
        await sender.SendAsync([.. RawSender.Hello(), .. RawSender.Manifest((1, "f.bin"u8.ToArray(), data.Length))]);
        var plan = await sender.ReadPlanAsync(1);
        Assert.Equal([0UL], plan);
        await sender.SendAsync([.. RawSender.FileStart(0), .. RawSender.Data(flipped), .. RawSender.FileEnd(RawSender.XxHash(data)), 0x06]);
        var reply = await sender.ReadToEndAsync();

        Assert.Equal(1, await recv.WaitForExitAsync(Wait));
        Assert.Contains("hash mismatch", recv.Stderr);
        Assert.False(File.Exists(Path.Combine(output, "f.bin")));
        Assert.False(File.Exists(Path.Combine(output, "f.bin.part")));
        Assert.Equal([0x07, 0, 0, 0, 1, 1], reply); // RESULT: one entry, status 1 = hash mismatch
    }

    [Fact]
    public async Task NotTheProtocol_ClearError()
    {
        using var dir = FreePort.TempDir();
        var (recv, port) = await StartListeningAsync("recv", "-o", dir.File("out"));
        await using var _ = recv;
        await using var sender = await RawSender.ConnectAsync(port);
        await sender.SendAsync("GET / HTTP/1.1\r\n\r\n"u8.ToArray());
        await sender.ReadToEndAsync();
        Assert.Equal(1, await recv.WaitForExitAsync(Wait));
        Assert.Contains("not a sock transfer", recv.Stderr);
        Assert.False(Directory.Exists(dir.File("out")) && Directory.EnumerateFileSystemEntries(dir.File("out")).Any());
    }

    [Fact]
    public async Task MoreDataThanAnnounced_IsAProtocolError_NoFinalFile()
    {
        using var dir = FreePort.TempDir();
        var (recv, port) = await StartListeningAsync("recv", "-o", dir.File("out"));
        await using var _ = recv;
        await using var sender = await RawSender.ConnectAsync(port);
        await sender.SendAsync([.. RawSender.Hello(), .. RawSender.Manifest((1, "f.bin"u8.ToArray(), 10))]);
        await sender.ReadPlanAsync(1);
        await sender.SendAsync([.. RawSender.FileStart(0), .. RawSender.Data(new byte[11])]);
        var reply = await sender.ReadToEndAsync();
        Assert.Equal(1, await recv.WaitForExitAsync(Wait));
        Assert.Contains("more data than the announced size", recv.Stderr);
        Assert.Contains("protocol error", RawSender.ErrorText(reply));
        Assert.False(File.Exists(dir.File("out/f.bin")));
    }
}
