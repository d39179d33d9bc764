using System.Buffers.Binary;
using System.Text;

namespace Sock.Transfer;

/// <summary>Builds small frames in memory and writes each with one call; data frames are written by the caller.</summary>
public sealed class WireWriter(Stream stream) : IDisposable
{
    private readonly MemoryStream _frame = new();
    private readonly SemaphoreSlim _lock = new(1, 1);

    public WireWriter Byte(byte value)
    {
        _frame.WriteByte(value);
        return this;
    }

    public WireWriter U16(ushort value)
    {
        Span<byte> b = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(b, value);
        _frame.Write(b);
        return this;
    }

    public WireWriter U32(uint value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b, value);
        _frame.Write(b);
        return this;
    }

    public WireWriter U64(ulong value)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(b, value);
        _frame.Write(b);
        return this;
    }

    public WireWriter I64(long value) => U64((ulong)value);

    public WireWriter Bytes(ReadOnlySpan<byte> value)
    {
        _frame.Write(value);
        return this;
    }

    public WireWriter Text(string value, int maxBytes)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        if (bytes.Length > maxBytes) bytes = bytes[..maxBytes];
        return U16((ushort)bytes.Length).Bytes(bytes);
    }

    /// <summary>Writes what was built as one write and clears it.</summary>
    public async ValueTask FlushFrameAsync(CancellationToken ct)
    {
        var bytes = _frame.ToArray();
        _frame.SetLength(0);
        await WriteRawAsync(bytes, ct);
    }

    /// <summary>Writes bytes as they are (a data frame built by the caller), serialized with other frames.</summary>
    public async ValueTask WriteRawAsync(ReadOnlyMemory<byte> bytes, CancellationToken ct)
    {
        await _lock.WaitAsync(ct);
        try
        {
            await stream.WriteAsync(bytes, ct);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Sends an ERROR frame, ignoring failures: the connection may already be gone.</summary>
    public async Task TrySendErrorAsync(string message)
    {
        try
        {
            Byte((byte)FrameType.Error).Text(message, WireFormat.MaxErrorBytes);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await FlushFrameAsync(cts.Token);
            await stream.FlushAsync(cts.Token);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or NotSupportedException)
        {
        }
    }

    public void Dispose()
    {
        _frame.Dispose();
        _lock.Dispose();
    }
}
