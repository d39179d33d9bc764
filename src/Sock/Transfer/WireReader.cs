using System.Buffers.Binary;
using System.Text;

namespace Sock.Transfer;

/// <summary>Buffered big-endian reads of frames from a stream; large payloads bypass the buffer.</summary>
public sealed class WireReader(Stream stream)
{
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start, _end;

    /// <summary>Total bytes consumed from the stream so far.</summary>
    public long Position { get; private set; }

    private static readonly UTF8Encoding StrictUtf8 = new(false, throwOnInvalidBytes: true);

    /// <summary>The next byte, or -1 at a clean end of stream.</summary>
    public async ValueTask<int> TryReadByteAsync(CancellationToken ct)
    {
        if (_start == _end && !await FillAsync(ct)) return -1;
        Position++;
        return _buffer[_start++];
    }

    public async ValueTask<byte> ReadByteAsync(CancellationToken ct)
    {
        var b = await TryReadByteAsync(ct);
        return b < 0 ? throw new EndOfStreamException() : (byte)b;
    }

    public async ValueTask<ushort> ReadUInt16Async(CancellationToken ct) => BinaryPrimitives.ReadUInt16BigEndian(await ReadSmallAsync(2, ct));

    public async ValueTask<uint> ReadUInt32Async(CancellationToken ct) => BinaryPrimitives.ReadUInt32BigEndian(await ReadSmallAsync(4, ct));

    public async ValueTask<ulong> ReadUInt64Async(CancellationToken ct) => BinaryPrimitives.ReadUInt64BigEndian(await ReadSmallAsync(8, ct));

    public async ValueTask<long> ReadInt64Async(CancellationToken ct) => BinaryPrimitives.ReadInt64BigEndian(await ReadSmallAsync(8, ct));

    /// <summary>A u16-length-prefixed strict UTF-8 string of at most <paramref name="maxBytes"/> bytes.</summary>
    public async ValueTask<string> ReadStringAsync(int maxBytes, CancellationToken ct)
    {
        var length = await ReadUInt16Async(ct);
        if (length > maxBytes) throw new ProtocolException($"string of {length} bytes exceeds the limit of {maxBytes}");
        var bytes = new byte[length];
        await ReadExactlyAsync(bytes, ct);
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new UnsafePathException("refused name: not valid UTF-8 (possibly an encoded '/')");
        }
    }

    public async ValueTask ReadExactlyAsync(Memory<byte> destination, CancellationToken ct)
    {
        var fromBuffer = Math.Min(destination.Length, _end - _start);
        _buffer.AsMemory(_start, fromBuffer).CopyTo(destination);
        _start += fromBuffer;
        Position += fromBuffer;
        var rest = destination[fromBuffer..];
        while (rest.Length > 0)
        {
            var n = await stream.ReadAsync(rest, ct);
            if (n == 0) throw new EndOfStreamException();
            rest = rest[n..];
            Position += n;
        }
    }

    private async ValueTask<byte[]> ReadSmallAsync(int count, CancellationToken ct)
    {
        var bytes = new byte[count];
        await ReadExactlyAsync(bytes, ct);
        return bytes;
    }

    private async ValueTask<bool> FillAsync(CancellationToken ct)
    {
        _start = 0;
        _end = await stream.ReadAsync(_buffer, ct);
        return _end > 0;
    }
}

/// <summary>The peer broke the wire format (bad magic, unknown frame, a limit exceeded).</summary>
public sealed class ProtocolException : SockException
{
    public ProtocolException(string message) : base("protocol error: " + message) { }

    public ProtocolException() { }

    public ProtocolException(string message, Exception inner) : base("protocol error: " + message, inner) { }
}

/// <summary>The peer sent an ERROR frame; the message is the peer's reason.</summary>
public sealed class PeerErrorException : SockException
{
    public PeerErrorException(string message) : base("peer: " + message) { }

    public PeerErrorException() { }

    public PeerErrorException(string message, Exception inner) : base("peer: " + message, inner) { }
}
