namespace Sock.Net;

/// <summary>
/// The resolver refused a lookup: carries the C library's code (negative EAI_* for getaddrinfo and
/// getnameinfo, positive h_errno for gethostbyname/gethostbyaddr) and its symbol, as Python's
/// <c>socket.gaierror</c> / <c>socket.herror</c> do.
/// </summary>
public sealed class ResolverException : SockException
{
    public ResolverException(string message, int code, string symbol) : base(message)
    {
        Code = code;
        Symbol = symbol;
    }

    public ResolverException() { }

    public ResolverException(string message) : base(message) { }

    public ResolverException(string message, Exception inner) : base(message, inner) { }

    /// <summary>EAI_* (negative) or h_errno (positive) as the C library returns it.</summary>
    public int Code { get; }

    /// <summary>"EAI_NONAME", "HOST_NOT_FOUND", …</summary>
    public string Symbol { get; } = "";
}
