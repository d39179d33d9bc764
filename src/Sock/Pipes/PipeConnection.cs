using System.Net.Security;
using System.Net.Sockets;

namespace Sock.Pipes;

/// <summary>
/// One connected stream socket, possibly wrapped in TLS, with its peer's name for messages and
/// the write-side shutdown that half-close needs (TLS close_notify first, then FIN).
/// </summary>
public sealed class PipeConnection : IAsyncDisposable
{
    public Socket Socket { get; }
    public Stream Stream { get; }

    /// <summary>"127.0.0.1:54321", "[::1]:80" or the Unix socket path.</summary>
    public string Peer { get; }

    /// <summary>SHA-256 of the TLS peer's certificate when this is a TLS client connection.</summary>
    public string? TlsFingerprint { get; }

    public PipeConnection(Socket socket, Stream stream, string peer, string? tlsFingerprint = null)
    {
        Socket = socket;
        Stream = stream;
        Peer = peer;
        TlsFingerprint = tlsFingerprint;
    }

    /// <summary>Tells the peer we will send no more (FIN), while still reading what it sends.</summary>
    public async ValueTask ShutdownSendAsync()
    {
        // A WebSocket's half-close is its close frame; the TCP FIN follows when the close handshake ends.
        if (Stream is WebSockets.WebSocketMessageStream ws)
        {
            await ws.ShutdownSendAsync();
            return;
        }
        if (Stream is SslStream ssl)
        {
            try
            {
                await ssl.ShutdownAsync();
            }
            catch (System.Security.Cryptography.CryptographicException)
            {
                // OpenSSL refuses close_notify while a TLS 1.3 post-handshake message is in flight: the FIN still says it.
            }
        }
        Socket.Shutdown(SocketShutdown.Send);
    }

    public async ValueTask DisposeAsync()
    {
        try { await Stream.DisposeAsync(); }
        catch (IOException) { }
        catch (SocketException) { }
        Socket.Dispose();
    }
}
