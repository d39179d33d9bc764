using System.Reflection;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;

namespace Sock.Web;

/// <summary>
/// The web client, embedded in the assembly (wwwroot/**): read once, served with an ETag and a strict
/// Content-Security-Policy (scripts and styles from this origin only, so a message can never run code).
/// </summary>
internal sealed class StaticAssets
{
    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".svg"] = "image/svg+xml",
        [".png"] = "image/png",
        [".ico"] = "image/x-icon",
        [".json"] = "application/json",
    };

    private const string Csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    private readonly Dictionary<string, (byte[] Bytes, string Type, string ETag)> _files = new(StringComparer.Ordinal);

    public static StaticAssets Load()
    {
        var assets = new StaticAssets();
        var asm = typeof(StaticAssets).Assembly;
        foreach (var name in asm.GetManifestResourceNames())
        {
            if (!name.StartsWith("wwwroot/", StringComparison.Ordinal)) continue;
            using var s = asm.GetManifestResourceStream(name)!;
            using var ms = new MemoryStream();
            s.CopyTo(ms);
            var bytes = ms.ToArray();
            var path = "/" + name["wwwroot/".Length..].Replace('\\', '/');
            var type = ContentTypes.GetValueOrDefault(Path.GetExtension(path), "application/octet-stream");
            var etag = "\"" + Convert.ToHexString(SHA256.HashData(bytes))[..16] + "\"";
            assets._files[path] = (bytes, type, etag);
        }
        if (assets._files.TryGetValue("/index.html", out var index)) assets._files["/"] = index;
        return assets;
    }

    public async Task ServeAsync(HttpContext ctx)
    {
        if (!_files.TryGetValue(ctx.Request.Path.Value ?? "/", out var f))
        {
            await WebRoutes.Status(ctx, StatusCodes.Status404NotFound, "not found\n");
            return;
        }
        var h = ctx.Response.Headers;
        h.ETag = f.ETag;
        h.CacheControl = "no-cache";
        h.XContentTypeOptions = "nosniff";
        h.ContentSecurityPolicy = Csp;
        h["Referrer-Policy"] = "no-referrer";
        if (ctx.Request.Headers.IfNoneMatch == f.ETag)
        {
            ctx.Response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }
        ctx.Response.ContentType = f.Type;
        ctx.Response.ContentLength = f.Bytes.Length;
        if (HttpMethods.IsHead(ctx.Request.Method)) return;
        await ctx.Response.Body.WriteAsync(f.Bytes, ctx.RequestAborted);
    }
}
