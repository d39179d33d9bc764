using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Sock.Net;

namespace Sock.Chat.Client.Dcc;

/// <summary>
/// File offers in both directions: incoming offers wait for /accept or /reject; outgoing ones
/// listen on the address of our connection to the server until the peer connects. Passive DCC
/// (for a side that cannot be connected to) swaps who listens: the offer carries port 0 and a
/// token, and the accepting side answers with its own address, port and the same token.
/// </summary>
internal sealed partial class DccManager(DccContext context) : IDisposable
{
    /// <summary>How long an outgoing offer waits for the other side to connect (or, passive, to answer).</summary>
    public static readonly TimeSpan OfferTimeout = TimeSpan.FromMinutes(5);

    /// <summary>An offer of ours; a passive one waits for the answer naming where to connect.</summary>
    private sealed class Outgoing(string nick, string name, int port, long size, string? token, CancellationTokenSource cancel)
    {
        public string Nick { get; } = nick;
        public string Name { get; } = name;
        /// <summary>Our listening port (0 for passive).</summary>
        public int Port { get; } = port;
        public long Size { get; } = size;
        public string? Token { get; } = token;
        public CancellationTokenSource Cancel { get; } = cancel;
        public TaskCompletionSource<IPEndPoint> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        /// <summary>Where the peer asked to continue (DCC RESUME) before connecting; 0 for the whole file.</summary>
        public long ResumeFrom { get; set; }
        public bool Connected { get; set; }
    }

    private readonly List<DccOffer> _pending = [];
    private readonly List<Outgoing> _outgoing = [];
    private readonly CancellationTokenSource _all = new();
    private readonly object _gate = new();
    private int _running;

    /// <summary>Transfers connected and moving data (not offers still waiting for an answer).</summary>
    public int Running => Volatile.Read(ref _running);

    /// <summary>Waits (bounded) until no transfer is moving data, so /quit does not cut one short.</summary>
    public async Task WaitForRunningAsync(TimeSpan max, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + max;
        while (Running > 0 && DateTime.UtcNow < deadline) await Task.Delay(50, ct);
    }

    private void Started() => Interlocked.Increment(ref _running);

    private void Ended() => Interlocked.Decrement(ref _running);

    /// <summary>An incoming CTCP DCC request: SEND (an offer), RESUME (to our offer) or ACCEPT (to our resume).</summary>
    public async Task OnRequestAsync(string from, string text, CancellationToken ct)
    {
        var verb = text.TrimStart().Split(' ', 2)[0].ToUpperInvariant();
        if (verb is "RESUME" or "ACCEPT")
        {
            DccResume request;
            try
            {
                request = DccResume.Parse(text.TrimStart()[verb.Length..]);
            }
            catch (FormatException e)
            {
                context.Report(ChatEvent.Error($"ignored a DCC {verb} from {from}: {e.Message}"));
                return;
            }
            if (verb == "RESUME") await OnResumeAsync(from, request, ct);
            else OnResumeAccepted(from, request);
            return;
        }
        OnOffer(from, text);
    }

