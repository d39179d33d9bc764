using System.Buffers;

namespace Sock.Chat.Transport;

/// <summary>
/// A member's bounded outbound bytes. Producers append (never block); one writer drains everything
/// pending in one write, so under load a single syscall carries many messages. Passing the limit
/// trips <see cref="Overflowed"/> once and stops accepting bytes, so a stuck reader never grows the server.
/// Buffers are pooled and returned when drained, so an idle member holds none.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "It is a queue.")]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "SemaphoreSlim without a wait handle holds nothing to dispose.")]
public sealed class OutboundQueue(long maxBytes)
{
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _signal = new(0, 1);
    private byte[]? _buffer;
    private int _length;
    private bool _signalled;
    private bool _completed;
    private bool _overflowed;

    /// <summary>Raised once, outside the lock, when pending bytes pass the limit.</summary>
    public event Action? Overflowed;

    public long Pending { get { lock (_gate) return _length; } }

    /// <summary>Appends bytes; false when the queue is completed or over its limit.</summary>
    public bool Enqueue(ReadOnlySpan<byte> data, bool ignoreLimit = false)
    {
        bool tripped = false, signal = false;
        lock (_gate)
        {
            if (_completed && !ignoreLimit) return false;
            if (_overflowed && !ignoreLimit) return false;
            if (!ignoreLimit && _length + data.Length > maxBytes)
            {
                _overflowed = tripped = true;
            }
            else
            {
                Ensure(_length + data.Length);
                data.CopyTo(_buffer.AsSpan(_length));
                _length += data.Length;
                if (!_signalled) _signalled = signal = true;
            }
        }
        if (signal) _signal.Release();
        if (tripped) Overflowed?.Invoke();
        return !tripped;
    }

    /// <summary>Drops what is pending (a member being disconnected for overflow) and appends a last message.</summary>
    public void ReplaceWithFinal(ReadOnlySpan<byte> last)
    {
        lock (_gate) _length = 0;
        Enqueue(last, ignoreLimit: true);
        Complete();
    }

    /// <summary>No more messages: the writer drains what is pending and ends.</summary>
    public void Complete()
    {
        bool signal = false;
        lock (_gate)
        {
            _completed = true;
            if (!_signalled) _signalled = signal = true;
        }
        if (signal) _signal.Release();
    }

    /// <summary>Writes pending bytes to <paramref name="stream"/> until completed and drained.</summary>
    public async Task WriteLoopAsync(Stream stream, CancellationToken ct)
    {
        byte[]? spare = null;
        while (true)
        {
            await _signal.WaitAsync(ct);
            byte[]? chunk;
            int length;
            bool done;
            lock (_gate)
            {
                chunk = _buffer;
                length = _length;
                _buffer = spare;
                _length = 0;
                _signalled = false;
                done = _completed;
            }
            spare = null;
            if (chunk is not null && length > 0)
            {
                await stream.WriteAsync(chunk.AsMemory(0, length), ct);
                await stream.FlushAsync(ct);
            }
            // Keep one buffer while busy; hand it back when nothing more is queued (idle members hold none).
            bool idle;
            lock (_gate) idle = _length == 0;
            if (chunk is not null)
            {
                if (idle || chunk.Length > 64 * 1024) ArrayPool<byte>.Shared.Return(chunk);
                else spare = chunk;
            }
            if (done)
            {
                lock (_gate) if (_length == 0) break;
            }
        }
        if (spare is not null) ArrayPool<byte>.Shared.Return(spare);
    }

    private void Ensure(int needed)
    {
        if (_buffer is not null && _buffer.Length >= needed) return;
        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, Math.Max(4096, (_buffer?.Length ?? 0) * 2)));
        if (_buffer is not null)
        {
            _buffer.AsSpan(0, _length).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_buffer);
        }
        _buffer = bigger;
    }
}
