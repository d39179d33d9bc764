using System.Net.Sockets;

namespace Sock.Net.Proxy;

/// <summary>
/// The proxy answered the CONNECT and would not (or could not) reach the target. <see cref="TargetError"/>
/// is what a direct connect would have seen, so a port probe through a proxy can still say closed,
/// timeout or unreachable.
/// </summary>
public sealed class ProxyRefusedException : SockException
{
    public ProxyType Type { get; }

    /// <summary>The proxy's own code: SOCKS5 REP, SOCKS4 CD, or the HTTP status.</summary>
    public int Code { get; }

    public ProxyRefusedException(string message, ProxyType type, int code) : base(message)
    {
        Type = type;
        Code = code;
    }

    public ProxyRefusedException() { }

    public ProxyRefusedException(string message) : base(message) { }

    public ProxyRefusedException(string message, Exception inner) : base(message, inner) { }

    public SocketError TargetError => (Type, Code) switch
    {
        (ProxyType.Socks5, 5) or (ProxyType.Socks4, 91) or (ProxyType.Http, 502 or 503) => SocketError.ConnectionRefused,
        (ProxyType.Socks5, 4) => SocketError.HostUnreachable,
        (ProxyType.Socks5, 3) => SocketError.NetworkUnreachable,
        (ProxyType.Socks5, 6) or (ProxyType.Http, 504) => SocketError.TimedOut,
        _ => SocketError.AccessDenied,
    };
}
