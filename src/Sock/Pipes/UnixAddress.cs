using System.Net.Sockets;

namespace Sock.Pipes;

/// <summary>
/// Unix socket addresses as users write them: a path, or <c>@name</c> for the Linux abstract namespace
/// (no file; the name vanishes with the socket), which the kernel spells with a leading NUL.
/// </summary>
public static class UnixAddress
{
    public static bool IsAbstract(string path) => path.StartsWith('@');

    public static UnixDomainSocketEndPoint EndPoint(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return new UnixDomainSocketEndPoint(IsAbstract(path) ? "\0" + path[1..] : path);
    }

    /// <summary>A fresh abstract name for a datagram client to receive replies on (what Linux autobind gives socat).</summary>
    public static string AutoBindName() => $"@sock-{Environment.ProcessId}-{Guid.NewGuid():N}"[..40];
}

/// <summary>
/// A <see cref="Stream"/> over a connected SOCK_SEQPACKET socket, which <see cref="NetworkStream"/>
/// refuses: each write is one packet (record boundaries kept, as the peer reads them), each read
/// returns one packet, and 0 is the peer's close.
/// </summary>
public sealed class SeqPacketStream(Socket socket) : Stream
{
    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.Length == 0) return;
        var sent = await socket.SendAsync(buffer, SocketFlags.None, cancellationToken);
        if (sent != buffer.Length) throw new IOException($"a {buffer.Length}-byte packet went out as {sent} bytes");
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => socket.Receive(buffer, offset, count, SocketFlags.None);
    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) socket.Dispose();
        base.Dispose(disposing);
    }
}
