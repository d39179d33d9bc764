using System.Net;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Http;
using Sock.Chat;
using Sock.Chat.Transport;
using Sock.Web.Files;
using Sock.Web.Transport;

namespace Sock.Web;

/// <summary>
/// What the web side answers: a table of paths (no routing middleware, no reflection: Native AOT),
/// WebSocket upgrades on any path as IRC, and the embedded web client for everything else it has.
/// </summary>
internal sealed class WebRoutes
{
    private readonly ChatServer _chat;
    private readonly Dictionary<string, RequestDelegate> _routes;
    private readonly StaticAssets _assets = StaticAssets.Load();
    private readonly FilesEndpoint _files;

    public WebRoutes(ChatServer chat, HandoffListener listener, ChatWebOptions options)
    {
        _chat = chat;
        _files = new FilesEndpoint(chat, options);
        _routes = new(StringComparer.Ordinal)
        {
            ["/healthz"] = ctx => Healthz(ctx, chat),
            ["/metrics"] = ctx => MetricsPage.WriteAsync(ctx, chat, listener.Open),
            ["/files"] = _files.LimitsAsync,
        };
    }

    public Task HandleAsync(HttpContext ctx)
    {
        if (ctx.WebSockets.IsWebSocketRequest) return IrcOverWebSocketAsync(ctx);
        if (ctx.Request.Headers.Upgrade.Count > 0 && ctx.Request.Headers.Upgrade.ToString().Contains("websocket", StringComparison.OrdinalIgnoreCase))
            return Status(ctx, StatusCodes.Status400BadRequest, "bad WebSocket upgrade (needs GET, Connection: Upgrade, Sec-WebSocket-Version: 13 and a valid Sec-WebSocket-Key)\n");
        var path = ctx.Request.Path.Value ?? "/";
        // Uploads are the one write, and only for a logged-in user (never a cookie-less cross-site POST).
        if (path == "/files" && HttpMethods.IsPost(ctx.Request.Method)) return _files.UploadAsync(ctx);
        // Everything else is read-only: a page elsewhere can make a browser POST, never change anything.
        if (!HttpMethods.IsGet(ctx.Request.Method) && !HttpMethods.IsHead(ctx.Request.Method))
            return Status(ctx, StatusCodes.Status405MethodNotAllowed, "method not allowed\n");
        if (path.StartsWith("/files/", StringComparison.Ordinal)) return _files.DownloadAsync(ctx);
        if (_routes.TryGetValue(path, out var route)) return route(ctx);
        return _assets.ServeAsync(ctx);
    }

    private static Task Healthz(HttpContext ctx, ChatServer chat)
    {
        ctx.Response.Headers.CacheControl = "no-store";
        // A cluster node that cannot reach Redis refuses room messages: a load balancer should send people elsewhere.
        return chat.Healthy
            ? Status(ctx, StatusCodes.Status200OK, "ok\n")
            : Status(ctx, StatusCodes.Status503ServiceUnavailable, "unhealthy: the cluster store (Redis) is unreachable; room messages are refused until it is back\n");
    }

    internal static Task Status(HttpContext ctx, int status, string text)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "text/plain; charset=utf-8";
        var bytes = System.Text.Encoding.UTF8.GetBytes(text);
        ctx.Response.ContentLength = bytes.Length;
        return ctx.Response.Body.WriteAsync(bytes, ctx.RequestAborted).AsTask();
    }

    /// <summary>IRCv3 WebSocket: the client's first subprotocol we speak (or none: text frames), then an IRC session.</summary>
    private async Task IrcOverWebSocketAsync(HttpContext ctx)
    {
        var protocol = WebSocketLineStream.ChooseProtocol(ctx.WebSockets.WebSocketRequestedProtocols);
        using var socket = await ctx.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext { SubProtocol = protocol, DangerousEnableCompression = false });
        var frames = protocol == WebSocketLineStream.BinaryProtocol ? WebSocketMessageType.Binary : WebSocketMessageType.Text;
        var lines = new WebSocketLineStream(socket, frames, _chat.Options.MaxLineBytes);
        var remote = new IPEndPoint(ctx.Connection.RemoteIpAddress ?? IPAddress.None, ctx.Connection.RemotePort);
        await _chat.RunIrcAsync(lines, remote, "websocket", ctx.RequestAborted);
    }
}
