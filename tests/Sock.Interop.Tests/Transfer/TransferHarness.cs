using System.Buffers.Binary;
using System.IO.Hashing;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Sock.Interop.Tests.Infrastructure;

namespace Sock.Interop.Tests.Transfer;

/// <summary>Starting listening `sock` transfer processes, reading their --json summaries, and random files.</summary>
internal static partial class TransferHarness
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    /// <summary>Starts `sock ARGS --listen 0` and returns it with the port it printed on stderr.</summary>
    public static async Task<(RunningProcess Process, int Port)> StartListeningAsync(params string[] args)
    {
        var p = SockCli.Start([.. args, "--listen", "0"], null);
        await p.WaitForStderrAsync("listening on port ", Wait);
        var port = int.Parse(PortPattern().Match(p.Stderr).Groups[1].Value);
        return (p, port);
    }

    [GeneratedRegex(@"listening on port (\d+)")]
    private static partial Regex PortPattern();

    public static JsonElement Json(string stdout)
    {
        using var doc = JsonDocument.Parse(stdout);
        return doc.RootElement.Clone();
    }

    public static byte[] RandomFile(string path, int size, int seed = 1)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return bytes;
    }

    public static async Task WaitForFileLengthAsync(string path, long atLeast)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (!File.Exists(path) || new FileInfo(path).Length < atLeast)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{path} did not reach {atLeast} bytes");
            await Task.Delay(20);
        }
    }

    /// <summary>Every file and directory under <paramref name="dir"/>, relative, sorted.</summary>
    public static string[] Listing(string dir) =>
        Directory.EnumerateFileSystemEntries(dir, "*", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(dir, p)).Order(StringComparer.Ordinal).ToArray();
}

/// <summary>
/// A hand-written sender speaking the wire format byte by byte, so tests can play a malicious or
/// broken peer (bad names, flipped bytes) against the real receiver.
/// </summary>
internal sealed class RawSender : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;

    private RawSender(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
    }

    public static async Task<RawSender> ConnectAsync(int port)
    {
        var s = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await s.ConnectAsync("127.0.0.1", port);
        return new RawSender(s);
    }

    public static byte[] Hello(byte hashKind = 1) => [.. "SOCKXFER"u8, 1, hashKind, 0];

    /// <summary>A MANIFEST frame with one file entry whose name is the given raw bytes.</summary>
    public static byte[] Manifest(params (byte Kind, byte[] Name, long Size)[] entries)
    {
        var m = new MemoryStream();
        m.WriteByte(0x01);
        m.Write(U32((uint)entries.Length));
        foreach (var (kind, name, size) in entries)
        {
            m.WriteByte(kind);
            m.Write(U16((ushort)name.Length));
            m.Write(name);
            m.Write(U64((ulong)size));
            m.Write(U32(0x1A4));
            m.Write(U64((ulong)(DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100));
        }
        return m.ToArray();
    }

    public static byte[] FileStart(uint index) => [0x03, .. U32(index)];

    public static byte[] Data(byte[] payload) => [0x04, .. U32((uint)payload.Length), .. payload];

    public static byte[] FileEnd(byte[] hash) => [0x05, 0, .. hash];

    public static byte[] XxHash(byte[] data) => XxHash128.Hash(data);

    public Task SendAsync(byte[] bytes) => _stream.WriteAsync(bytes).AsTask();

    /// <summary>Everything the receiver sends until it closes (plan, result or error frames).</summary>
    public async Task<byte[]> ReadToEndAsync()
    {
        var m = new MemoryStream();
        using var cts = new CancellationTokenSource(TransferHarness.Wait);
        try
        {
            await _stream.CopyToAsync(m, cts.Token);
        }
        catch (IOException)
        {
            // A reset after the receiver's error frame still leaves what it said in m.
        }
        return m.ToArray();
    }

    /// <summary>Reads the PLAN frame for <paramref name="count"/> entries; returns the offsets.</summary>
    public async Task<ulong[]> ReadPlanAsync(int count)
    {
        var head = new byte[5];
        await _stream.ReadExactlyAsync(head);
        Assert.Equal(0x02, head[0]);
        Assert.Equal((uint)count, BinaryPrimitives.ReadUInt32BigEndian(head.AsSpan(1)));
        var body = new byte[8 * count];
        await _stream.ReadExactlyAsync(body);
        return Enumerable.Range(0, count).Select(i => BinaryPrimitives.ReadUInt64BigEndian(body.AsSpan(8 * i))).ToArray();
    }

    public void ShutdownSend() => _socket.Shutdown(SocketShutdown.Send);

    public static string ErrorText(byte[] frames)
    {
        var at = Array.IndexOf(frames, (byte)0x7F);
        if (at < 0 || frames.Length < at + 3) return "";
        var len = BinaryPrimitives.ReadUInt16BigEndian(frames.AsSpan(at + 1));
        return Encoding.UTF8.GetString(frames, at + 3, Math.Min(len, frames.Length - at - 3));
    }

    private static byte[] U16(ushort v) { var b = new byte[2]; BinaryPrimitives.WriteUInt16BigEndian(b, v); return b; }
    private static byte[] U32(uint v) { var b = new byte[4]; BinaryPrimitives.WriteUInt32BigEndian(b, v); return b; }
    private static byte[] U64(ulong v) { var b = new byte[8]; BinaryPrimitives.WriteUInt64BigEndian(b, v); return b; }

    public async ValueTask DisposeAsync() => await _stream.DisposeAsync();
}
