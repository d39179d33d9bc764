using StackExchange.Redis;

namespace Sock.Chat.Cluster;

/// <summary>
/// A round trip through the bus before a node that lost Redis accepts again: it publishes a marker
/// ("S nonce") and waits until its own subscription brings it back. Pub/sub keeps order, so by then
/// the bus is subscribed again (what is published next reaches this node) and every publication the
/// old connection had brought is applied. Without it the catch-up could run while events of the
/// old data set still waited in the subscription's queue; Redis's offsets, which may have started
/// again meanwhile, would then be compared with the wrong ones.
/// </summary>
public sealed partial class ClusterNode
{
    private static readonly TimeSpan SyncTimeout = TimeSpan.FromSeconds(3);
    private readonly Lock _syncGate = new();
    private TaskCompletionSource? _sync;
    private string _syncNonce = "";

    /// <summary>True when this node's own marker came back over the bus within <see cref="SyncTimeout"/>.</summary>
    private async Task<bool> BusHeardAsync()
    {
        var heard = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var nonce = Id + " " + Guid.NewGuid().ToString("n");
        lock (_syncGate) (_sync, _syncNonce) = (heard, nonce);
        try
        {
            await _redis.GetSubscriber().PublishAsync(RedisChannel.Literal(ClusterKeys.Bus), "S " + nonce).WaitAsync(SyncTimeout, _stop.Token);
            await heard.Task.WaitAsync(SyncTimeout, _stop.Token);
            return true;
        }
        catch (TimeoutException) { return false; }
        finally { lock (_syncGate) _sync = null; }
    }

    /// <summary>On the bus loop: a marker; this node's own completes its wait (the others' are ignored).</summary>
    private void OnSync(ReadOnlySpan<byte> nonce)
    {
        lock (_syncGate)
            if (_sync is { } heard && nonce.SequenceEqual(System.Text.Encoding.UTF8.GetBytes(_syncNonce))) heard.TrySetResult();
    }
}
