using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;

namespace Sock.Wormhole.Server;

/// <summary>Limits of a relay: connections per client address, and how long half a transit pair waits for the other.</summary>
public sealed record RelayOptions(int MaxConnectionsPerAddress = 32, TimeSpan? PairTimeout = null)
{
    public TimeSpan PairWait => PairTimeout ?? TimeSpan.FromMinutes(2);
}

/// <summary>
/// `sock relay`: one TCP port that serves magic-wormhole's mailbox protocol (an HTTP upgrade to a
/// WebSocket at /v1) and its transit relay (connections that start "please relay TOKEN for side
/// SIDE"), told apart by their first bytes. The transit relay joins the two connections with the
/// same token and copies bytes through a fixed 64 KiB buffer each way: it sees ciphertext and
/// sizes, never a key or a file name. One log line per transfer, sizes only.
/// </summary>
public sealed class RelayServer : IDisposable
{
    private const int Buffer = 64 * 1024;
    private readonly Socket _listener;
    private readonly RelayOptions _options;
    private readonly Action<string> _log;
    private readonly MailboxServer _mailbox = new();
    private readonly ConcurrentDictionary<IPAddress, int> _perAddress = new();
    private readonly object _gate = new();
    private readonly Dictionary<string, Half> _waiting = [];
    private int _transfers;

    public int Port => ((IPEndPoint)_listener.LocalEndPoint!).Port;

