using System.Buffers;
using System.Globalization;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text.Json;
using System.Threading.Channels;

namespace Sock.Wormhole.Server;

/// <summary>
/// magic-wormhole's mailbox (rendezvous) server, in memory: nameplates (the number of a code)
/// lead to mailboxes, where two sides exchange messages that are encrypted end to end. A
/// nameplate or mailbox admits two sides; a third gets "crowded", so each code gets one guess.
/// Bounded: at most <see cref="MaxMessages"/> messages of at most <see cref="MaxMessageBytes"/> per mailbox.
/// </summary>
public sealed class MailboxServer
{
    public const int MaxMessages = 64;
    public const int MaxMessageBytes = 64 * 1024;

    /// <summary>Nameplates and mailboxes left behind by clients that vanished are dropped after this long idle.</summary>
    public static readonly TimeSpan IdleExpiry = TimeSpan.FromMinutes(30);

    private sealed class Nameplate(string mailbox)
    {
        public string Mailbox { get; } = mailbox;
        public DateTime Used { get; set; } = DateTime.UtcNow;
        public HashSet<string> Sides { get; } = [];
        public HashSet<string> Released { get; } = [];
    }

    private sealed record Message(string Side, string Phase, string Body, string? Id, double ServerRx);

    private sealed class Mailbox
    {
        public DateTime Used { get; set; } = DateTime.UtcNow;
        public HashSet<string> Sides { get; } = [];
        public HashSet<string> Closed { get; } = [];
        public List<Message> Messages { get; } = [];
        public List<Connection> Listeners { get; } = [];
    }

    private readonly object _gate = new();
    private readonly Dictionary<(string App, string Id), Nameplate> _nameplates = [];
    private readonly Dictionary<(string App, string Id), Mailbox> _mailboxes = [];

    /// <summary>Serves one client on an accepted WebSocket until it goes away.</summary>
    public async Task ServeAsync(WebSocket socket, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(socket);
        var connection = new Connection(this, socket);
        await connection.RunAsync(ct);
    }

    private static double Now => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;

