namespace Sock.Chat.Transport;

/// <summary>
/// One thread that sends for many plain-socket queues, the way an epoll server flushes at the end of
/// its loop. A queue that receives bytes while idle is put on a list once; the sender thread gives
/// each listed queue one non-blocking send of everything it has gathered by then. While it works
/// through the list, fan-outs keep appending, so under load one syscall carries many messages, and
/// no fan-out wakes a writer task per member. (A join storm of 10,000 clients is ~50 million JOIN
/// lines; one send and one thread-pool wake-up per line per member was most of the server's CPU.)
/// What a socket does not take at once goes back to the queue's own async writer.
/// </summary>
public sealed class SendCoalescer : IDisposable
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<OutboundQueue> _dirty = new();
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Usage", "CA2213", Justification = "Released by late producers after Dispose; holds no kernel handle.")]
    private readonly SemaphoreSlim _signal = new(0);
    private readonly Thread _thread;
    private int _sleeping;
    private volatile bool _stopped;

    /// <summary>The queues' first buffers, reused across sends (see <see cref="SendBuffers"/>).</summary>
    internal SendBuffers Buffers { get; } = new();

    public SendCoalescer()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "sock chat sender" };
        _thread.Start();
    }

    /// <summary>
    /// Lists a queue for the next send; a queue calls this at most once per idle-to-busy change.
    /// False once stopped: the queue's own writer must send then.
    /// </summary>
    internal bool Schedule(OutboundQueue queue)
    {
        if (_stopped) return false;
        _dirty.Enqueue(queue);
        if (Volatile.Read(ref _sleeping) == 1 && Interlocked.Exchange(ref _sleeping, 0) == 1) _signal.Release();
        return true;
    }

    private void Run()
    {
        while (!_stopped)
        {
            while (_dirty.TryDequeue(out var q)) q.SendDirect();
            if (_stopped) break;
            // Announce the sleep before the last look, so a Schedule racing with it always wakes us.
            // A full fence (not a release store): the look at the queue must not move before it.
            Interlocked.Exchange(ref _sleeping, 1);
            if (!_dirty.IsEmpty)
            {
                if (Interlocked.Exchange(ref _sleeping, 0) == 0) _signal.Wait(); // a Release is on its way: consume it
                continue;
            }
            // Idle for a second: let go of the buffers a burst left behind, then sleep until work.
            if (!_signal.Wait(TimeSpan.FromSeconds(1)))
            {
                Buffers.Trim();
                _signal.Wait();
            }
        }
    }

    /// <summary>Stops the thread; queues still listed hand their bytes to their own writers.</summary>
    public void Dispose()
    {
        _stopped = true;
        _signal.Release();
        _thread.Join(TimeSpan.FromSeconds(2));
        while (_dirty.TryDequeue(out var q)) q.SendDirect();
        // _signal is not disposed: a late Schedule may still Release it, and it holds no kernel handle.
    }
}
