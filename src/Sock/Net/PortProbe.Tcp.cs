using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Sock.Net;

/// <summary>TCP probing: one non-blocking connect per port, refusals as error codes, and the self-connect caught.</summary>
public static partial class PortProbe
{
    private static async Task<ProbeResult> ProbeTcpAsync(string host, IPAddress address, int port, ProbeOptions options, ConnectOperation connect,
        CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var remote = new IPEndPoint(address, port);
        using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        if (options.Source is { } source)
        {
            // Several probes share a fixed source port; each is its own connection (4-tuple), as nmap -g does.
            if (source.Port != 0) socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(source);
        }
        var pending = connect.ConnectAsync(socket, remote);
        SocketError error;
        var timedOut = false;
        if (pending.IsCompleted)
        {
            error = pending.Result;
        }
        else
        {
            // Closing the socket ends the connect (OperationAborted): the timeout and Ctrl-C both do that.
            using var timer = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timer.CancelAfter(options.Timeout);
            var expiry = new Expiry(socket, ct);
            await using (timer.Token.UnsafeRegister(static s => ((Expiry)s!).Fire(), expiry))
                error = await pending;
            ct.ThrowIfCancellationRequested();
            timedOut = expiry.Closed;
        }
        if (timedOut) return Result(host, address, port, PortState.Timeout, SocketError.TimedOut, started);
        if (error != SocketError.Success) return Result(host, address, port, Classify(error), error, started);
        if (IsSelfConnect(socket))
        {
            // TCP simultaneous open: a connect to an unused port from the same port (an ephemeral
            // port the kernel picked, or --source) connects the socket to itself. Nothing listens,
            // so it is what a refusal is: closed (nmap does not report these either).
            return Result(host, address, port, PortState.Closed, SocketError.ConnectionRefused, started);
        }
        var banner = options.Banner ? await Banners.ReadAsync(socket, options.BannerWait, ct) : null;
        return Result(host, address, port, PortState.Open, null, started) with { Banner = banner };
    }

    /// <summary>
    /// The timeout of one pending connect. A connect the kernel has already answered (writable, or
    /// an error) is left to complete: with thousands in flight on a busy machine the answer can wait
    /// in this process's queue past the timeout, and that is not the port's silence.
    /// </summary>
    private sealed class Expiry(Socket socket, CancellationToken ct)
    {
        public volatile bool Closed;

        public void Fire()
        {
            try
            {
                if (!ct.IsCancellationRequested && (socket.Poll(0, SelectMode.SelectWrite) || socket.Poll(0, SelectMode.SelectError))) return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                // cannot tell: treat as silent
            }
            Closed = true;
            socket.Dispose();
        }
    }

    /// <summary>Whether a connected socket's two ends are the same address and port: a connection to itself.</summary>
    public static bool IsSelfConnect(Socket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        return socket.LocalEndPoint is IPEndPoint local && socket.RemoteEndPoint is IPEndPoint remote && local.Equals(remote);
    }

    private static ProbeResult Result(string host, IPAddress address, int port, PortState state, SocketError? error, long started)
    {
        var ms = Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 2);
        if (error is null)
            return new ProbeResult(host, address.ToString(), port, state, 0, null, ms);
        var (errno, name, _) = SocketErrors.Describe(error.Value);
        return new ProbeResult(host, address.ToString(), port, state, errno, name, ms);
    }
}
