using System.Net;
using Sock.Web.Files;

namespace Sock.Web;

/// <summary>Every limit of the web side, with its default, in one place (Kestrel's limits set explicitly).</summary>
public sealed class ChatWebOptions
{
    /// <summary>Pages allowed to open a WebSocket (exact Origin values, e.g. https://chat.example); empty = any.</summary>
    public IReadOnlyList<string> AllowedOrigins { get; init; } = [];
    /// <summary>Proxies whose X-Forwarded-For names the client (CIDR); empty = the socket's peer is the client.</summary>
    public IReadOnlyList<IPNetwork> TrustedProxies { get; init; } = [];

    public int MaxRequestLineBytes { get; init; } = 8 * 1024;
    public int MaxRequestHeaderCount { get; init; } = 64;
    public int MaxRequestHeadersTotalBytes { get; init; } = 32 * 1024;
    /// <summary>Request bodies outside /files (nothing else takes one).</summary>
    public long MaxRequestBodyBytes { get; init; } = 64 * 1024;
    /// <summary>A client must send its whole request head within this (slowloris).</summary>
    public TimeSpan RequestHeadersTimeout { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan KeepAliveTimeout { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>A body slower than this (after the grace) is cut off.</summary>
    public double MinRequestBodyBytesPerSecond { get; init; } = 240;
    public TimeSpan MinRequestBodyGrace { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>Open HTTP connections (requests and WebSockets together).</summary>
    public long MaxConnections { get; init; } = 10_000;
    /// <summary>Where shared files are kept (hash-addressed); null turns /files off.</summary>
    public string? FilesDirectory { get; init; }
    /// <summary>Largest upload, refused before a byte of it is read when the client says its size.</summary>
    public long MaxUploadBytes { get; init; } = 100 * 1024 * 1024;
    /// <summary>What one account may have stored in all.</summary>
    public long QuotaBytesPerUser { get; init; } = 1024L * 1024 * 1024;
    /// <summary>Who is logged in; null = the server's accounts, by HTTP Basic credentials.</summary>
    public IWebIdentity? Identity { get; init; }
    /// <summary>WebSocket pings keep idle proxies from dropping the connection.</summary>
    public TimeSpan WebSocketKeepAlive { get; init; } = TimeSpan.FromSeconds(60);
}
