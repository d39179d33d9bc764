using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Sock.Wormhole;

/// <summary>The lines magic-wormhole's transit connections open with, each tied to the transit key.</summary>
public static class TransitHandshake
{
    private static string Hex(ReadOnlySpan<byte> transitKey, string purpose) => Convert.ToHexStringLower(WormholeCrypto.DeriveKey(transitKey, purpose));

    public static string Sender(ReadOnlySpan<byte> transitKey) => $"transit sender {Hex(transitKey, "transit_sender")} ready\n\n";

    public static string Receiver(ReadOnlySpan<byte> transitKey) => $"transit receiver {Hex(transitKey, "transit_receiver")} ready\n\n";

    /// <summary>What a transit relay is asked first: both halves with the same token are joined.</summary>
    public static string RelayRequest(ReadOnlySpan<byte> transitKey, string side) => $"please relay {Hex(transitKey, "transit_relay_token")} for side {side}\n";
}

/// <summary>A TCP endpoint from a "direct-tcp-v1" hint, or one way to reach a relay.</summary>
public sealed record TransitHint(string Host, int Port, double Priority = 0)
{
    /// <summary>"tcp:HOST:PORT" (wormhole's --transit-helper form).</summary>
    public static TransitHint? Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var rest = text.StartsWith("tcp:", StringComparison.Ordinal) ? text[4..] : text;
        var colon = rest.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(rest[(colon + 1)..], out var port) || port is < 1 or > 65535) return null;
        var host = rest[..colon].Trim('[', ']');
        return new TransitHint(host, port);
    }

    public override string ToString() => Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}

/// <summary>The "transit" message each side sends through the mailbox: abilities and hints.</summary>
public sealed class TransitHints
{
    private static readonly string[] Abilities = ["direct-tcp-v1", "relay-v1"];

    public List<TransitHint> Direct { get; } = [];
    public List<TransitHint> Relays { get; } = [];

    public byte[] ToMessage() => WormholeSession.JsonBytes(w =>
    {
        w.WriteStartObject("transit");
        w.WriteStartArray("abilities-v1");
        foreach (var type in Abilities)
        {
            w.WriteStartObject();
            w.WriteString("type", type);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("hints-v1");
        foreach (var h in Direct) WriteDirect(w, h);
        if (Relays.Count > 0)
        {
            w.WriteStartObject();
            w.WriteString("type", "relay-v1");
            w.WriteStartArray("hints");
            foreach (var h in Relays) WriteDirect(w, h);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    });

    private static void WriteDirect(Utf8JsonWriter w, TransitHint h)
    {
        w.WriteStartObject();
        w.WriteString("type", "direct-tcp-v1");
        w.WriteNumber("priority", h.Priority);
        w.WriteString("hostname", h.Host);
        w.WriteNumber("port", h.Port);
        w.WriteEndObject();
    }

    /// <summary>Reads the "transit" object of a peer's message (unknown hint types, tor for one, are skipped).</summary>
    public static TransitHints Parse(JsonElement transit)
    {
        var hints = new TransitHints();
        if (!transit.TryGetProperty("hints-v1", out var list) || list.ValueKind != JsonValueKind.Array) return hints;
        foreach (var h in list.EnumerateArray())
        {
            var type = h.TryGetProperty("type", out var t) ? t.GetString() : null;
            if (type == "direct-tcp-v1" && ParseDirect(h) is { } d) hints.Direct.Add(d);
            else if (type == "relay-v1" && h.TryGetProperty("hints", out var relay) && relay.ValueKind == JsonValueKind.Array)
                foreach (var r in relay.EnumerateArray())
                    if (ParseDirect(r) is { } rd) hints.Relays.Add(rd);
        }
        return hints;
    }

    private static TransitHint? ParseDirect(JsonElement h)
    {
        if (!h.TryGetProperty("hostname", out var host) || host.ValueKind != JsonValueKind.String) return null;
        if (!h.TryGetProperty("port", out var port) || !port.TryGetInt32(out var p) || p is < 1 or > 65535) return null;
        var priority = h.TryGetProperty("priority", out var pr) && pr.TryGetDouble(out var v) ? v : 0;
        return new TransitHint(host.GetString()!, p, priority);
    }
}

/// <summary>
/// Finds the transit connection: connects to every direct hint of the peer, accepts on our own
/// listener, and (after a short head start for the direct paths, as wormhole does) asks the relays;
/// each candidate runs the handshake, and the sender picks the first that completes with "go".
/// </summary>
public sealed class TransitConnector : IDisposable
{
    private static readonly TimeSpan RelayDelay = TimeSpan.FromSeconds(2);
    private readonly bool _isSender;
    private readonly byte[] _key;
    private readonly Socket? _listener;
    private readonly string _side = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
    private readonly object _gate = new();
    private TaskCompletionSource<(Socket Socket, string Description)> _winner = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<Socket> _pending = [];

    /// <summary>Our own hints: the listener's port on each non-loopback address (loopback only when there is none), and our relays.</summary>
    public TransitHints Ours { get; } = new();

    public TransitConnector(bool isSender, ReadOnlySpan<byte> transitKey, IEnumerable<TransitHint> relays, bool listen)
    {
        _isSender = isSender;
        _key = transitKey.ToArray();
        Ours.Relays.AddRange(relays);
        if (!listen) return;
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Any, 0));
        _listener.Listen(8);
        var port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        var addresses = LocalAddresses();
        foreach (var a in addresses) Ours.Direct.Add(new TransitHint(a, port));
    }