    /// <summary>An incoming <c>DCC SEND</c>: checked now, so a bad one is refused before anyone accepts it.</summary>
    private void OnOffer(string from, string text)
    {
        DccOffer offer;
        try
        {
            offer = DccOffer.Parse(from, text);
        }
        catch (FormatException e)
        {
            context.Report(ChatEvent.Error($"refused a DCC offer from {from}: {e.Message}"));
            return;
        }
        if (!offer.IsPassive && offer.Token is not null && AnswerToOurs(from, offer)) return;
        var problem = DccFileNames.Problem(offer.FileName);
        if (problem is not null)
        {
            context.Report(ChatEvent.Error($"refused a DCC offer from {from}: {problem}"));
            return;
        }
        if (offer.IsPassive && offer.Token is null)
        {
            context.Report(ChatEvent.Error($"refused a DCC offer from {from} for '{offer.FileName}': port 0 without a passive DCC token"));
            return;
        }
        lock (_gate)
        {
            _pending.RemoveAll(o => Same(o.From, from) && o.FileName == offer.FileName);
            _pending.Add(offer);
        }
        var where = offer.IsPassive ? "passive: we listen, they connect" : $"from {offer.Address}:{offer.Port}";
        var partial = DccFileNames.Partial(context.DownloadDirectory, offer.FileName);
        var resume = partial is { Length: > 0 } p && p.Length < offer.Size
            ? $", or /resume {from} to continue the {Bytes(p.Length)} already in {Path.GetFileName(p.FinalPath)}{DccFileNames.PartSuffix}"
            : "";
        context.Report(new ChatEvent(ChatEventKind.Transfer, DateTimeOffset.Now,
            $"{from} offers '{offer.FileName}' ({Bytes(offer.Size)}) {where}: /accept {from} or /reject {from}{resume}", from));
    }

    /// <summary>A DCC SEND with a port and a token we issued: the answer to our passive offer.</summary>
    private bool AnswerToOurs(string from, DccOffer answer)
    {
        Outgoing? ours;
        lock (_gate) ours = _outgoing.FirstOrDefault(o => o.Token == answer.Token && Same(o.Nick, from));
        if (ours is null) return false;
        ours.Answer.TrySetResult(new IPEndPoint(answer.Address, answer.Port));
        return true;
    }

    /// <summary>A DCC NOTICE (the peer rejected our offer).</summary>
    public void OnNotice(string from, string text)
    {
        if (!text.StartsWith("REJECT", StringComparison.OrdinalIgnoreCase))
        {
            context.Report(ChatEvent.Info($"DCC notice from {from}: {text}"));
            return;
        }
        lock (_gate)
            foreach (var o in _outgoing.Where(o => Same(o.Nick, from)).ToList())
            {
                o.Cancel.Cancel();
                _outgoing.Remove(o);
            }
        context.Report(ChatEvent.Transfer($"{from} rejected your file offer"));
    }

    public async Task RejectAsync(string? nick, CancellationToken ct)
    {
        var offer = Take(nick);
        if (offer is null) return;
        await context.SendCtcpAsync("NOTICE", offer.From, $"DCC REJECT SEND {offer.FileName}", ct);
        context.Report(ChatEvent.Transfer($"rejected '{offer.FileName}' from {offer.From}"));
    }

    public async Task AcceptAsync(string? nick, CancellationToken ct)
    {
        var offer = Take(nick);
        if (offer is null) return;
        TcpListener? listener = null;
        if (offer.IsPassive && (listener = await ListenForPassiveAsync(offer, ct)) is null) return;
        // The transfer runs in the background so chat goes on meanwhile.
        _ = Task.Run(() => ReceiveAsync(offer, listener, 0, _all.Token), CancellationToken.None);
    }

    /// <summary>
    /// Passive DCC: we listen where the server sees us, and tell the sender where to connect (the
    /// offer's token says which offer we answer). Null when that failed (reported).
    /// </summary>
    private async Task<TcpListener?> ListenForPassiveAsync(DccOffer offer, CancellationToken ct)
    {
        var local = Local();
        if (local is null) return null;
        var listener = new TcpListener(local, 0);
        listener.Start(1);
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        if (!await context.SendCtcpAsync("PRIVMSG", offer.From, DccOffer.Format(offer.FileName, local, port, offer.Size, offer.Token), ct))
        {
            listener.Stop();
            return null;
        }
        context.Report(ChatEvent.Transfer($"accepted '{offer.FileName}' from {offer.From}; waiting for them to connect to {local}:{port} (passive DCC)"));
        return listener;
    }

    /// <summary>The address of our connection to the server (what peers can reach), or null with a report.</summary>
    private IPAddress? Local()
    {
        var local = context.LocalAddress;
        if (local is null)
        {
            context.Report(ChatEvent.Error("not connected"));
            return null;
        }
        return local.IsIPv4MappedToIPv6 ? local.MapToIPv4() : local;
    }