    public RelayServer(int port, IPAddress? bind, RelayOptions options, Action<string> log)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _log = log ?? throw new ArgumentNullException(nameof(log));
        var address = bind ?? (Socket.OSSupportsIPv6 ? IPAddress.IPv6Any : IPAddress.Any);
        _listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (address.Equals(IPAddress.IPv6Any)) _listener.DualMode = true;
            _listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            _listener.Bind(new IPEndPoint(address, port));
            _listener.Listen(512);
        }
        catch (SocketException e)
        {
            _listener.Dispose();
            throw Sock.Net.SocketErrors.Wrap($"listen on port {port}", e);
        }
    }

    public async Task RunAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(ct);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            var address = (client.RemoteEndPoint as IPEndPoint)?.Address ?? IPAddress.None;
            if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
            if (_perAddress.AddOrUpdate(address, 1, (_, n) => n + 1) > _options.MaxConnectionsPerAddress)
            {
                Leave(address);
                _log($"refused {address}: more than {_options.MaxConnectionsPerAddress} connections from one address");
                client.Dispose();
                continue;
            }
            _ = Task.Run(async () =>
            {
                try
                {
                    await ServeAsync(client, ct);
                }
                catch (Exception e) when (e is IOException or SocketException or WebSocketException or OperationCanceledException or ObjectDisposedException)
                {
                }
                finally
                {
                    client.Dispose();
                    Leave(address);
                }
            }, ct);
        }
    }

    private void Leave(IPAddress address)
    {
        if (_perAddress.AddOrUpdate(address, 0, (_, n) => n - 1) <= 0) _perAddress.TryRemove(new KeyValuePair<IPAddress, int>(address, 0));
    }

    private async Task ServeAsync(Socket client, CancellationToken ct)
    {
        client.NoDelay = true;
        using var stream = new NetworkStream(client, ownsSocket: false);
        // Whatever it is, its first line comes within 30 s.
        using var firstLine = CancellationTokenSource.CreateLinkedTokenSource(ct);
        firstLine.CancelAfter(TimeSpan.FromSeconds(30));
        var head = await ReadLineAsync(stream, 8192, firstLine.Token);
        if (head is null) return;
        if (head.StartsWith("GET ", StringComparison.Ordinal))
        {
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            while (await ReadLineAsync(stream, 8192, firstLine.Token) is { Length: > 0 } line)
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0) headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
                if (headers.Count > 100) return;
            }
            if (!headers.TryGetValue("Sec-WebSocket-Key", out var key) || !headers.TryGetValue("Upgrade", out var upgrade)
                || !upgrade.Equals("websocket", StringComparison.OrdinalIgnoreCase))
            {
                await stream.WriteAsync("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray(), ct);
                return;
            }
            // RFC 6455's fixed handshake digest (not a security use of SHA-1).
#pragma warning disable CA5350
            var accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
#pragma warning restore CA5350
            await stream.WriteAsync(Encoding.ASCII.GetBytes(
                $"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n"), ct);
            using var ws = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.FromSeconds(30) });
            await _mailbox.ServeAsync(ws, ct);
            return;
        }
        if (head.StartsWith("please relay ", StringComparison.Ordinal))
        {
            // "please relay TOKEN for side SIDE" (old clients: "please relay TOKEN").
            var words = head.Split(' ');
            var token = words.Length >= 3 ? words[2] : "";
            var side = words.Length == 6 && words[3] == "for" && words[4] == "side" ? words[5] : "";
            if (token.Length != 64 || !token.All(char.IsAsciiHexDigitLower))
            {
                await stream.WriteAsync("bad handshake\n"u8.ToArray(), ct);
                return;
            }
            await PairAsync(client, token, side, ct);
        }
    }

    private sealed class Half(Socket socket, string side)
    {
        public Socket Socket { get; } = socket;
        public string Side { get; } = side;
        public TaskCompletionSource<bool> Joined { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource Finished { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>
    /// The first half of a pair waits (its socket held open, bounded by the pair timeout); the second
    /// half runs the copying and then lets the first one's task end.
    /// </summary>
    private async Task PairAsync(Socket client, string token, string side, CancellationToken ct)
    {
        Half? partner = null;
        Half? mine = null;
        lock (_gate)
        {
            if (_waiting.TryGetValue(token, out var other) && (side.Length == 0 || other.Side != side))
            {
                _waiting.Remove(token);
                partner = other;
            }
            else
            {
                if (_waiting.Remove(token, out var replaced)) replaced.Joined.TrySetResult(false); // the same side again: the newer wins
                mine = new Half(client, side);
                _waiting[token] = mine;
            }
        }
        if (mine is not null)
        {
            bool joined;
            try
            {
                joined = await mine.Joined.Task.WaitAsync(_options.PairWait, ct);
            }
            catch (TimeoutException)
            {
                joined = false;
            }
            if (!joined)
            {
                lock (_gate)
                    if (_waiting.TryGetValue(token, out var current) && current == mine) _waiting.Remove(token);
                return;
            }
            await mine.Finished.Task;
            return;
        }
        partner!.Joined.TrySetResult(true);
        try
        {
            await JoinAsync(partner.Socket, client, ct);
        }
        finally
        {
            partner.Finished.TrySetResult();
        }
    }

    private async Task JoinAsync(Socket first, Socket second, CancellationToken ct)
    {
        var n = Interlocked.Increment(ref _transfers);
        var clock = Stopwatch.StartNew();
        await first.SendAsync("ok\n"u8.ToArray(), SocketFlags.None, ct);
        await second.SendAsync("ok\n"u8.ToArray(), SocketFlags.None, ct);
        var forward = CopyAsync(first, second, ct);
        var backward = CopyAsync(second, first, ct);
        var (a, b) = (await forward, await backward);
        _log($"transit #{n}: {Describe(first)} ⇄ {Describe(second)}, {a} bytes one way, {b} the other, {clock.Elapsed.TotalSeconds:0.00} s");
    }

    private static string Describe(Socket s) => s.RemoteEndPoint is IPEndPoint e ? (e.Address.IsIPv4MappedToIPv6 ? e.Address.MapToIPv4().ToString() : e.Address.ToString()) : "?";

    /// <summary>Copies until end of stream, then passes the half-close on; the buffer is the only memory a transfer holds.</summary>
    private static async Task<long> CopyAsync(Socket from, Socket to, CancellationToken ct)
    {
        var buffer = new byte[Buffer];
        long total = 0;
        try
        {
            int n;
            while ((n = await from.ReceiveAsync(buffer, SocketFlags.None, ct)) > 0)
            {
                await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, ct);
                total += n;
            }
            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // One side died: end the other too, so it sees the failure at once.
            try { to.Shutdown(SocketShutdown.Both); } catch (Exception x) when (x is SocketException or ObjectDisposedException) { }
            try { from.Shutdown(SocketShutdown.Both); } catch (Exception x) when (x is SocketException or ObjectDisposedException) { }
        }
        return total;
    }

    /// <summary>One line of at most <paramref name="max"/> bytes, read a byte at a time so nothing after it is consumed.</summary>
    private static async Task<string?> ReadLineAsync(NetworkStream stream, int max, CancellationToken ct)
    {
        var bytes = new List<byte>(128);
        var one = new byte[1];
        while (bytes.Count < max)
        {
            if (await stream.ReadAsync(one, ct) == 0) return null;
            if (one[0] == (byte)'\n') return Encoding.ASCII.GetString(bytes.ToArray()).TrimEnd('\r');
            bytes.Add(one[0]);
        }
        return null;
    }

    public void Dispose() => _listener.Dispose();
}
