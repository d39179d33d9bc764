using System.Buffers;
using System.Net.Sockets;
using System.Threading.Tasks.Sources;

namespace Sock.Chat.Transport;

/// <summary>
/// A member's bounded outbound bytes. Producers append (never block); whoever owns the pending bytes
/// sends everything gathered so far in one call, so under load a single syscall carries many messages.
/// Passing the limit trips <see cref="Overflowed"/> once and stops accepting bytes, so a stuck reader
/// never grows the server. Buffers are pooled and returned when drained, so an idle member holds none.
/// <para>
/// Two senders, one owner at a time: with a <see cref="SendCoalescer"/> and a plain socket, the
/// coalescer's thread sends without blocking; what the socket does not take at once (a slow reader)
/// goes to the async writer (<see cref="WriteLoopAsync"/>), which owns the bytes until it has drained
/// them. Without one (TLS, tests), the writer sends everything.
/// </para>
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "It is a queue.")]
public sealed class OutboundQueue : IThreadPoolWorkItem
{
    private enum Owner { None, Coalescer, Writer }

    // A spin lock (one int) guards the fields: a held section is a few field writes or one copy, never a
    // call out. lock (this) cost the fan-out about 8 % of its CPU in perf (issue 12's before/after): the
    // fan-out and the coalescer contend for a busy member's queue, which inflates its monitor to a sync
    // block. A Lock object was 40 bytes per idle client. Not re-entrant: nothing under it takes it again.
    private SpinLock _gate = new(enableThreadOwnerTracking: false);
    private readonly long _maxBytes;
    private readonly SendCoalescer? _coalescer;
    private readonly Socket? _socket;
    // The writer's wake-up, reused for every wait: a delivery to an idle member costs no allocation
    // (SemaphoreSlim.WaitAsync(ct) allocated a waiter task and a cancellation promise each time).
    // Continuations run on the thread pool, never inline in the fan-out that holds a room lock.
    // Made when a parked writer (WriteLoopAsync) first waits: connections write on demand and never park, so they hold none.
    private ParkedWriter? _parked;
    private byte[]? _buffer;
    private int _length;
    // Bytes the coalescer took but the socket did not accept; the writer sends them first.
    private ArraySegment<byte> _carry;
    private Exception? _failure;
    private Owner _owner;
    private bool _waiting;
    private bool _cancelled;
    private bool _completed;
    private bool _overflowed;
    // On-demand writing (StartOnDemand): the stream, whether a drain is running, and the end signal (made at close only).
    private Stream? _stream;
    private bool _draining;
    private bool _writerDone;
    private TaskCompletionSource? _writerDoneSignal;

    /// <summary>
    /// A queue that overflows past <paramref name="maxBytes"/> pending. Given a coalescer and the plain
    /// stream socket it may send on, the coalescer sends; the socket is then set non-blocking.
    /// </summary>
    public OutboundQueue(long maxBytes, SendCoalescer? coalescer = null, Socket? socket = null)
    {
        _maxBytes = maxBytes;
        if (coalescer is not null && socket is not null)
        {
            // Sync sends must never block the coalescer's thread; async reads and writes are unaffected.
            socket.Blocking = false;
            _coalescer = coalescer;
            _socket = socket;
        }
    }

    /// <summary>Raised once, outside the lock, when pending bytes pass the limit.</summary>
    public event Action? Overflowed;

    /// <summary>
    /// The connection this queue belongs to, told of overflow and write failures. An interface, not
    /// delegates: two closures per client were 128 bytes each idle client carried.
    /// </summary>
    internal IQueueEvents? Events { get; set; }

    /// <summary>Holds the gate until the scope is disposed: <c>using (Locked()) …</c>.</summary>
    private Held Locked() => new(ref _gate);

    private ref struct Held
    {
        private readonly ref SpinLock _gate;

        public Held(ref SpinLock gate)
        {
            _gate = ref gate;
            var taken = false;
            gate.Enter(ref taken);
        }

        public readonly void Dispose() => _gate.Exit(useMemoryBarrier: false);
    }

