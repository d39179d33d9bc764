using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace Sock.Net;

/// <summary>
/// Python's timeout model on a .NET <see cref="Socket"/>: <c>settimeout(None)</c> blocks forever,
/// <c>settimeout(0)</c> is non-blocking, <c>settimeout(x)</c> bounds every operation.
/// Differences from .NET, handled here: .NET has separate Send/ReceiveTimeout (set together
/// here), they apply to synchronous calls only and 0 means infinite there; Connect has no
/// timeout (use <see cref="ConnectWithTimeoutAsync"/>); and a timed-out synchronous call throws
/// <see cref="SocketException"/> (TimedOut) where Python raises <c>TimeoutError</c>.
/// </summary>
/// <example>
/// <code>
/// socket.SetTimeout(TimeSpan.FromSeconds(2));   // settimeout(2.0)
/// await socket.ConnectWithTimeoutAsync(endpoint, ct);   // TimeoutException after 2 s
/// socket.SetBlocking(false);                    // settimeout(0.0)
/// TimeSpan? t = socket.GetTimeout();            // gettimeout() → 0
/// </code>
/// </example>
public static class SocketTimeouts
{
    // .NET keeps no such value; remember it per socket like Python's sock_timeout.
    private static readonly ConditionalWeakTable<Socket, StrongBox<TimeSpan?>> Timeouts = [];

    /// <summary>settimeout: null = blocking without timeout, zero = non-blocking, positive = bounded operations.</summary>
    public static void SetTimeout(this Socket socket, TimeSpan? timeout)
    {
        ArgumentNullException.ThrowIfNull(socket);
        if (timeout < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(timeout), "Timeout value out of range");
        socket.Blocking = timeout != TimeSpan.Zero;
        var ms = timeout is { } t && t > TimeSpan.Zero ? (int)Math.Max(1, Math.Ceiling(t.TotalMilliseconds)) : 0;
        socket.ReceiveTimeout = ms;
        socket.SendTimeout = ms;
        Timeouts.AddOrUpdate(socket, new StrongBox<TimeSpan?>(timeout));
    }

    /// <summary>gettimeout: null when blocking without timeout (the default), zero when non-blocking.</summary>
    public static TimeSpan? GetTimeout(this Socket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        if (Timeouts.TryGetValue(socket, out var box)) return box.Value;
        return socket.Blocking ? null : TimeSpan.Zero;
    }

    /// <summary>setblocking(flag): True is settimeout(None), False is settimeout(0).</summary>
    public static void SetBlocking(this Socket socket, bool blocking) =>
        socket.SetTimeout(blocking ? null : TimeSpan.Zero);

    /// <summary>connect under the socket's timeout: <see cref="TimeoutException"/> ("timed out") when it expires.</summary>
    public static async Task ConnectWithTimeoutAsync(this Socket socket, EndPoint endpoint, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(socket);
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (socket.GetTimeout() is { } t && t > TimeSpan.Zero)
            timer.CancelAfter(t);
        try
        {
            await socket.ConnectAsync(endpoint, timer.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"connect {endpoint}: timed out");
        }
    }
}