    private static List<string> LocalAddresses()
    {
        var all = new List<string>();
        try
        {
            foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
            {
                if (nic.OperationalStatus != OperationalStatus.Up) continue;
                foreach (var u in nic.GetIPProperties().UnicastAddresses)
                    if (u.Address.AddressFamily == AddressFamily.InterNetwork) all.Add(u.Address.ToString());
            }
        }
        catch (NetworkInformationException)
        {
        }
        var outside = all.Where(a => a != "127.0.0.1").ToList();
        return outside.Count > 0 ? outside : ["127.0.0.1"];
    }

    /// <summary>Runs every candidate path until one wins; returns the records channel on it.</summary>
    public async Task<TransitRecords> ConnectAsync(TransitHints theirs, TimeSpan timeout, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(theirs);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var tasks = new List<Task>();
        foreach (var h in theirs.Direct) tasks.Add(Task.Run(() => TryConnectAsync(h, relay: false, TimeSpan.Zero, stop.Token), stop.Token));
        var relayDelay = theirs.Direct.Count > 0 || _listener is not null ? RelayDelay : TimeSpan.Zero;
        foreach (var r in Ours.Relays.Concat(theirs.Relays).Distinct())
            tasks.Add(Task.Run(() => TryConnectAsync(r, relay: true, relayDelay, stop.Token), stop.Token));
        if (_listener is not null) tasks.Add(Task.Run(() => AcceptLoopAsync(stop.Token), stop.Token));
        var all = Task.WhenAll(tasks);
        var first = await Task.WhenAny(_winner.Task, all, Task.Delay(timeout, ct));
        await stop.CancelAsync();
        lock (_gate)
        {
            foreach (var s in _pending) s.Dispose();
            _pending.Clear();
        }
        ct.ThrowIfCancellationRequested();
        // The winner is decided before its task ends, so "all ended" racing it is not a failure.
        if (!_winner.Task.IsCompleted)
            throw new SockException(first == all
                ? "no transit connection: the other side could not be reached directly and no relay joined us (give --transit-helper tcp:HOST:PORT)"
                : $"no transit connection within {timeout.TotalSeconds:0} s");
        var (socket, description) = await _winner.Task;
        return new TransitRecords(socket, _isSender, _key, description);
    }

    private async Task AcceptLoopAsync(CancellationToken ct)
    {
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var s = await _listener!.AcceptAsync(ct);
                Track(s);
                _ = Task.Run(() => HandshakeAsync(s, relay: false, $"direct, from {s.RemoteEndPoint}", ct), ct);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task TryConnectAsync(TransitHint hint, bool relay, TimeSpan delay, CancellationToken ct)
    {
        try
        {
            if (delay > TimeSpan.Zero) await Task.Delay(delay, ct);
            if (_winner.Task.IsCompleted) return;
            var s = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            Track(s);
            using var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            connectTimeout.CancelAfter(TimeSpan.FromSeconds(10));
            await s.ConnectAsync(hint.Host, hint.Port, connectTimeout.Token);
            await HandshakeAsync(s, relay, relay ? $"relay {hint}" : $"direct to {hint}", ct);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or IOException)
        {
        }
    }

    private void Track(Socket s)
    {
        lock (_gate) _pending.Add(s);
    }

    private async Task HandshakeAsync(Socket s, bool relay, string description, CancellationToken ct)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(60));
            var t = timeout.Token;
            if (relay)
            {
                await s.SendAsync(Encoding.ASCII.GetBytes(TransitHandshake.RelayRequest(_key, _side)), SocketFlags.None, t);
                if (!await ExpectAsync(s, "ok\n", t)) return;
            }
            var mine = _isSender ? TransitHandshake.Sender(_key) : TransitHandshake.Receiver(_key);
            var theirs = _isSender ? TransitHandshake.Receiver(_key) : TransitHandshake.Sender(_key);
            await s.SendAsync(Encoding.ASCII.GetBytes(mine), SocketFlags.None, t);
            if (!await ExpectAsync(s, theirs, t)) return;
            if (_isSender)
            {
                bool won;
                lock (_gate)
                {
                    won = !_winner.Task.IsCompleted;
                    if (won) _pending.Remove(s);
                }
                await s.SendAsync(won ? "go\n"u8.ToArray() : "nevermind\n"u8.ToArray(), SocketFlags.None, t);
                if (won) _winner.TrySetResult((s, description));
                return;
            }
            if (!await ExpectAsync(s, "go\n", t)) return;
            lock (_gate) _pending.Remove(s);
            if (!_winner.TrySetResult((s, description))) s.Dispose();
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or IOException)
        {
        }
    }

    /// <summary>Reads exactly the expected bytes (never more, so no record byte is swallowed); false on any difference.</summary>
    private static async Task<bool> ExpectAsync(Socket s, string expected, CancellationToken ct)
    {
        var want = Encoding.ASCII.GetBytes(expected);
        var got = new byte[want.Length];
        var have = 0;
        while (have < got.Length)
        {
            var n = await s.ReceiveAsync(got.AsMemory(have), SocketFlags.None, ct);
            if (n == 0) return false;
            if (!got.AsSpan(have, n).SequenceEqual(want.AsSpan(have, n))) return false;
            have += n;
        }
        return true;
    }

    public void Dispose()
    {
        _listener?.Dispose();
        lock (_gate)
        {
            foreach (var s in _pending) s.Dispose();
            _pending.Clear();
        }
    }
}