    public long Pending { get { using (Locked()) return _length + _carry.Count; } }

    /// <summary>Appends bytes; false when the queue is completed or over its limit.</summary>
    public bool Enqueue(ReadOnlySpan<byte> data, bool ignoreLimit = false)
    {
        bool tripped = false;
        Owner start = Owner.None;
        using (Locked())
        {
            if (_completed && !ignoreLimit) return false;
            if (_overflowed && !ignoreLimit) return false;
            if (!ignoreLimit && _length + _carry.Count + data.Length > _maxBytes)
            {
                _overflowed = tripped = true;
            }
            else
            {
                Ensure(_length + data.Length);
                data.CopyTo(_buffer.AsSpan(_length));
                _length += data.Length;
                start = ClaimLocked();
            }
        }
        Start(start);
        if (tripped)
        {
            Overflowed?.Invoke();
            Events?.Overflowed();
        }
        return !tripped;
    }

    /// <summary>Drops what is pending (a member being disconnected for overflow) and appends a last message.</summary>
    public void ReplaceWithFinal(ReadOnlySpan<byte> last)
    {
        using (Locked()) _length = 0;
        Enqueue(last, ignoreLimit: true);
        Complete();
    }

    /// <summary>No more messages: the writer drains what is pending and ends.</summary>
    public void Complete()
    {
        bool wake = false;
        using (Locked())
        {
            _completed = true;
            // A coalescer holding the bytes hands them to the writer when it is done with them.
            if (_owner == Owner.None) wake = GiveToWriterLocked();
        }
        if (wake) WakeWriter();
    }

    /// <summary>When nobody owns the pending bytes, picks who sends them (acted on outside the lock).</summary>
    private Owner ClaimLocked()
    {
        if (_owner != Owner.None) return Owner.None;
        if (_coalescer is not null && !_completed)
        {
            _owner = Owner.Coalescer;
            return Owner.Coalescer;
        }
        return GiveToWriterLocked() ? Owner.Writer : Owner.None;
    }

    private void Start(Owner owner)
    {
        if (owner == Owner.Writer) WakeWriter();
        else if (owner == Owner.Coalescer && !_coalescer!.Schedule(this))
        {
            bool wake;
            using (Locked()) wake = GiveToWriterLocked();
            if (wake) WakeWriter();
        }
    }

    /// <summary>Makes the writer the owner; true when it is parked and must be woken (outside the lock).</summary>
    private bool GiveToWriterLocked()
    {
        _owner = Owner.Writer;
        if (_stream is not null)
        {
            // On demand: start a drain unless one is running (it sees the new bytes before it stops).
            if (_draining) return false;
            _draining = true;
            return true;
        }
        if (!_waiting) return false;
        _waiting = false;
        return true;
    }

    /// <summary>Outside the lock: queues an on-demand drain, or wakes the parked writer.</summary>
    private void WakeWriter()
    {
        if (_stream is not null) ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        else _parked!.Core.SetResult(true);
    }

