namespace Sock.Net.Proxy.Server;

/// <summary>How <see cref="ProxyServer"/> serves: who may use it, credentials, limits. Defaults in one place.</summary>
public sealed record ProxyServerOptions
{
    /// <summary>Required user and password (SOCKS5 RFC 1929, HTTP Basic); null: no authentication.
    /// SOCKS4 carries no password, so with credentials set SOCKS4 clients are refused.</summary>
    public string? User { get; init; }
    public string? Password { get; init; }

    /// <summary>Which clients may connect (--allow/--deny).</summary>
    public AddressFilter? Filter { get; init; }

    /// <summary>A client must finish its handshake within this (a silent or slow client is dropped).</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Connecting to a target gives up after this.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A UDP association with no datagram either way for this long ends.</summary>
    public TimeSpan UdpIdleTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Connections served at once; more are closed and reported. Each costs two relay buffers.</summary>
    public int MaxClients { get; init; } = 512;

    /// <summary>Relay buffer per direction: memory is bounded by MaxClients × 2 × this.</summary>
    public int BufferSize { get; init; } = 32 * 1024;
}
