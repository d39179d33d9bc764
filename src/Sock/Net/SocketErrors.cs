using System.Net.Sockets;

namespace Sock.Net;

/// <summary>
/// Names socket errors the way the C library does (errno number and symbol), because that is
/// what people search for and what Python's <c>connect_ex</c> returns. .NET reports a portable
/// <see cref="SocketError"/>; this maps it back to Linux's errno values.
/// </summary>
public static class SocketErrors
{
    private static readonly Dictionary<SocketError, (int Errno, string Name, string Text)> Map = new()
    {
        [SocketError.ConnectionRefused] = (111, "ECONNREFUSED", "connection refused"),
        [SocketError.TimedOut] = (110, "ETIMEDOUT", "timed out"),
        [SocketError.HostUnreachable] = (113, "EHOSTUNREACH", "no route to host"),
        [SocketError.NetworkUnreachable] = (101, "ENETUNREACH", "network is unreachable"),
        [SocketError.ConnectionReset] = (104, "ECONNRESET", "connection reset by peer"),
        [SocketError.ConnectionAborted] = (103, "ECONNABORTED", "connection aborted"),
        [SocketError.AddressAlreadyInUse] = (98, "EADDRINUSE", "address already in use"),
        [SocketError.AddressNotAvailable] = (99, "EADDRNOTAVAIL", "cannot assign requested address"),
        [SocketError.AccessDenied] = (13, "EACCES", "permission denied"),
        [SocketError.Shutdown] = (32, "EPIPE", "broken pipe"),
        [SocketError.NetworkDown] = (100, "ENETDOWN", "network is down"),
        [SocketError.NetworkReset] = (102, "ENETRESET", "connection reset by network"),
        [SocketError.HostDown] = (112, "EHOSTDOWN", "host is down"),
        [SocketError.AddressFamilyNotSupported] = (97, "EAFNOSUPPORT", "address family not supported"),
        [SocketError.ProtocolFamilyNotSupported] = (96, "EPFNOSUPPORT", "protocol family not supported"),
        [SocketError.ProtocolNotSupported] = (93, "EPROTONOSUPPORT", "protocol not supported"),
        [SocketError.SocketNotSupported] = (94, "ESOCKTNOSUPPORT", "socket type not supported"),
        [SocketError.OperationNotSupported] = (95, "EOPNOTSUPP", "operation not supported"),
        [SocketError.ProtocolType] = (91, "EPROTOTYPE", "wrong protocol type for socket"),
        [SocketError.ProtocolOption] = (92, "ENOPROTOOPT", "protocol not available"),
        [SocketError.InvalidArgument] = (22, "EINVAL", "invalid argument"),
        [SocketError.MessageSize] = (90, "EMSGSIZE", "message too long"),
        [SocketError.NotConnected] = (107, "ENOTCONN", "not connected"),
        [SocketError.IsConnected] = (106, "EISCONN", "already connected"),
        [SocketError.WouldBlock] = (11, "EAGAIN", "resource temporarily unavailable"),
        [SocketError.InProgress] = (115, "EINPROGRESS", "operation in progress"),
        [SocketError.AlreadyInProgress] = (114, "EALREADY", "operation already in progress"),
        [SocketError.NoBufferSpaceAvailable] = (105, "ENOBUFS", "no buffer space available"),
        [SocketError.OperationAborted] = (125, "ECANCELED", "operation canceled"),
        [SocketError.Interrupted] = (4, "EINTR", "interrupted system call"),
        [SocketError.TooManyOpenSockets] = (24, "EMFILE", "too many open files"),
        [SocketError.DestinationAddressRequired] = (89, "EDESTADDRREQ", "destination address required"),
        [SocketError.Fault] = (14, "EFAULT", "bad address"),
        [SocketError.Disconnecting] = (108, "ESHUTDOWN", "cannot send after socket shutdown"),
        // Resolver failures: getaddrinfo's EAI_* codes, negative as in <netdb.h>.
        [SocketError.HostNotFound] = (-2, "EAI_NONAME", "name or service not known"),
        [SocketError.TryAgain] = (-3, "EAI_AGAIN", "temporary failure in name resolution"),
        [SocketError.NoRecovery] = (-4, "EAI_FAIL", "non-recoverable failure in name resolution"),
        [SocketError.NoData] = (-5, "EAI_NODATA", "no address associated with hostname"),
    };

    private static readonly Dictionary<int, (string Name, string Text)> ByErrno =
        Map.Values.GroupBy(v => v.Errno).ToDictionary(g => g.Key, g => (g.First().Name, g.First().Text));

    /// <summary>The errno number, symbol and lower-case text for a socket error.</summary>
    public static (int Errno, string Name, string Text) Describe(SocketError error) =>
        Map.TryGetValue(error, out var d) ? d : ((int)error, error.ToString().ToUpperInvariant(), error.ToString());

    /// <summary>Symbol and text for a Linux errno (or a negative EAI_* code).</summary>
    public static (string Name, string Text) DescribeErrno(int errno) =>
        ByErrno.TryGetValue(errno, out var d) ? d : ($"E{errno}", $"error {errno}");

    /// <summary>"connection refused (ECONNREFUSED)": the tail of every user-facing socket error.</summary>
    public static string Format(SocketError error)
    {
        var (_, name, text) = Describe(error);
        return $"{text} ({name})";
    }

    /// <summary>Wraps a <see cref="SocketException"/> as a <see cref="SockException"/> naming what was attempted.</summary>
    public static SockException Wrap(string operation, SocketException e) =>
        new($"{operation}: {Format(e.SocketErrorCode)}", e);
}