    private DccOffer? Take(string? nick)
    {
        lock (_gate)
        {
            var offer = nick is null ? _pending.LastOrDefault() : _pending.LastOrDefault(o => Same(o.From, nick));
            if (offer is not null) { _pending.Remove(offer); return offer; }
        }
        context.Report(ChatEvent.Error(nick is null ? "no file offer is waiting" : $"no file offer from {nick} is waiting"));
        return null;
    }

    private async Task ReceiveAsync(DccOffer offer, TcpListener? passive, long resumeAt, CancellationToken ct)
    {
        var receiver = new DccReceiver(offer, context.DownloadDirectory, p => context.Report(p));
        Started();
        try
        {
            var result = await receiver.RunAsync(passive, resumeAt, ct);
            context.Report(ChatEvent.Transfer(
                $"received '{offer.FileName}' from {offer.From}: {Bytes(result.Bytes)}{Resumed(result)} in {result.Elapsed.TotalSeconds:0.0}s, SHA-256 {result.Sha256}, saved as {result.Path}"));
        }
        catch (Exception e) when (e is SockException or IOException or SocketException or UnauthorizedAccessException)
        {
            context.Report(ChatEvent.Error($"DCC from {offer.From} ('{offer.FileName}') failed: {e.Message}"));
        }
        catch (OperationCanceledException) { }
        finally
        {
            Ended();
        }
    }

