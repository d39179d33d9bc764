using System.Net;

namespace Sock.Chat;

/// <summary>
/// Takes the connections whose first line is an HTTP request line (the web server, which the
/// library does not carry: the host plugs it in). <see cref="ServeAsync"/> completes when the
/// HTTP side is done with the connection; the chat server then closes the socket.
/// </summary>
public interface IHttpHandoff
{
    Task ServeAsync(HandedOffConnection connection, CancellationToken ct);
}

/// <summary>
/// A connection detected as HTTP: <paramref name="Stream"/> replays the bytes read during detection
/// first (and is the TLS stream when the client spoke TLS); <paramref name="Abort"/> drops it hard.
/// </summary>
public sealed record HandedOffConnection(Stream Stream, IPEndPoint Local, IPEndPoint Remote, bool IsTls, Action Abort);