/// <summary>
/// The established transit connection: records of a 4-byte big-endian length, then a secretbox
/// (nonce ‖ MAC ‖ ciphertext) whose nonce is a counter from 0, one key per direction.
/// </summary>
public sealed class TransitRecords : IAsyncDisposable
{
    /// <summary>The largest record we accept (wormhole sends 16 KiB; this bounds memory against a hostile peer).</summary>
    public const int MaxRecord = 4 << 20;

    private const int Overhead = Sodium.SecretBoxNonceBytes + Sodium.SecretBoxMacBytes;
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly byte[] _sendKey;
    private readonly byte[] _receiveKey;
    private readonly byte[] _sendNonce = new byte[Sodium.SecretBoxNonceBytes];
    private readonly byte[] _receiveNonce = new byte[Sodium.SecretBoxNonceBytes];
    private readonly byte[] _header = new byte[4];

    /// <summary>"direct to 10.0.0.2:40123" or "relay 127.0.0.1:4001".</summary>
    public string Description { get; }

    internal TransitRecords(Socket socket, bool isSender, byte[] transitKey, string description)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        var senderKey = WormholeCrypto.DeriveKey(transitKey, "transit_record_sender_key");
        var receiverKey = WormholeCrypto.DeriveKey(transitKey, "transit_record_receiver_key");
        (_sendKey, _receiveKey) = isSender ? (senderKey, receiverKey) : (receiverKey, senderKey);
        Description = description;
    }

    public async Task SendAsync(ReadOnlyMemory<byte> record, CancellationToken ct)
    {
        var length = Overhead + record.Length;
        var buffer = ArrayPool<byte>.Shared.Rent(4 + length);
        try
        {
            BinaryPrimitives.WriteInt32BigEndian(buffer, length);
            WormholeCrypto.Seal(_sendKey, _sendNonce, record.Span, buffer.AsSpan(4, length));
            Increment(_sendNonce);
            await _stream.WriteAsync(buffer.AsMemory(0, 4 + length), ct);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The next record's plaintext, or null at a clean end of stream between records.</summary>
    public async Task<byte[]?> ReceiveAsync(CancellationToken ct)
    {
        var have = 0;
        while (have < 4)
        {
            var n = await _stream.ReadAsync(_header.AsMemory(have), ct);
            if (n == 0)
            {
                if (have == 0) return null;
                throw new EndOfStreamException();
            }
            have += n;
        }
        var length = BinaryPrimitives.ReadInt32BigEndian(_header);
        if (length < Overhead || length > MaxRecord + Overhead) throw new SockException($"transit record of {length} bytes refused");
        var sealedRecord = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            await _stream.ReadExactlyAsync(sealedRecord.AsMemory(0, length), ct);
            if (!sealedRecord.AsSpan(0, Sodium.SecretBoxNonceBytes).SequenceEqual(_receiveNonce))
                throw new SockException("transit record out of order (bad nonce)");
            Increment(_receiveNonce);
            var plain = new byte[length - Overhead];
            if (!WormholeCrypto.Open(_receiveKey, sealedRecord.AsSpan(0, length), plain))
                throw new SockException("a transit record failed to decrypt (tampered with on the way?)");
            return plain;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(sealedRecord);
        }
    }

    private static void Increment(byte[] bigEndianCounter)
    {
        for (var i = bigEndianCounter.Length - 1; i >= 0; i--)
            if (++bigEndianCounter[i] != 0) return;
    }

    /// <summary>Half-closes and drains briefly, so the last record is not lost to a reset.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Send);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            var sink = new byte[4096];
            while (await _stream.ReadAsync(sink, timeout.Token) > 0) { }
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
        }
        await _stream.DisposeAsync();
    }
}
