using System.Net;
using System.Net.Sockets;
using Sock.Transfer;

namespace Sock.Tests.Transfer;

/// <summary>The library's sender and receiver over a real loopback TCP connection, in process.</summary>
public sealed class SenderReceiverTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("sock-xfer-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static async Task<(TransferSummary Sent, TransferSummary Received)> RunAsync(IReadOnlyList<ManifestEntry> entries, ReceiveOptions options, HashKind hash = HashKind.XxHash128)
    {
        var ct = TestContext.Current.CancellationToken;
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(listener.LocalEndPoint!, ct);
        using var server = await listener.AcceptAsync(ct);
        await using var a = new NetworkStream(client);
        await using var b = new NetworkStream(server);
        var receiving = TransferReceiver.ReceiveAsync(b, options, null, ct);
        var sent = await TransferSender.SendAsync(a, entries, new SendOptions(hash), null, ct);
        return (sent, await receiving);
    }

    [Fact]
    public async Task Tree_RoundTrips_AndResumedPrefixIsNotResent()
    {
        var src = Path.Combine(_root, "src");
        Directory.CreateDirectory(Path.Combine(src, "d", "empty"));
        var data = new byte[2_500_000];
        new Random(1).NextBytes(data);
        await File.WriteAllBytesAsync(Path.Combine(src, "d", "big.bin"), data, TestContext.Current.CancellationToken);
        await File.WriteAllBytesAsync(Path.Combine(src, "empty.txt"), [], TestContext.Current.CancellationToken);
        var output = Path.Combine(_root, "out");
        Directory.CreateDirectory(Path.Combine(output, "d"));
        await File.WriteAllBytesAsync(Path.Combine(output, "d", "big.bin.part"), data[..1_000_000], TestContext.Current.CancellationToken);

        var entries = Manifest.FromPaths([Path.Combine(src, "d"), Path.Combine(src, "empty.txt")]);
        Assert.Equal(["d", "d/big.bin", "d/empty", "empty.txt"], entries.Select(e => e.Name));
        var (sent, received) = await RunAsync(entries, new ReceiveOptions(output));

        Assert.True(sent.Succeeded, sent.FailureMessage());
        Assert.True(received.Succeeded, received.FailureMessage());
        Assert.Equal(1_500_000, sent.BytesTransferred);
        Assert.Equal(1_000_000, received.BytesResumed);
        Assert.Equal(data, await File.ReadAllBytesAsync(Path.Combine(output, "d", "big.bin"), TestContext.Current.CancellationToken));
        Assert.True(Directory.Exists(Path.Combine(output, "d", "empty")));
        Assert.Empty(await File.ReadAllBytesAsync(Path.Combine(output, "empty.txt"), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task UnsafeName_FromALibraryCaller_IsRefusedByTheReceiver()
    {
        var file = Path.Combine(_root, "x");
        await File.WriteAllTextAsync(file, "x", TestContext.Current.CancellationToken);
        var entries = new List<ManifestEntry> { new(EntryKind.File, "../x", 1, 0x1A4, 0) { SourcePath = file } };
        var e = await Assert.ThrowsAnyAsync<SockException>(() => RunAsync(entries, new ReceiveOptions(Path.Combine(_root, "out"))));
        Assert.Contains("refused", e.Message);
        Assert.False(Directory.Exists(Path.Combine(_root, "out")));
    }
}
