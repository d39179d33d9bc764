using Sock.Interop.Tests.Infrastructure;
using static Sock.Interop.Tests.Transfer.TransferHarness;

namespace Sock.Interop.Tests.Transfer;

/// <summary>Disk full, an unwritable output directory, and a file that grows while it is sent.</summary>
public sealed class FailureTests
{
    [Fact]
    public async Task DiskFull_ClearError_NoFinalFile()
    {
        using var dir = FreePort.TempDir();
        RandomFile(dir.File("big.bin"), 3 << 20);
        var small = dir.File("small");
        Directory.CreateDirectory(small);
        // A 1 MiB tmpfs (the tests run as root, as CI does) is a real ENOSPC without filling the host's disk.
        var mount = await Run.Async("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", small);
        Assert.True(mount.Code == 0, "mounting a tmpfs needs root: " + mount.Stderr);
        try
        {
            var (recv, port) = await StartListeningAsync("recv", "-o", small);
            await using var _ = recv;
            var send = await SockCli.RunAsync("send", dir.File("big.bin"), $"127.0.0.1:{port}");
            Assert.Equal(1, send.Code);
            Assert.Contains("no space left on device", send.Stderr, StringComparison.OrdinalIgnoreCase);
            Assert.Equal(1, await recv.WaitForExitAsync(Wait));
            Assert.Contains("no space left on device", recv.Stderr, StringComparison.OrdinalIgnoreCase);
            Assert.Single(recv.Stderr.Trim().Split('\n'), l => !l.Contains("listening on port"));
            Assert.False(File.Exists(Path.Combine(small, "big.bin")));
        }
        finally
        {
            await Run.Async("umount", "-l", small);
        }
    }

    [Fact]
    public async Task ImmutableOutputDirectory_PermissionError_NothingWritten()
    {
        using var dir = FreePort.TempDir();
        RandomFile(dir.File("f.bin"), 1000);
        var locked = dir.File("locked");
        Directory.CreateDirectory(locked);
        // root ignores mode bits; the immutable attribute stops even root from creating entries.
        var chattr = await Run.Async("chattr", "+i", locked);
        Assert.True(chattr.Code == 0, "chattr +i: " + chattr.Stderr);
        try
        {
            var (recv, port) = await StartListeningAsync("recv", "-o", locked);
            await using var _ = recv;
            var send = await SockCli.RunAsync("send", dir.File("f.bin"), $"127.0.0.1:{port}");
            Assert.Equal(1, send.Code);
            Assert.Equal(1, await recv.WaitForExitAsync(Wait));
            Assert.Contains("permission denied", recv.Stderr);
            Assert.Contains("permission denied", send.Stderr);
            Assert.Empty(Directory.EnumerateFileSystemEntries(locked));
        }
        finally
        {
            await Run.Async("chattr", "-i", locked);
        }
    }

    [Fact]
    public async Task FileGrowingWhileSent_IsDetectedByBothSides_NoFinalFile()
    {
        using var dir = FreePort.TempDir();
        var source = dir.File("log.txt");
        RandomFile(source, 2 << 20);
        var (recv, port) = await StartListeningAsync("recv", "-o", dir.File("out"));
        await using var _ = recv;
        await using var send = SockCli.Start("send", "--limit-rate", "4M", source, $"127.0.0.1:{port}");
        await WaitForFileLengthAsync(dir.File("out/log.txt.part"), 256 << 10);
        await File.AppendAllTextAsync(source, "one more line\n", TestContext.Current.CancellationToken);

        Assert.Equal(1, await send.WaitForExitAsync(Wait));
        Assert.Contains("changed while", send.Stderr);
        Assert.Equal(1, await recv.WaitForExitAsync(Wait));
        Assert.Contains("changed while", recv.Stderr);
        Assert.False(File.Exists(dir.File("out/log.txt")));
        Assert.False(File.Exists(dir.File("out/log.txt.part")));
    }
}