    private sealed class Connection(MailboxServer server, WebSocket socket)
    {
        private readonly Channel<byte[]> _outbox = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });
        private string? _app;
        private string? _side;
        private string? _nameplate;
        private string? _mailbox;
        private bool _allocated, _claimed, _released, _closed;

        public async Task RunAsync(CancellationToken ct)
        {
            var writer = Task.Run(() => WriteLoopAsync(ct), ct);
            try
            {
                Send("welcome", w => { w.WriteStartObject("welcome"); w.WriteEndObject(); });
                var buffer = new byte[16 * 1024];
                var message = new ArrayBufferWriter<byte>();
                while (socket.State == WebSocketState.Open)
                {
                    var result = await socket.ReceiveAsync(buffer, ct);
                    if (result.MessageType == WebSocketMessageType.Close) break;
                    message.Write(buffer.AsSpan(0, result.Count));
                    if (message.WrittenCount > MaxMessageBytes * 2 + 1024) break; // hex doubles the body
                    if (!result.EndOfMessage) continue;
                    Handle(message.WrittenSpan);
                    message.Clear();
                }
            }
            catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException)
            {
            }
            finally
            {
                server.Detach(this, _app, _mailbox);
                _outbox.Writer.TryComplete();
                try { await writer; } catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException) { }
            }
        }

        private async Task WriteLoopAsync(CancellationToken ct)
        {
            await foreach (var frame in _outbox.Reader.ReadAllAsync(ct))
                await socket.SendAsync(frame, WebSocketMessageType.Text, true, ct);
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, ct);
        }

        public void Send(string type, Action<Utf8JsonWriter>? fields = null)
        {
            var buffer = new ArrayBufferWriter<byte>();
            using (var w = new Utf8JsonWriter(buffer))
            {
                w.WriteStartObject();
                w.WriteString("type", type);
                fields?.Invoke(w);
                w.WriteNumber("server_tx", Now);
                w.WriteEndObject();
            }
            _outbox.Writer.TryWrite(buffer.WrittenSpan.ToArray());
        }

        public void Deliver(Message m) => Send("message", w =>
        {
            w.WriteString("side", m.Side);
            w.WriteString("phase", m.Phase);
            w.WriteString("body", m.Body);
            w.WriteNumber("server_rx", m.ServerRx);
            if (m.Id is null) w.WriteNull("id");
            else w.WriteString("id", m.Id);
        });

        private void Handle(ReadOnlySpan<byte> json)
        {
            JsonDocument doc;
            try
            {
                doc = JsonDocument.Parse(json.ToArray());
            }
            catch (JsonException)
            {
                Send("error", w => w.WriteString("error", "bad JSON"));
                return;
            }
            using (doc)
            {
                var msg = doc.RootElement;
                string? Str(string name) => msg.ValueKind == JsonValueKind.Object && msg.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
                var type = Str("type");
                if (type is null)
                {
                    Error("missing 'type'", msg);
                    return;
                }
                var id = Str("id");
                Send("ack", w => { if (id is null) w.WriteNull("id"); else w.WriteString("id", id); });
                try
                {
                    switch (type)
                    {
                        case "ping":
                            var ping = msg.TryGetProperty("ping", out var p) ? p.Clone() : default;
                            if (ping.ValueKind == JsonValueKind.Undefined) throw new MailboxError("ping requires 'ping'");
                            Send("pong", w => { w.WritePropertyName("pong"); ping.WriteTo(w); });
                            return;
                        case "bind":
                            if (_app is not null) throw new MailboxError("already bound");
                            _app = Str("appid") ?? throw new MailboxError("bind requires 'appid'");
                            _side = Str("side") ?? throw new MailboxError("bind requires 'side'");
                            return;
                    }
                    if (_app is null || _side is null) throw new MailboxError("must bind first");
                    switch (type)
                    {
                        case "list":
                            var ids = server.List(_app);
                            Send("nameplates", w =>
                            {
                                w.WriteStartArray("nameplates");
                                foreach (var n in ids) { w.WriteStartObject(); w.WriteString("id", n); w.WriteEndObject(); }
                                w.WriteEndArray();
                            });
                            break;
                        case "allocate":
                            if (_allocated) throw new MailboxError("you already allocated one, don't be greedy");
                            _allocated = true;
                            var allocated = server.Allocate(_app, _side);
                            Send("allocated", w => w.WriteString("nameplate", allocated));
                            break;
                        case "claim":
                            var nameplate = Str("nameplate") ?? throw new MailboxError("claim requires 'nameplate'");
                            if (_claimed) throw new MailboxError("only one claim per connection");
                            _claimed = true;
                            _nameplate = nameplate;
                            var mailbox = server.Claim(_app, nameplate, _side);
                            Send("claimed", w => w.WriteString("mailbox", mailbox));
                            break;
                        case "release":
                            if (_released) throw new MailboxError("only one release per connection");
                            var release = Str("nameplate") ?? _nameplate ?? throw new MailboxError("release without nameplate must follow claim");
                            if (_nameplate is not null && release != _nameplate) throw new MailboxError("release and claim must use same nameplate");
                            _released = true;
                            server.Release(_app, release, _side);
                            Send("released");
                            break;
                        case "open":
                            if (_mailbox is not null) throw new MailboxError("only one open per connection");
                            var open = Str("mailbox") ?? throw new MailboxError("open requires 'mailbox'");
                            server.Open(_app, open, _side, this);
                            _mailbox = open;
                            break;
                        case "add":
                            if (_mailbox is null) throw new MailboxError("must open mailbox before adding");
                            var phase = Str("phase") ?? throw new MailboxError("missing 'phase'");
                            var body = Str("body") ?? throw new MailboxError("missing 'body'");
                            if (body.Length > MaxMessageBytes * 2) throw new MailboxError("message too large");
                            server.Add(_app, _mailbox, new Message(_side, phase, body, id, Now));
                            break;
                        case "close":
                            if (_closed) throw new MailboxError("only one close per connection");
                            var close = Str("mailbox") ?? _mailbox ?? throw new MailboxError("close without mailbox must follow open");
                            _closed = true;
                            server.Close(_app, close, _side, this);
                            _mailbox = null;
                            Send("closed");
                            break;
                        default:
                            throw new MailboxError("unknown type");
                    }
                }
                catch (MailboxError e)
                {
                    Error(e.Message, msg);
                }
            }
        }

        private void Error(string text, JsonElement orig) => Send("error", w =>
        {
            w.WriteString("error", text);
            w.WritePropertyName("orig");
            orig.WriteTo(w);
        });
    }

    private sealed class MailboxError(string message) : Exception(message);

    private List<string> List(string app)
    {
        lock (_gate) return _nameplates.Keys.Where(k => k.App == app).Select(k => k.Id).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>The smallest free number, as wormhole's server does (short codes while few are in use).</summary>
    private string Allocate(string app, string side)
    {
        lock (_gate)
        {
            for (var n = 1; ; n++)
            {
                var id = n.ToString(CultureInfo.InvariantCulture);
                if (_nameplates.ContainsKey((app, id))) continue;
                ClaimLocked(app, id, side);
                return id;
            }
        }
    }

    private string Claim(string app, string nameplate, string side)
    {
        lock (_gate) return ClaimLocked(app, nameplate, side);
    }

    private void PruneLocked()
    {
        var cutoff = DateTime.UtcNow - IdleExpiry;
        foreach (var key in _nameplates.Where(p => p.Value.Used < cutoff).Select(p => p.Key).ToList()) _nameplates.Remove(key);
        foreach (var key in _mailboxes.Where(m => m.Value.Used < cutoff && m.Value.Listeners.Count == 0).Select(m => m.Key).ToList()) _mailboxes.Remove(key);
    }

    private string ClaimLocked(string app, string id, string side)
    {
        PruneLocked();
        if (!_nameplates.TryGetValue((app, id), out var n))
        {
            if (_nameplates.Count >= 10_000) throw new MailboxError("too many nameplates in use");
            n = new Nameplate(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)));
            _nameplates[(app, id)] = n;
        }
        n.Used = DateTime.UtcNow;
        if (n.Released.Contains(side)) throw new MailboxError("reclaimed");
        if (!n.Sides.Contains(side))
        {
            if (n.Sides.Count >= 2) throw new MailboxError("crowded");
            n.Sides.Add(side);
        }
        return n.Mailbox;
    }

    private void Release(string app, string id, string side)
    {
        lock (_gate)
        {
            if (!_nameplates.TryGetValue((app, id), out var n)) return;
            n.Released.Add(side);
            if (n.Sides.IsSubsetOf(n.Released)) _nameplates.Remove((app, id));
        }
    }

    private void Open(string app, string id, string side, Connection listener)
    {
        lock (_gate)
        {
            PruneLocked();
            if (!_mailboxes.TryGetValue((app, id), out var m))
            {
                if (_mailboxes.Count >= 10_000) throw new MailboxError("too many mailboxes in use");
                m = new Mailbox();
                _mailboxes[(app, id)] = m;
            }
            m.Used = DateTime.UtcNow;
            if (!m.Sides.Contains(side))
            {
                if (m.Sides.Count >= 2) throw new MailboxError("crowded");
                m.Sides.Add(side);
            }
            m.Listeners.Add(listener);
            foreach (var old in m.Messages) listener.Deliver(old);
        }
    }

    private void Add(string app, string id, Message message)
    {
        lock (_gate)
        {
            if (!_mailboxes.TryGetValue((app, id), out var m)) throw new MailboxError("no such mailbox");
            if (m.Messages.Count >= MaxMessages) throw new MailboxError("mailbox full");
            m.Used = DateTime.UtcNow;
            m.Messages.Add(message);
            foreach (var l in m.Listeners) l.Deliver(message);
        }
    }

    private void Close(string app, string id, string side, Connection listener)
    {
        lock (_gate)
        {
            if (!_mailboxes.TryGetValue((app, id), out var m)) return;
            m.Listeners.Remove(listener);
            m.Closed.Add(side);
            if (m.Sides.IsSubsetOf(m.Closed)) _mailboxes.Remove((app, id));
        }
    }

    private void Detach(Connection listener, string? app, string? mailbox)
    {
        if (app is null || mailbox is null) return;
        lock (_gate)
            if (_mailboxes.TryGetValue((app, mailbox), out var m)) m.Listeners.Remove(listener);
    }
}
