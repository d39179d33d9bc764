using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Sock.Chat;
using Sock.Web.Transport;

namespace Sock.Web;

/// <summary>
/// The web side of a chat server: Kestrel, fed by the chat server's detector through
/// <see cref="HandoffListener"/>, serving the web client, IRC over WebSocket, /metrics and /healthz.
/// </summary>
public sealed class ChatWebServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HandoffListener _listener;

    private ChatWebServer(WebApplication app, HandoffListener listener)
    {
        _app = app;
        _listener = listener;
    }

    /// <summary>Builds the web side, plugs it into <paramref name="chat"/> (<see cref="ChatServer.Http"/>) and starts it.</summary>
    public static async Task<ChatWebServer> StartAsync(ChatServer chat, ChatWebOptions options, CancellationToken ct = default)
    {
        var listener = new HandoffListener();
        // No args, no content root probing beyond the empty defaults: a CLI's working directory must not configure it.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new ForwardingLoggerProvider(chat.Report));
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.RemoveAll<IConnectionListenerFactory>();
        builder.Services.AddSingleton<IConnectionListenerFactory>(listener);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            var limits = k.Limits;
            limits.MaxRequestLineSize = options.MaxRequestLineBytes;
            limits.MaxRequestHeaderCount = options.MaxRequestHeaderCount;
            limits.MaxRequestHeadersTotalSize = options.MaxRequestHeadersTotalBytes;
            limits.MaxRequestBodySize = options.MaxRequestBodyBytes;
            limits.RequestHeadersTimeout = options.RequestHeadersTimeout;
            limits.KeepAliveTimeout = options.KeepAliveTimeout;
            limits.MinRequestBodyDataRate = new MinDataRate(options.MinRequestBodyBytesPerSecond, options.MinRequestBodyGrace);
            limits.MinResponseDataRate = new MinDataRate(240, TimeSpan.FromSeconds(5));
            limits.MaxConcurrentConnections = options.MaxConnections;
            limits.MaxConcurrentUpgradedConnections = options.MaxConnections;
            // Cleartext HTTP/2 would need prior knowledge, which the detector does not pass on.
            k.Listen(listener.EndPoint, l => l.Protocols = HttpProtocols.Http1);
        });
        var app = builder.Build();
        if (options.TrustedProxies.Count > 0)
        {
            var forwarded = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto };
            // The defaults trust loopback; only the operator's list counts.
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var n in options.TrustedProxies) forwarded.KnownIPNetworks.Add(n);
            app.UseForwardedHeaders(forwarded);
        }
        var ws = new WebSocketOptions { KeepAliveInterval = options.WebSocketKeepAlive };
        foreach (var o in options.AllowedOrigins) ws.AllowedOrigins.Add(o);
        app.UseWebSockets(ws);
        var routes = new WebRoutes(chat, listener, options);
        app.Run(routes.HandleAsync);
        await app.StartAsync(ct);
        chat.Http = listener;
        return new ChatWebServer(app, listener);
    }

    /// <summary>HTTP connections being served now (requests and WebSockets).</summary>
    public int OpenConnections => _listener.Open;

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _app.StopAsync(stop.Token);
        }
        catch (OperationCanceledException) { }
        await _app.DisposeAsync();
    }
}
