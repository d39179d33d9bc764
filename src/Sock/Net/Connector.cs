using System.Net;
using System.Net.Sockets;

namespace Sock.Net;

/// <summary>
/// Python's <c>socket.create_connection(address, timeout, source_address)</c> with Happy Eyeballs
/// (RFC 8305): resolve, interleave IPv6 and IPv4 addresses, start an attempt every 250 ms (or at
/// once when the previous one fails), and keep the first socket that connects; the other attempts
/// are cancelled and their sockets disposed.
/// </summary>
public static class Connector
{
    /// <summary>RFC 8305's recommended "Connection Attempt Delay".</summary>
    public static readonly TimeSpan AttemptDelay = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Resolves <paramref name="host"/> (a name, an address, or a bracketed IPv6 literal) and connects
    /// a TCP socket to it. <paramref name="family"/> restricts to IPv4 or IPv6; <paramref name="source"/>
    /// binds the local end first (port 0 lets the kernel choose). Failures are <see cref="SockException"/>s
    /// with one-line messages: "connect 127.0.0.1:9: connection refused (ECONNREFUSED)".
    /// </summary>
    public static async Task<Socket> CreateConnectionAsync(string host, int port, TimeSpan? timeout = null,
        IPEndPoint? source = null, AddressFamily family = AddressFamily.Unspecified, CancellationToken ct = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (timeout is { } t) deadline.CancelAfter(t);
        var addresses = await ResolveAsync(host, port, family, source, timeout, deadline.Token, ct);
        return await ConnectAnyAsync(addresses, port, timeout, source, Display(host, port), deadline, ct);
    }

    /// <summary>Happy Eyeballs over addresses already resolved (in the resolver's order).</summary>
    public static async Task<Socket> ConnectAnyAsync(IReadOnlyList<IPAddress> addresses, int port, TimeSpan? timeout = null,
        IPEndPoint? source = null, CancellationToken ct = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (timeout is { } t) deadline.CancelAfter(t);
        var what = addresses.Count > 0 ? Display(addresses[0].ToString(), port) : $"port {port}";
        return await ConnectAnyAsync(addresses, port, timeout, source, what, deadline, ct);
    }

    /// <summary>
    /// RFC 8305 §4 ordering: keep the resolver's order within each family, but alternate families
    /// starting with the family of the first address, so a broken IPv6 path costs one delay, not all.
    /// </summary>
    public static IReadOnlyList<IPAddress> Interleave(IEnumerable<IPAddress> addresses)
    {
        var all = addresses.Distinct().ToList();
        if (all.Count == 0) return all;
        var first = all[0].AddressFamily;
        var primary = new Queue<IPAddress>(all.Where(a => a.AddressFamily == first));
        var secondary = new Queue<IPAddress>(all.Where(a => a.AddressFamily != first));
        var result = new List<IPAddress>(all.Count);
        while (primary.Count > 0 || secondary.Count > 0)
        {
            if (primary.Count > 0) result.Add(primary.Dequeue());
            if (secondary.Count > 0) result.Add(secondary.Dequeue());
        }
        return result;
    }

    /// <summary>"host:port", with IPv6 literals in brackets.</summary>
    public static string Display(string host, int port)
    {
        var h = host.Trim('[', ']');
        return h.Contains(':', StringComparison.Ordinal) ? $"[{h}]:{port}" : $"{h}:{port}";
    }

    private static async Task<IReadOnlyList<IPAddress>> ResolveAsync(string host, int port, AddressFamily family,
        IPEndPoint? source, TimeSpan? timeout, CancellationToken token, CancellationToken ct)
    {
        var bare = host.Length > 1 && host[0] == '[' && host[^1] == ']' ? host[1..^1] : host;
        // The source address decides the family when it is given: a socket bound to an IPv4 address cannot reach IPv6.
        if (source is not null) family = source.AddressFamily;
        IPAddress[] found;
        if (IPAddress.TryParse(bare, out var literal))
            found = [literal];
        else
        {
            try
            {
                found = await Dns.GetHostAddressesAsync(bare, family, token);
            }
            catch (SocketException e)
            {
                throw new SockException($"resolve {bare}: {SocketErrors.Format(e.SocketErrorCode)}", e);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new SockException($"connect {Display(bare, port)}: timed out after {Seconds(timeout)} resolving the name (ETIMEDOUT)");
            }
        }
        var usable = found.Where(a => family == AddressFamily.Unspecified || a.AddressFamily == family).ToList();
        if (usable.Count == 0)
            throw new SockException($"resolve {bare}: no {(family == AddressFamily.InterNetworkV6 ? "IPv6" : "IPv4")} address (EAI_ADDRFAMILY)");
        return usable;
    }

    private static async Task<Socket> ConnectAnyAsync(IReadOnlyList<IPAddress> resolved, int port, TimeSpan? timeout,
        IPEndPoint? source, string what, CancellationTokenSource deadline, CancellationToken ct)
    {
        var addresses = Interleave(resolved);
        if (addresses.Count == 0) throw new SockException($"connect {what}: no address to connect to");
        // Cancelled when a winner is found (losers stop) or the deadline/caller cancels.
        using var attempts = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token);
        var pending = new List<Task<Socket>>();
        Exception? lastError = null;
        var next = 0;
        pending.Add(AttemptAsync(addresses[next++], port, source, attempts.Token));
        try
        {
            while (pending.Count > 0)
            {
                Task? delay = next < addresses.Count ? Task.Delay(AttemptDelay, attempts.Token) : null;
                var done = delay is null ? await Task.WhenAny(pending) : await Task.WhenAny([.. pending, delay]);
                if (done == delay)
                {
                    if (!delay.IsCanceled) pending.Add(AttemptAsync(addresses[next++], port, source, attempts.Token));
                    else break;
                    continue;
                }
                var attempt = (Task<Socket>)done;
                pending.Remove(attempt);
                if (attempt.IsCompletedSuccessfully)
                {
                    attempts.Cancel();
                    foreach (var loser in pending) _ = DisposeWhenDone(loser);
                    return attempt.Result;
                }
                lastError = attempt.Exception?.InnerException ?? lastError;
                // A failed attempt starts the next one at once (RFC 8305 §5), without waiting the delay.
                if (next < addresses.Count) pending.Add(AttemptAsync(addresses[next++], port, source, attempts.Token));
            }
        }
        finally
        {
            attempts.Cancel();
            foreach (var loser in pending) _ = DisposeWhenDone(loser);
        }
        ct.ThrowIfCancellationRequested();
        if (deadline.IsCancellationRequested)
            throw new SockException($"connect {what}: timed out after {Seconds(timeout)} (ETIMEDOUT)");
        throw lastError switch
        {
            SocketException s => new SockException($"connect {what}: {SocketErrors.Format(s.SocketErrorCode)}", s),
            null => new SockException($"connect {what}: failed"),
            _ => new SockException($"connect {what}: {lastError.Message}", lastError),
        };
    }

    private static async Task<Socket> AttemptAsync(IPAddress address, int port, IPEndPoint? source, CancellationToken ct)
    {
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (source is not null) socket.Bind(source);
            await socket.ConnectAsync(new IPEndPoint(address, port), ct);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>An attempt that lost the race may still complete; its socket must not leak.</summary>
    private static async Task DisposeWhenDone(Task<Socket> attempt)
    {
        try { (await attempt).Dispose(); }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException) { }
    }

    private static string Seconds(TimeSpan? t) => t is { } v ? $"{v.TotalSeconds:0.###}s" : "the timeout";
}
