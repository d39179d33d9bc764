using System.Buffers;

namespace Sock.Chat.Transport;

/// <summary>
/// The first buffer of a member's outbound queue, kept by the server's <see cref="SendCoalescer"/>.
/// A fan-out to 10,000 members makes thousands of queues busy at once: each rents a buffer from
/// the fan-out's thread and the sender thread returns it after one send. The shared ArrayPool keeps
/// only a few dozen arrays per size on two cores, so most rents allocated a new 4 KiB array and most
/// returns dropped one: gigabytes per second of garbage, and buffers held across collections were
/// promoted, so the old generation filled and background collections took a fifth of the server's
/// CPU (perf, 2,000 members). Here the arrays are reused; a sender thread that has been idle a while
/// trims the stack (<see cref="Trim"/>), so a quiet server holds almost none.
/// </summary>
internal sealed class SendBuffers
{
    /// <summary>The size handed out; bigger needs (a backlog) go to the shared pool.</summary>
    public const int Size = 4096;
    private const int MaxKept = 16384; // 64 MiB at most, only while that many queues are busy at once
    private const int KeptWhenIdle = 64;

    private readonly Lock _gate = new();
    private byte[][] _free = new byte[KeptWhenIdle][];
    private int _count;

    public byte[] Rent(int needed)
    {
        if (needed > Size) return ArrayPool<byte>.Shared.Rent(needed);
        lock (_gate)
        {
            if (_count > 0)
            {
                var b = _free[--_count];
                _free[_count] = null!;
                return b;
            }
        }
        return GC.AllocateUninitializedArray<byte>(Size);
    }

    /// <summary>Takes back any buffer: ours by its size, the rest go to the shared pool.</summary>
    public void Return(byte[] buffer)
    {
        if (buffer.Length != Size)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return;
        }
        lock (_gate)
        {
            if (_count == _free.Length)
            {
                if (_count == MaxKept) return;
                Array.Resize(ref _free, Math.Min(MaxKept, _count * 2));
            }
            _free[_count++] = buffer;
        }
    }

    /// <summary>Lets go of all but a few buffers (the sender thread calls this when it has been idle a while).</summary>
    public void Trim()
    {
        lock (_gate)
        {
            if (_free.Length == KeptWhenIdle) return;
            var keep = Math.Min(_count, KeptWhenIdle);
            var kept = new byte[KeptWhenIdle][];
            Array.Copy(_free, _count - keep, kept, 0, keep);
            _free = kept;
            _count = keep;
        }
    }
}
