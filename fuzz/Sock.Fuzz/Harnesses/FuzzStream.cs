namespace Sock.Fuzz;

/// <summary>
/// The peer of a harness: reads return the fuzz input (in chunks of at most
/// <paramref name="chunk"/> bytes, like a socket delivering segments), then end of stream;
/// writes are counted and dropped.
/// </summary>
public sealed class FuzzStream(byte[] input, int chunk = int.MaxValue) : Stream
{
    private int _position;

    public long Written { get; private set; }

    /// <summary>Input bytes not yet read.</summary>
    public int Remaining => input.Length - _position;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(Span<byte> buffer)
    {
        var n = Math.Min(Math.Min(buffer.Length, chunk), input.Length - _position);
        input.AsSpan(_position, n).CopyTo(buffer);
        _position += n;
        return n;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));

    /// <summary>SOCK_FUZZ_ECHO=1 (replay mode) shows what the code under test answered, on stderr.</summary>
    private static readonly bool Echo = Environment.GetEnvironmentVariable("SOCK_FUZZ_ECHO") == "1";

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Written += buffer.Length;
        if (Echo) Console.Error.Write(System.Text.Encoding.UTF8.GetString(buffer));
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Write(buffer.AsSpan(offset, count));
        return Task.CompletedTask;
    }

    public override void Flush() { }
    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
