namespace Sock;

/// <summary>
/// An operation failed for a reason the user can act on. The message is one line, already
/// phrased for a person (`connect 127.0.0.1:9: connection refused (ECONNREFUSED)`), so a
/// front end can print it as is without a stack trace.
/// </summary>
public class SockException : Exception
{
    public SockException(string message) : base(message) { }

    public SockException(string message, Exception inner) : base(message, inner) { }

    public SockException() { }
}
