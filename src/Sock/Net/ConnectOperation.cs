using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks.Sources;

namespace Sock.Net;

/// <summary>
/// One reusable non-blocking connect that reports its outcome as a <see cref="SocketError"/>
/// rather than throwing: a sweep of 65,535 ports is mostly refusals, and an exception per
/// refusal (with its stack trace) cost more than the connect itself. One per probe worker.
/// </summary>
internal sealed class ConnectOperation() : SocketAsyncEventArgs(unsafeSuppressExecutionContextFlow: true), IValueTaskSource<SocketError>
{
    private ManualResetValueTaskSourceCore<SocketError> _core = new() { RunContinuationsAsynchronously = true };

    /// <summary>Connects <paramref name="socket"/>; completes at once when the kernel answers at once (loopback usually does).</summary>
    public ValueTask<SocketError> ConnectAsync(Socket socket, EndPoint remote)
    {
        _core.Reset();
        RemoteEndPoint = remote;
        if (!socket.ConnectAsync(this)) return new ValueTask<SocketError>(SocketError);
        return new ValueTask<SocketError>(this, _core.Version);
    }

    protected override void OnCompleted(SocketAsyncEventArgs e) => _core.SetResult(e.SocketError);

    SocketError IValueTaskSource<SocketError>.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<SocketError>.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource<SocketError>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
