using System.Net;
using System.Net.Sockets;

namespace Sock.Pipes;

/// <summary>Where a pipe connects to or listens on: a TCP/UDP host and port, or a Unix socket path.</summary>
public sealed record PipeEndpoint
{
    public string? Host { get; init; }
    public int Port { get; init; }
    public string? UnixPath { get; init; }
    public bool Udp { get; init; }

    /// <summary>With <see cref="UnixPath"/>: a stream (default), SOCK_SEQPACKET or SOCK_DGRAM socket.</summary>
    public SocketType UnixType { get; init; } = SocketType.Stream;

    /// <summary>IPv4 only, IPv6 only, or either (Unspecified).</summary>
    public AddressFamily Family { get; init; } = AddressFamily.Unspecified;

    public string Display => UnixPath ?? Sock.Net.Connector.Display(Host ?? "*", Port);
}

/// <summary>How a client connects: source address, connect timeout and TLS verification.</summary>
public sealed record ConnectSettings
{
    public IPEndPoint? Source { get; init; }
    public TimeSpan? Timeout { get; init; }
    public Sock.Tls.TlsClientSettings? Tls { get; init; }

    /// <summary>Tunnel the TCP connection through this SOCKS or HTTP proxy.</summary>
    public Sock.Net.Proxy.ProxySettings? Proxy { get; init; }
}

/// <summary>How bytes are pumped once connected.</summary>
public sealed record PumpSettings
{
    /// <summary>Fail when no byte moves in either direction for this long.</summary>
    public TimeSpan? IdleTimeout { get; init; }

    /// <summary>Turn bare LF from the input into CRLF on the wire (SMTP, HTTP by hand).</summary>
    public bool Crlf { get; init; }

    /// <summary>
    /// After the peer closes, keep sending our input until it ends (or the peer refuses it), so a
    /// finite input (a file) is delivered whole to a peer that only half-closed. Off by default:
    /// the peer closing ends the session at once, as with ncat.
    /// </summary>
    public bool FinishInputAfterPeerClose { get; init; }

    /// <summary>
    /// Whether an input that ends without having produced a byte (`&lt; /dev/null`) still half-closes.
    /// A listener given no input is receive-only (like `ncat -l` and `nc -l`): sending its client an
    /// immediate FIN would make many clients stop uploading.
    /// </summary>
    public bool HalfCloseOnEmptyInput { get; init; } = true;

    /// <summary>Only send (ncat --send-only): what the peer sends is discarded, and our input's end ends the session.</summary>
    public bool SendOnly { get; init; }

    /// <summary>Only receive (ncat --recv-only): the input is not read, and nothing is sent.</summary>
    public bool RecvOnly { get; init; }

    /// <summary>Pause after each chunk sent (ncat --delay), to pace a line-by-line dialogue.</summary>
    public TimeSpan? Delay { get; init; }

    /// <summary>Where -o / -x record the traffic, if anywhere.</summary>
    public TrafficLog? Log { get; init; }

    /// <summary>Bytes per read; one pooled buffer of this size per direction.</summary>
    public int BufferSize { get; init; } = 128 * 1024;
}

/// <summary>Bytes moved, and whether the pump stopped because our output was closed (e.g. `| head`).</summary>
public sealed record PumpResult(long BytesOut, long BytesIn, bool OutputClosed);
