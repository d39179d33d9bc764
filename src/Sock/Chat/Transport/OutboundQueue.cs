using System.Buffers;
using System.Threading.Tasks.Sources;

namespace Sock.Chat.Transport;

/// <summary>
/// A member's bounded outbound bytes. Producers append (never block); one writer drains everything
/// pending in one write, so under load a single syscall carries many messages. Passing the limit
/// trips <see cref="Overflowed"/> once and stops accepting bytes, so a stuck reader never grows the server.
/// Buffers are pooled and returned when drained, so an idle member holds none.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "It is a queue.")]
public sealed class OutboundQueue(long maxBytes) : IValueTaskSource
{
    private readonly Lock _gate = new();
    // The writer's wake-up, reused for every wait: a delivery to an idle member costs no allocation
    // (SemaphoreSlim.WaitAsync(ct) allocated a waiter task and a cancellation promise each time).
    // Continuations run on the thread pool, never inline in the fan-out that holds a room lock.
    private ManualResetValueTaskSourceCore<bool> _wake = new() { RunContinuationsAsynchronously = true };
    private byte[]? _buffer;
    private int _length;
    private bool _signalled;
    private bool _waiting;
    private bool _cancelled;
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
                signal = SignalLocked();
            }
        }
        if (signal) _wake.SetResult(true);
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
            signal = SignalLocked();
        }
        if (signal) _wake.SetResult(true);
    }

    /// <summary>Marks work pending; true when the writer is parked and must be woken (outside the lock).</summary>
    private bool SignalLocked()
    {
        if (_signalled) return false;
        _signalled = true;
        if (!_waiting) return false;
        _waiting = false;
        return true;
    }

    /// <summary>Completes at once when work is pending, else parks the writer until <see cref="SignalLocked"/>.</summary>
    private ValueTask WaitAsync()
    {
        lock (_gate)
        {
            if (_signalled || _cancelled) return ValueTask.CompletedTask;
            _wake.Reset();
            _waiting = true;
            return new ValueTask(this, _wake.Version);
        }
    }

    private void Cancel()
    {
        bool wake;
        lock (_gate)
        {
            _cancelled = true;
            wake = _waiting;
            _waiting = false;
        }
        if (wake) _wake.SetResult(true);
    }

    void IValueTaskSource.GetResult(short token) => _wake.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _wake.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _wake.OnCompleted(continuation, state, token, flags);

    /// <summary>Writes pending bytes to <paramref name="stream"/> until completed and drained.</summary>
    public async Task WriteLoopAsync(Stream stream, CancellationToken ct)
    {
        byte[]? spare = null;
        // One registration for the writer's life, not one per wait.
        await using var cancel = ct.UnsafeRegister(static q => ((OutboundQueue)q!).Cancel(), this);
        while (true)
        {
            await WaitAsync();
            ct.ThrowIfCancellationRequested();
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
