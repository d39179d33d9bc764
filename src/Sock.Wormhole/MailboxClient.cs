using System.Buffers;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace Sock.Wormhole;

/// <summary>
/// The client side of magic-wormhole's mailbox (rendezvous) protocol: JSON text frames over one
/// WebSocket. bind → allocate/claim a nameplate → open its mailbox → add/receive messages →
/// release the nameplate → close the mailbox with a mood. The server sees only the nameplate,
/// the phases and the (encrypted, hex) bodies.
/// </summary>
public sealed class MailboxClient : IAsyncDisposable
{
    /// <summary>One server message.</summary>
    public sealed record ServerMessage(string Type, JsonElement Body);

    private readonly ClientWebSocket _socket;
    private readonly Channel<ServerMessage> _inbox = Channel.CreateUnbounded<ServerMessage>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reader;
    private readonly string _url;

    /// <summary>Our random side id (10 hex digits, as wormhole's).</summary>
    public string Side { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(5));

    private MailboxClient(ClientWebSocket socket, string url)
    {
        _socket = socket;
        _url = url;
        _reader = Task.Run(ReadLoopAsync);
    }

    /// <summary>Connects, waits for the server's welcome and binds to <paramref name="appId"/>.</summary>
    public static async Task<MailboxClient> ConnectAsync(Uri url, string appId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(url);
        var socket = new ClientWebSocket();
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            await socket.ConnectAsync(url, timeout.Token);
        }
        catch (Exception e) when (e is WebSocketException or HttpRequestException or IOException || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            socket.Dispose();
            throw new SockException($"cannot reach the wormhole mailbox server {url}: {Reason(e)}", e);
        }
        var client = new MailboxClient(socket, url.ToString());
        try
        {
            var welcome = await client.WaitForAsync("welcome", ct);
            if (welcome.Body.TryGetProperty("welcome", out var w) && w.TryGetProperty("error", out var error))
                throw new SockException($"the mailbox server refuses: {error}");
            await client.SendAsync(ct, ("type", "bind"), ("appid", appId), ("side", client.Side));
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
        return client;
    }

    private static string Reason(Exception e) => (e.InnerException?.Message ?? e.Message).TrimEnd('.');

    /// <summary>Asks the server for a free nameplate.</summary>
    public async Task<string> AllocateAsync(CancellationToken ct)
    {
        await SendAsync(ct, ("type", "allocate"));
        return (await WaitForAsync("allocated", ct)).Body.GetProperty("nameplate").GetString()!;
    }

    /// <summary>Claims a nameplate and returns the id of its mailbox.</summary>
    public async Task<string> ClaimAsync(string nameplate, CancellationToken ct)
    {
        await SendAsync(ct, ("type", "claim"), ("nameplate", nameplate));
        return (await WaitForAsync("claimed", ct)).Body.GetProperty("mailbox").GetString()!;
    }

    public Task OpenAsync(string mailbox, CancellationToken ct) => SendAsync(ct, ("type", "open"), ("mailbox", mailbox));

    public Task ReleaseAsync(string nameplate, CancellationToken ct) => SendAsync(ct, ("type", "release"), ("nameplate", nameplate));

    /// <summary>Adds a message to the open mailbox (the body hex-encoded, as the protocol wants).</summary>
    public Task AddAsync(string phase, ReadOnlySpan<byte> body, CancellationToken ct) =>
        SendAsync(ct, ("type", "add"), ("phase", phase), ("body", Convert.ToHexStringLower(body)));

    /// <summary>Closes the mailbox with a mood (happy, lonely, scary, errory) and waits (briefly) for "closed".</summary>
    public async Task CloseAsync(string mailbox, string mood, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            await SendAsync(timeout.Token, ("type", "close"), ("mailbox", mailbox), ("mood", mood));
            await WaitForAsync("closed", timeout.Token);
        }
        catch (Exception e) when (e is SockException or OperationCanceledException or WebSocketException)
        {
            // Best effort: the server forgets the mailbox on its own.
        }
    }

    /// <summary>The next "message" from the mailbox (ours echoed back included).</summary>
    public async Task<(string Side, string Phase, byte[] Body)> ReceiveMessageAsync(CancellationToken ct)
    {
        var m = await WaitForAsync("message", ct);
        var body = m.Body.GetProperty("body").GetString() ?? "";
        return (m.Body.GetProperty("side").GetString() ?? "", m.Body.GetProperty("phase").GetString() ?? "", Convert.FromHexString(body));
    }

    private async Task<ServerMessage> WaitForAsync(string type, CancellationToken ct)
    {
        while (true)
        {
            ServerMessage m;
            try
            {
                m = await _inbox.Reader.ReadAsync(ct);
            }
            catch (ChannelClosedException e)
            {
                throw new SockException($"the wormhole mailbox server {_url} closed the connection", e);
            }
            if (m.Type == type) return m;
            if (m.Type == "error")
            {
                var error = m.Body.TryGetProperty("error", out var text) ? text.GetString() : "error";
                throw new SockException(error == "crowded"
                    ? "this code is already in use by two others (the mailbox server allows one attempt per code; ask for a new one)"
                    : $"the mailbox server says: {error}");
            }
            // ack, pong, released, nameplates… carry nothing we wait on.
        }
    }

    private async Task SendAsync(CancellationToken ct, params (string Key, string Value)[] fields)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (key, value) in fields) writer.WriteString(key, value);
            writer.WriteString("id", Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(2)));
            writer.WriteEndObject();
        }
        await _sendLock.WaitAsync(ct);
        try
        {
            await _socket.SendAsync(buffer.WrittenMemory, WebSocketMessageType.Text, endOfMessage: true, ct);
        }
        catch (Exception e) when (e is WebSocketException or IOException)
        {
            throw new SockException($"lost the wormhole mailbox server {_url}: {Reason(e)}", e);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private async Task ReadLoopAsync()
    {
        var buffer = new byte[64 * 1024];
        var message = new MemoryStream();
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var result = await _socket.ReceiveAsync(buffer, _stop.Token);
                if (result.MessageType == WebSocketMessageType.Close) break;
                message.Write(buffer, 0, result.Count);
                if (message.Length > 1 << 20) break; // no mailbox message is this large
                if (!result.EndOfMessage) continue;
                using var doc = JsonDocument.Parse(message.ToArray());
                message.SetLength(0);
                var type = doc.RootElement.TryGetProperty("type", out var t) ? t.GetString() ?? "" : "";
                await _inbox.Writer.WriteAsync(new ServerMessage(type, doc.RootElement.Clone()));
            }
        }
        catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException or JsonException)
        {
        }
        finally
        {
            _inbox.Writer.TryComplete();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
            }
        }
        catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException)
        {
        }
        await _stop.CancelAsync();
        try { await _reader; } catch (OperationCanceledException) { }
        _socket.Dispose();
        _stop.Dispose();
        _sendLock.Dispose();
    }
}
