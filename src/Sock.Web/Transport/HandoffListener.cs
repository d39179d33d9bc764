using System.Net;
using System.Threading.Channels;
using Microsoft.AspNetCore.Connections;
using Sock.Chat;

namespace Sock.Web.Transport;

/// <summary>The one endpoint Kestrel "listens" on: connections come from the chat server's detector.</summary>
internal sealed class HandoffEndPoint : EndPoint
{
    public override string ToString() => "sock-chat-port";
}

/// <summary>
/// Kestrel's transport, fed by <see cref="ChatServer"/> instead of a socket of its own: plain and
/// IRC keep the chat transport, and Kestrel sees only what was detected as HTTP.
/// </summary>
internal sealed class HandoffListener : IConnectionListenerFactory, IConnectionListenerFactorySelector, IConnectionListener, IHttpHandoff
{
    private readonly Channel<HandoffConnection> _incoming = Channel.CreateUnbounded<HandoffConnection>(new UnboundedChannelOptions { SingleReader = false });

    private int _open;

    public EndPoint EndPoint { get; } = new HandoffEndPoint();

    /// <summary>HTTP connections handed over and not yet finished.</summary>
    public int Open => Volatile.Read(ref _open);

    public bool CanBind(EndPoint endpoint) => endpoint is HandoffEndPoint;

    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult<IConnectionListener>(this);

    public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await _incoming.Reader.ReadAsync(cancellationToken);
        }
        catch (ChannelClosedException)
        {
            return null; // unbound: Kestrel stops accepting
        }
    }

    public async Task ServeAsync(HandedOffConnection connection, CancellationToken ct)
    {
        var c = new HandoffConnection(connection);
        if (!_incoming.Writer.TryWrite(c))
        {
            await c.DisposeAsync();
            return;
        }
        Interlocked.Increment(ref _open);
        try
        {
            await using (ct.Register(() => c.Abort(new ConnectionAbortedException("server shutting down"))))
                await c.Done;
        }
        finally
        {
            Interlocked.Decrement(ref _open);
        }
    }

    public ValueTask UnbindAsync(CancellationToken cancellationToken = default)
    {
        _incoming.Writer.TryComplete();
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        _incoming.Writer.TryComplete();
        return ValueTask.CompletedTask;
    }
}