    /// <summary>
    /// The coalescer's turn: one non-blocking send of everything pending. Bytes the socket does not
    /// take, a send error and completion all pass to the writer; bytes that arrived meanwhile go back
    /// on the coalescer's list (behind everyone else, so they gather more).
    /// </summary>
    internal void SendDirect()
    {
        byte[]? chunk;
        int length;
        using (Locked())
        {
            if (_owner != Owner.Coalescer) return;
            chunk = _buffer;
            length = _length;
            _buffer = null;
            _length = 0;
        }
        var sent = 0;
        Exception? failure = null;
        if (chunk is not null)
        {
            try
            {
                while (sent < length)
                {
                    var n = _socket!.Send(chunk.AsSpan(sent, length - sent), SocketFlags.None, out var error);
                    if (error == SocketError.WouldBlock) break;
                    if (error != SocketError.Success) { failure = new SocketException((int)error); break; }
                    sent += n;
                }
            }
            catch (ObjectDisposedException e)
            {
                failure = e;
            }
        }
        bool wake = false, reschedule = false;
        using (Locked())
        {
            if (failure is not null)
            {
                _failure = failure;
                wake = GiveToWriterLocked();
            }
            else if (chunk is not null && sent < length)
            {
                _carry = new ArraySegment<byte>(chunk, sent, length - sent);
                chunk = null;
                wake = GiveToWriterLocked();
            }
            else if (_completed || _cancelled)
            {
                wake = GiveToWriterLocked();
            }
            else if (_length > 0)
            {
                reschedule = true;
            }
            else
            {
                _owner = Owner.None;
            }
        }
        if (chunk is not null) Return(chunk);
        if (wake) WakeWriter();
        if (reschedule) Start(Owner.Coalescer);
    }

    /// <summary>Completes at once when the writer owns the bytes, else parks it until given them.</summary>
    private ValueTask WaitAsync()
    {
        using (Locked())
        {
            if (_owner == Owner.Writer || _cancelled) return ValueTask.CompletedTask;
            var parked = _parked ??= new ParkedWriter();
            parked.Core.Reset();
            _waiting = true;
            return new ValueTask(parked, parked.Core.Version);
        }
    }

    /// <summary>Stops the writer (the connection is closing): a parked writer ends at once, a busy one after its write.</summary>
    public void Abort() => Cancel();

    private void Cancel()
    {
        bool wake, finished = false;
        using (Locked())
        {
            _cancelled = true;
            wake = _waiting;
            _waiting = false;
            // On demand with no drain running: nothing else will say the writer is done.
            if (_stream is not null && !_draining) finished = true;
        }
        if (wake) _parked!.Core.SetResult(true);
        if (finished) FinishWriter();
    }

    /// <summary>The parked writer's wake-up: set only by whoever cleared _waiting, so once per wait.</summary>
    private sealed class ParkedWriter : IValueTaskSource
    {
        public ManualResetValueTaskSourceCore<bool> Core = new() { RunContinuationsAsynchronously = true };

        void IValueTaskSource.GetResult(short token) => Core.GetResult(token);

        ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => Core.GetStatus(token);

        void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
            Core.OnCompleted(continuation, state, token, flags);
    }

    /// <summary>
    /// Writes the bytes it is given to <paramref name="stream"/> until completed and drained; ends
    /// with <see cref="OperationCanceledException"/> when <paramref name="ct"/> fires or <see cref="Abort"/>
    /// is called. A writer parked for the queue's whole life; connections use <see cref="StartOnDemand"/>
    /// instead, which holds no writer at all while nothing waits to be sent.
    /// </summary>
    public async Task WriteLoopAsync(Stream stream, CancellationToken ct)
    {
        // One registration for the writer's life, not one per wait (none for a token that cannot fire).
        await using var cancel = ct.UnsafeRegister(static q => ((OutboundQueue)q!).Cancel(), this);
        while (true)
        {
            await WaitAsync();
            if (await DrainAsync(stream, ct)) break;
        }
    }

    /// <summary>
    /// Sends on <paramref name="stream"/> without a parked writer: whenever the bytes pass to the
    /// writer, a drain is queued on the thread pool and ends once nothing is pending. An idle client
    /// then holds no writer's state (an async method parked forever was 192 bytes per client, see
    /// docs/BENCHMARKS.md). A write error or <see cref="Abort"/> is reported to <see cref="Events"/>;
    /// <see cref="WhenWriterDone"/> completes once the queue is completed and drained, or aborted.
    /// </summary>
    public void StartOnDemand(Stream stream)
    {
        bool start;
        using (Locked())
        {
            _stream = stream;
            // Bytes may have been given to the writer before it had a stream (none in practice).
            start = _owner == Owner.Writer && !_draining;
            if (start) _draining = true;
        }
        if (start) ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
    }

