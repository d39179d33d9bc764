using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Sock.Chat;
using Sock.Interop.Tests.Chat;
using Sock.Web;

namespace Sock.Interop.Tests.Web;

/// <summary>
/// A chat server with its web side in this process, for limits a test must set small (header
/// timeouts, line sizes); the CLI process (<see cref="ChatServerProcess"/>) covers the rest.
/// </summary>
public sealed class InProcessWebServer : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _run;

    private InProcessWebServer(ChatServer chat, ChatWebServer web)
    {
        Chat = chat;
        Web = web;
        _run = chat.RunAsync(_stop.Token);
    }

    public ChatServer Chat { get; }
    public ChatWebServer Web { get; }
    public int Port => Chat.LocalEndPoint.Port;
    public List<string> Log { get; } = [];

    public static async Task<InProcessWebServer> StartAsync(ChatWebOptions? web = null, ChatServerOptions? chat = null)
    {
        var options = chat ?? new ChatServerOptions { BindAddress = IPAddress.Loopback, Port = 0, ServerName = "test.local" };
        var server = ChatServer.Start(options);
        var w = await ChatWebServer.StartAsync(server, web ?? new ChatWebOptions());
        var s = new InProcessWebServer(server, w);
        server.Log += l => { lock (s.Log) s.Log.Add(l); };
        return s;
    }

    public Task<LineClient> ConnectAsync() => LineClient.ConnectAsync(Port);

    public async Task<LineClient> IrcAsync(string nick, params string[] channels)
    {
        var c = await ConnectAsync();
        await c.SendAsync($"NICK {nick}\r\nUSER {nick} 0 * :{nick}\r\n");
        await c.ExpectAsync(" 376 ");
        foreach (var ch in channels)
        {
            await c.SendAsync($"JOIN {ch}\r\n");
            await c.ExpectAsync($" 366 {nick} {ch} ");
        }
        return c;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try { await _run.WaitAsync(TimeSpan.FromSeconds(10)); } catch (OperationCanceledException) { }
        await Web.DisposeAsync();
        await Chat.DisposeAsync();
        _stop.Dispose();
    }
}

/// <summary>Raw HTTP over a socket: exactly the bytes a test means, and the response as text.</summary>
public static class RawHttp
{
    public static async Task<string> SendAsync(int port, string request, double seconds = 10) =>
        await SendAsync(port, Encoding.UTF8.GetBytes(request), seconds);

    public static async Task<string> SendAsync(int port, byte[] request, double seconds = 10)
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await s.ConnectAsync(IPAddress.Loopback, port);
        try { await s.SendAsync(request); } catch (SocketException) { }
        return await ReadToCloseAsync(s, seconds);
    }

    /// <summary>Everything until the server closes (or the wait ends), as UTF-8.</summary>
    public static async Task<string> ReadToCloseAsync(Socket s, double seconds)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        var ms = new MemoryStream();
        var buffer = new byte[16384];
        try
        {
            while (true)
            {
                var n = await s.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
                if (n == 0) break;
                ms.Write(buffer, 0, n);
            }
        }
        catch (OperationCanceledException) { }
        catch (SocketException) { }
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    public static string StatusLine(string response) => response.Split("\r\n")[0];
}

/// <summary>.NET's own WebSocket client, for frames a well-behaved library would not send.</summary>
public static class WsClient
{
    public static async Task<ClientWebSocket> ConnectAsync(int port, string? subprotocol = null, string? origin = null, string path = "/")
    {
        var ws = new ClientWebSocket();
        if (subprotocol is not null) ws.Options.AddSubProtocol(subprotocol);
        if (origin is not null) ws.Options.SetRequestHeader("Origin", origin);
        await ws.ConnectAsync(new Uri($"ws://127.0.0.1:{port}{path}"), CancellationToken.None);
        return ws;
    }

    public static Task SendTextAsync(this WebSocket ws, string line) =>
        ws.SendAsync(Encoding.UTF8.GetBytes(line), WebSocketMessageType.Text, true, CancellationToken.None);

    /// <summary>Receives messages until one contains <paramref name="text"/>; returns it with its frame type.</summary>
    public static async Task<(string Text, WebSocketMessageType Type)> ExpectAsync(this WebSocket ws, string text, double seconds = 10)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        var seen = new StringBuilder();
        while (true)
        {
            var (msg, type) = await ReceiveAsync(ws, cts.Token);
            if (type == WebSocketMessageType.Close) throw new InvalidOperationException($"closed ({ws.CloseStatus} {ws.CloseStatusDescription}) before '{text}'; got:\n{seen}");
            seen.AppendLine(msg);
            if (msg.Contains(text, StringComparison.Ordinal)) return (msg, type);
        }
    }

    public static async Task<(string Text, WebSocketMessageType Type)> ReceiveAsync(WebSocket ws, CancellationToken ct)
    {
        var ms = new MemoryStream();
        var buffer = new byte[16384];
        while (true)
        {
            var r = await ws.ReceiveAsync(buffer, ct);
            if (r.MessageType == WebSocketMessageType.Close) return ("", WebSocketMessageType.Close);
            ms.Write(buffer, 0, r.Count);
            if (r.EndOfMessage) return (Encoding.UTF8.GetString(ms.ToArray()), r.MessageType);
        }
    }

    /// <summary>Reads until the server's close frame; returns its status.</summary>
    public static async Task<WebSocketCloseStatus?> WaitCloseAsync(this WebSocket ws, double seconds = 10)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        try
        {
            while (true)
            {
                var (_, type) = await ReceiveAsync(ws, cts.Token);
                if (type == WebSocketMessageType.Close) return ws.CloseStatus;
            }
        }
        catch (WebSocketException)
        {
            return ws.CloseStatus;
        }
    }
}

/// <summary>Tests that load the machine (browsers, floods) run one class at a time.</summary>
[CollectionDefinition(Name)]
public sealed class WebHeavy
{
    public const string Name = "web-heavy";
}
