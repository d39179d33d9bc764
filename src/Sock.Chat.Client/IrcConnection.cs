using System.Net;
using System.Net.Sockets;
using System.Text;
using Sock.Chat.Irc;
using Sock.Net;
using Sock.Tls;

namespace Sock.Chat.Client;

/// <summary>
/// One TCP (optionally TLS) connection to an IRC server: lines in, lines out. Writes are
/// serialized so the reader, the pinger and the user's input never interleave bytes.
/// </summary>
internal sealed class IrcConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly IrcLineReader _reader;
    private readonly SemaphoreSlim _writeLock = new(1, 1);

    private IrcConnection(Socket socket, Stream stream, string? fingerprint)
    {
        _socket = socket;
        _stream = stream;
        _reader = new IrcLineReader(stream);
        Fingerprint = fingerprint;
    }

    /// <summary>The server's certificate fingerprint when TLS is on.</summary>
    public string? Fingerprint { get; }

    /// <summary>Our address on the connection to the server: what a DCC offer advertises.</summary>
    public IPAddress LocalAddress => ((IPEndPoint)_socket.LocalEndPoint!).Address;

    public bool LastLineWasCut => _reader.LastLineWasCut;

    /// <summary>Connects, and with TLS verifies the server and applies trust-on-first-use pinning.</summary>
    public static async Task<IrcConnection> OpenAsync(ChatClientOptions options, Action<ChatEvent> report, CancellationToken ct)
    {
        var where = $"{options.Host}:{options.Port}";
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.ConnectTimeout);
        var socket = options.Proxy is { } proxy
            ? await Sock.Net.Proxy.ProxyConnector.ConnectAsync(proxy, options.Host, options.Port, options.ConnectTimeout, null, ct)
            : new Socket(SocketType.Stream, ProtocolType.Tcp);
        socket.NoDelay = true;
        try
        {
            if (options.Proxy is null) await socket.ConnectAsync(options.Host, options.Port, timeout.Token);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw SocketErrors.Wrap($"connect {where}", e);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            socket.Dispose();
            throw new SockException($"connect {where}: timed out after {options.ConnectTimeout.TotalSeconds:0}s");
        }
        Stream stream = new NetworkStream(socket, ownsSocket: true);
        if (!options.Tls) return new IrcConnection(socket, stream, null);
        try
        {
            var (ssl, fingerprint) = await AuthenticateAsync(options, stream, report, timeout.Token);
            return new IrcConnection(socket, ssl, fingerprint);
        }
        catch
        {
            await stream.DisposeAsync();
            throw;
        }
    }

    private static async Task<(Stream, string)> AuthenticateAsync(ChatClientOptions options, Stream stream,
        Action<ChatEvent> report, CancellationToken ct)
    {
        var known = options.KnownServersFile is null ? null : new KnownServers(options.KnownServersFile);
        var pinned = known?.Find(options.Host, options.Port);
        var where = $"{options.Host}:{options.Port}";
        if (pinned is not null)
        {
            // Seen before: only that exact certificate is accepted, whatever a CA says.
            var (ssl, seen) = await new TlsClientSettings(options.Host, Insecure: true).AuthenticateAsync(stream, ct);
            if (TlsCertificates.NormalizePin(pinned) == TlsCertificates.NormalizePin(seen)) return (ssl, seen);
            await ssl.DisposeAsync();
            throw new ChatRefusedException(
                $"WARNING: the TLS certificate of {where} HAS CHANGED since you first trusted it (was SHA-256 {pinned}, now {seen}); "
                + $"refusing to connect. If you know why it changed, delete the line for {where} from {known!.Path}");
        }
        try
        {
            var (ssl, fingerprint) = await new TlsClientSettings(options.Host, options.Insecure).AuthenticateAsync(stream, ct);
            if (known is not null)
            {
                known.Remember(options.Host, options.Port, fingerprint);
                report(ChatEvent.Info($"trusting {where} on first use: certificate SHA-256 {fingerprint} (remembered in {known.Path})"));
            }
            return (ssl, fingerprint);
        }
        catch (SockException e)
        {
            throw new ChatRefusedException(e.Message.Replace("use --pin or --insecure", "use --insecure to trust it on first use", StringComparison.Ordinal), e);
        }
    }

    /// <summary>The next line from the server, or null when it closed the connection.</summary>
    public Task<string?> ReadLineAsync(CancellationToken ct) => _reader.ReadLineAsync(ct);

    public async Task SendAsync(IrcMessage message, CancellationToken ct)
    {
        var bytes = Encoding.UTF8.GetBytes(message.Format() + "\r\n");
        await _writeLock.WaitAsync(ct);
        try
        {
            await _stream.WriteAsync(bytes, ct);
            await _stream.FlushAsync(ct);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Breaks a blocked read: used when the server stops answering pings.</summary>
    public void Abort()
    {
        try { _socket.Shutdown(SocketShutdown.Both); } catch (SocketException) { } catch (ObjectDisposedException) { }
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _reader.Dispose();
        _writeLock.Dispose();
    }
}

/// <summary>A refusal no retry can fix (an untrusted or changed certificate): the client stops instead of reconnecting.</summary>
public sealed class ChatRefusedException : SockException
{
    public ChatRefusedException(string message) : base(message) { }

    public ChatRefusedException(string message, Exception inner) : base(message, inner) { }

    public ChatRefusedException() { }
}
