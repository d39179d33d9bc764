using System.IO.Pipelines;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;
using Sock.Chat;

namespace Sock.Web.Transport;

/// <summary>
/// A connection our detector gave to Kestrel: its pipes read and write the chat server's stream
/// (the bytes read during detection come first). Kestrel disposing it is the end of the handoff.
/// </summary>
internal sealed class HandoffConnection : ConnectionContext, IConnectionLifetimeFeature, IConnectionEndPointFeature
{
    private static long s_ids;
    private readonly HandedOffConnection _handoff;
    private readonly CancellationTokenSource _closed = new();
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly PipeReader _input;
    private readonly PipeWriter _output;

    public HandoffConnection(HandedOffConnection handoff)
    {
        _handoff = handoff;
        _input = PipeReader.Create(handoff.Stream, new StreamPipeReaderOptions(leaveOpen: true));
        _output = PipeWriter.Create(handoff.Stream, new StreamPipeWriterOptions(leaveOpen: true));
        Transport = new DuplexPipe(_input, _output);
        ConnectionId = "sock-" + Interlocked.Increment(ref s_ids).ToString(System.Globalization.CultureInfo.InvariantCulture);
        LocalEndPoint = handoff.Local;
        RemoteEndPoint = handoff.Remote;
        Features.Set<IConnectionLifetimeFeature>(this);
        Features.Set<IConnectionEndPointFeature>(this);
        ConnectionClosed = _closed.Token;
    }

    /// <summary>Completes when Kestrel has finished with the connection.</summary>
    public Task Done => _done.Task;

    public override string ConnectionId { get; set; }
    public override IFeatureCollection Features { get; } = new FeatureCollection();
    public override IDictionary<object, object?> Items { get; set; } = new Dictionary<object, object?>();
    public override IDuplexPipe Transport { get; set; }
    public override EndPoint? LocalEndPoint { get; set; }
    public override EndPoint? RemoteEndPoint { get; set; }

    public override void Abort(ConnectionAbortedException abortReason)
    {
        _handoff.Abort();
        _closed.Cancel();
    }
    // (_closed is never disposed: Kestrel may still abort after disposing; it holds no timer.)

    public override async ValueTask DisposeAsync()
    {
        await _input.CompleteAsync();
        await _output.CompleteAsync();
        _done.TrySetResult();
        await base.DisposeAsync();
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;
        public PipeWriter Output { get; } = output;
    }
}
