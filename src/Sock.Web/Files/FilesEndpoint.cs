using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Sock.Chat;

namespace Sock.Web.Files;

/// <summary>
/// The web's DCC: <c>POST /files?name=N[&amp;room=#r]</c> with the file as the body (logged-in users
/// only, size-limited before a byte is read, per-user quota), and <c>GET /files/HASH/NAME</c> with
/// Range support. The room, when given, gets the link from the uploader.
/// </summary>
internal sealed class FilesEndpoint(ChatServer chat, ChatWebOptions options)
{
    private readonly FileStore? _store = options.FilesDirectory is null ? null : new FileStore(options.FilesDirectory);

    public async Task UploadAsync(HttpContext ctx)
    {
        if (_store is null) { await WebRoutes.Status(ctx, StatusCodes.Status404NotFound, "file sharing is off (--files DIR)\n"); return; }
        // A page elsewhere must not upload with credentials the browser happens to hold.
        var origin = ctx.Request.Headers.Origin.ToString();
        if (origin.Length > 0 && !string.Equals(origin, $"{ctx.Request.Scheme}://{ctx.Request.Host}", StringComparison.OrdinalIgnoreCase) && !options.AllowedOrigins.Contains(origin))
        { await WebRoutes.Status(ctx, StatusCodes.Status403Forbidden, "uploads only from this server's own pages\n"); return; }
        var account = (options.Identity ?? new AccountPasswordIdentity(chat.Hub.Accounts)).AccountOf(ctx);
        if (account is null) { await WebRoutes.Status(ctx, StatusCodes.Status401Unauthorized, "log in to upload files\n"); return; }
        var length = ctx.Request.ContentLength;
        if (length > options.MaxUploadBytes) { await WebRoutes.Status(ctx, StatusCodes.Status413PayloadTooLarge, $"files may be at most {options.MaxUploadBytes} bytes\n"); return; }
        var left = options.QuotaBytesPerUser - _store.UsedBy(account);
        if (length > left || left <= 0) { await WebRoutes.Status(ctx, StatusCodes.Status413PayloadTooLarge, $"over your quota ({options.QuotaBytesPerUser} bytes)\n"); return; }
        // Kestrel enforces the same limit on a body without Content-Length (chunked).
        if (ctx.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } f) f.MaxRequestBodySize = options.MaxUploadBytes;
        var name = SafeFileName.From(ctx.Request.Query["name"]);
        StoredFile stored;
        try
        {
            stored = await _store.SaveAsync(ctx.Request.Body, account, name, Math.Min(options.MaxUploadBytes, left), ctx.RequestAborted);
        }
        catch (Exception e) when (e is InvalidDataException or BadHttpRequestException)
        {
            await WebRoutes.Status(ctx, StatusCodes.Status413PayloadTooLarge, e.Message + "\n");
            return;
        }
        var url = $"{ctx.Request.Scheme}://{ctx.Request.Host}/files/{stored.Hash}/{Uri.EscapeDataString(stored.Name)}";
        var room = ctx.Request.Query["room"].ToString();
        var announced = room.Length > 0 && Announce(account, room, stored, url);
        ctx.Response.StatusCode = StatusCodes.Status201Created;
        ctx.Response.ContentType = "application/json";
        ctx.Response.Headers.Location = url;
        await ctx.Response.WriteAsync($"{{\"url\":{Json(url)},\"sha256\":\"{stored.Hash}\",\"size\":{stored.Size.ToString(CultureInfo.InvariantCulture)},\"name\":{Json(stored.Name)},\"announced\":{(announced ? "true" : "false")}}}\n");
    }

    /// <summary>
    /// <c>GET /files</c>: whether sharing is on and its limits, so the web client refuses a file that
    /// is too big before sending any of it (a browser cannot stop an upload the server has refused).
    /// </summary>
    public Task LimitsAsync(HttpContext ctx)
    {
        ctx.Response.Headers.CacheControl = "no-store";
        ctx.Response.ContentType = "application/json";
        var json = _store is null
            ? "{\"enabled\":false}\n"
            : $"{{\"enabled\":true,\"maxUpload\":{options.MaxUploadBytes.ToString(CultureInfo.InvariantCulture)},\"quota\":{options.QuotaBytesPerUser.ToString(CultureInfo.InvariantCulture)}}}\n";
        return ctx.Response.WriteAsync(json, ctx.RequestAborted);
    }

    /// <summary>The uploader says the link in the room (plain and IRC users see the URL), if they are in it.</summary>
    private bool Announce(string account, string room, StoredFile f, string url)
    {
        var member = chat.Hub.FindMember(account);
        if (member is null || !member.Rooms.Contains(room, StringComparer.OrdinalIgnoreCase)) return false;
        return chat.Hub.Say(member, room, $"shared {f.Name} ({Size(f.Size)}): {url}", ChatEventKind.Message, out _) == ChatError.None;
    }

    public async Task DownloadAsync(HttpContext ctx)
    {
        var parts = (ctx.Request.Path.Value ?? "")["/files/".Length..].Split('/', 2);
        var path = _store?.Find(parts[0]);
        if (path is null) { await WebRoutes.Status(ctx, StatusCodes.Status404NotFound, "no such file\n"); return; }
        ctx.Response.Headers.XContentTypeOptions = "nosniff";
        // Served as a download, never rendered: an uploaded page must not run on our origin.
        var name = SafeFileName.From(parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : "file");
        await TypedResults.PhysicalFile(path, "application/octet-stream", name, enableRangeProcessing: true).ExecuteAsync(ctx);
    }

    private static string Json(string s) => "\"" + JsonEncodedText.Encode(s).ToString() + "\"";

    private static string Size(long n) => n switch
    {
        < 1024 => $"{n} B",
        < 1024 * 1024 => $"{n / 1024.0:0.#} KiB",
        _ => $"{n / (1024.0 * 1024):0.#} MiB",
    };
}