    /// <summary>
    /// /send NICK PATH: listens, offers, and sends when the peer connects. Passive (/send -passive):
    /// offers port 0 with a token, and connects to where the peer's answer says.
    /// </summary>
    public async Task OfferAsync(string nick, string path, bool passive, CancellationToken ct)
    {
        path = path.Trim().Trim('"');
        if (path.StartsWith('~')) path = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) + path[1..];
        if (!File.Exists(path))
        {
            context.Report(ChatEvent.Error($"/send: no such file: {path}"));
            return;
        }
        var local = Local();
        if (local is null) return;
        // FileInfo.Length of a symlink is the link's own size: measure what it points to.
        var info = new FileInfo(path);
        if (info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is FileInfo target) info = target;
        var size = info.Length;
        var name = Path.GetFileName(path);
        var listener = passive ? null : new TcpListener(local, 0);
        listener?.Start(1);
        var port = listener is null ? 0 : ((IPEndPoint)listener.LocalEndpoint).Port;
        var cancel = CancellationTokenSource.CreateLinkedTokenSource(_all.Token);
        var offer = new Outgoing(nick, name, port, size, passive ? NewToken() : null, cancel);
        lock (_gate) _outgoing.Add(offer);
        if (!await context.SendCtcpAsync("PRIVMSG", nick, DccOffer.Format(name, local, port, size, offer.Token), ct))
        {
            listener?.Stop();
            lock (_gate) _outgoing.Remove(offer);
            cancel.Dispose();
            return;
        }
        context.Report(ChatEvent.Transfer(passive
            ? $"offering '{name}' ({Bytes(size)}) to {nick} (passive DCC: they listen, we connect); waiting up to {OfferTimeout.TotalMinutes:0} min for them to accept"
            : $"offering '{name}' ({Bytes(size)}) to {nick} on {local}:{port}; waiting up to {OfferTimeout.TotalMinutes:0} min for them to accept"));
        _ = Task.Run(async () =>
        {
            var started = false;
            try
            {
                Func<CancellationToken, Task<Socket>> open = listener is null
                    ? token => ConnectToAnswerAsync(offer, token)
                    : token => AcceptAsync(listener, OfferTimeout, token);
                var sender = new DccSender(open, path, name, size, p => context.Report(p), () =>
                {
                    started = true;
                    Started();
                    lock (_gate) offer.Connected = true;
                    return offer.ResumeFrom;
                });
                var result = await sender.RunAsync(cancel.Token);
                context.Report(ChatEvent.Transfer(
                    $"sent '{name}' to {nick}: {Bytes(result.Bytes)}{Resumed(result)} in {result.Elapsed.TotalSeconds:0.0}s, SHA-256 {result.Sha256}"));
            }
            catch (OperationCanceledException) when (!_all.IsCancellationRequested)
            {
                // Rejected (already reported) or timed out.
                if (!cancel.IsCancellationRequested) context.Report(ChatEvent.Error($"{nick} did not accept '{name}' within {OfferTimeout.TotalMinutes:0} min"));
            }
            catch (OperationCanceledException) { }
            catch (Exception e) when (e is SockException or IOException or SocketException)
            {
                context.Report(ChatEvent.Error($"DCC to {nick} ('{name}') failed: {e.Message}"));
            }
            finally
            {
                if (started) Ended();
                listener?.Stop();
                lock (_gate) _outgoing.Remove(offer);
                cancel.Dispose();
            }
        }, CancellationToken.None);
    }

    /// <summary>The one connection a DCC listener waits for, within <paramref name="within"/> (then cancelled); the listener is stopped either way.</summary>
    internal static async Task<Socket> AcceptAsync(TcpListener listener, TimeSpan within, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(within);
        try
        {
            return await listener.AcceptSocketAsync(timeout.Token);
        }
        finally
        {
            listener.Stop();
        }
    }

    /// <summary>Passive send: waits for the peer's answer, then connects to the address it names.</summary>
    private async Task<Socket> ConnectToAnswerAsync(Outgoing offer, CancellationToken ct)
    {
        IPEndPoint peer;
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            timeout.CancelAfter(OfferTimeout);
            peer = await offer.Answer.Task.WaitAsync(timeout.Token);
        }
        context.Report(ChatEvent.Transfer($"{offer.Nick} accepted '{offer.Name}'; connecting to {peer}"));
        return await ConnectAsync(peer.Address, peer.Port, "", ct);
    }

    /// <summary>
    /// Connects to a DCC peer within 15 s; a refusal or timeout is a <see cref="SockException"/> naming
    /// the address, with <paramref name="consequence"/> appended (what became of the offer).
    /// </summary>
    internal static async Task<Socket> ConnectAsync(IPAddress address, int port, string consequence, CancellationToken ct)
    {
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(15));
        try
        {
            await socket.ConnectAsync(address, port, timeout.Token);
            return socket;
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new SockException(SocketErrors.Wrap($"connect {address}:{port}", e).Message + consequence);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            socket.Dispose();
            throw new SockException($"connect {address}:{port}: timed out{consequence}");
        }
    }

    /// <summary>A passive offer's token: any number the peer echoes back; irssi uses small integers.</summary>
    private static string NewToken() =>
        System.Security.Cryptography.RandomNumberGenerator.GetInt32(1, int.MaxValue).ToString(CultureInfo.InvariantCulture);

    public void CancelAll()
    {
        try { _all.Cancel(); } catch (ObjectDisposedException) { }
    }

    public void Dispose() => _all.Dispose();

    private static bool Same(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    internal static string Bytes(long n) => n switch
    {
        < 1024 => n.ToString(CultureInfo.InvariantCulture) + " bytes",
        < 1024 * 1024 => (n / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " KiB",
        < 1024L * 1024 * 1024 => (n / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture) + " MiB",
        _ => (n / 1073741824.0).ToString("0.00", CultureInfo.InvariantCulture) + " GiB",
    };

    private static string Resumed(DccResult r) => r.ResumedAt > 0 ? $" (resumed after the first {r.ResumedAt} bytes)" : "";

}

/// <summary>
/// The outcome of a finished transfer: <see cref="Bytes"/> moved this time (after
/// <see cref="ResumedAt"/> bytes that were already there), and the SHA-256 of the whole file.
/// </summary>
internal sealed record DccResult(long Bytes, TimeSpan Elapsed, string Sha256, string? Path = null, long ResumedAt = 0);