    void IThreadPoolWorkItem.Execute() => _ = RunDrainAsync();

    private async Task RunDrainAsync()
    {
        try
        {
            if (await DrainAsync(_stream!, CancellationToken.None)) FinishWriter();
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            using (Locked()) _draining = false;
            FinishWriter();
            Events?.WriteFailed();
        }
    }

    /// <summary>Completes when an on-demand writer is done for good: drained after <see cref="Complete"/>, failed, or aborted.</summary>
    public Task WhenWriterDone()
    {
        using (Locked())
        {
            if (_writerDone) return Task.CompletedTask;
            return (_writerDoneSignal ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
        }
    }

    private void FinishWriter()
    {
        TaskCompletionSource? signal;
        using (Locked())
        {
            _writerDone = true;
            signal = _writerDoneSignal;
        }
        signal?.TrySetResult();
    }

    /// <summary>
    /// Sends what the writer owns until nothing is pending; then gives up ownership and returns
    /// false, or returns true when the queue is completed and drained (the writer is done).
    /// </summary>
    private async ValueTask<bool> DrainAsync(Stream stream, CancellationToken ct)
    {
        byte[]? spare = null;
        try
        {
            while (true)
            {
                ct.ThrowIfCancellationRequested();
                // Aborted (the connection closed) without a token that fires.
                if (Volatile.Read(ref _cancelled)) throw new OperationCanceledException();
                byte[]? chunk;
                int start, end;
                bool carried;
                using (Locked())
                {
                    if (_failure is not null) throw new IOException(_failure.Message, _failure);
                    carried = _carry.Array is not null;
                    if (carried)
                    {
                        (chunk, start, end) = (_carry.Array, _carry.Offset, _carry.Offset + _carry.Count);
                        _carry = default;
                    }
                    else
                    {
                        (chunk, start, end) = (_buffer, 0, _length);
                        _buffer = spare;
                        _length = 0;
                        spare = null;
                    }
                }
                if (chunk is not null && end > start)
                {
                    await stream.WriteAsync(chunk.AsMemory(start, end - start), ct);
                    await stream.FlushAsync(ct);
                }
                // Keep one buffer while busy; hand it back when nothing more is queued (idle members hold none).
                bool idle, done;
                using (Locked())
                {
                    idle = _length == 0;
                    done = idle && _completed;
                    if (idle && !done)
                    {
                        _owner = Owner.None;
                        _draining = false;
                    }
                }
                if (chunk is not null)
                {
                    if (idle || carried || chunk.Length > 64 * 1024) Return(chunk);
                    else spare = chunk;
                }
                if (done) return true;
                if (idle) return false;
            }
        }
        finally
        {
            if (spare is not null) Return(spare);
        }
    }

    private void Ensure(int needed)
    {
        if (_buffer is not null && _buffer.Length >= needed) return;
        var size = Math.Max(needed, Math.Max(SendBuffers.Size, (_buffer?.Length ?? 0) * 2));
        var bigger = _coalescer is not null ? _coalescer.Buffers.Rent(size) : ArrayPool<byte>.Shared.Rent(size);
        if (_buffer is not null)
        {
            _buffer.AsSpan(0, _length).CopyTo(bigger);
            Return(_buffer);
        }
        _buffer = bigger;
    }

    // With a coalescer, buffers come from (and go back to) its stack: see SendBuffers.
    private void Return(byte[] buffer)
    {
        if (_coalescer is not null) _coalescer.Buffers.Return(buffer);
        else ArrayPool<byte>.Shared.Return(buffer);
    }
}

/// <summary>What an <see cref="OutboundQueue"/> tells the connection it belongs to.</summary>
internal interface IQueueEvents
{
    /// <summary>Pending bytes passed the limit (called once, inside a fan-out: must not block).</summary>
    void Overflowed();

    /// <summary>The writer stopped on a write error or cancellation.</summary>
    void WriteFailed();
}
