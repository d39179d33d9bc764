using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Sock.Interop.Tests.Infrastructure;
using Sock.Web;
using Sock.Web.Files;

namespace Sock.Interop.Tests.Web;

/// <summary>
/// /files with a stand-in for accounts (which do not exist yet): the header X-Test-Account names
/// the logged-in user, as the accounts work's session will.
/// </summary>
public class FilesTests
{
    private sealed class HeaderIdentity : IWebIdentity
    {
        public string? AccountOf(HttpContext context) =>
            context.Request.Headers.TryGetValue("X-Test-Account", out var v) ? v.ToString() : null;
    }

    private static Task<InProcessWebServer> StartAsync(TempDir dir, long maxUpload = 10 * 1024 * 1024, long quota = 1024L * 1024 * 1024) =>
        InProcessWebServer.StartAsync(new ChatWebOptions { FilesDirectory = dir.Path, MaxUploadBytes = maxUpload, QuotaBytesPerUser = quota, Identity = new HeaderIdentity() });

    private static HttpRequestMessage Upload(int port, string name, byte[] body, string? account, string? room = null)
    {
        var q = $"?name={Uri.EscapeDataString(name)}" + (room is null ? "" : $"&room={Uri.EscapeDataString(room)}");
        var req = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{port}/files{q}") { Content = new ByteArrayContent(body) };
        if (account is not null) req.Headers.Add("X-Test-Account", account);
        return req;
    }

    [Fact]
    public async Task AnUploadIsLinkedInTheRoomAndCurlDownloadsItByteIdenticalWithRanges()
    {
        using var dir = FreePort.TempDir();
        await using var server = await StartAsync(dir);
        using var ann = await server.IrcAsync("ann", "#x");
        using var bob = await server.IrcAsync("bob", "#x");
        var data = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 17);
        using var http = new HttpClient();
        using var resp = await http.SendAsync(Upload(server.Port, "../../etc/notes 1.bin", data, "ann", "#x"), TestContext.Current.CancellationToken);
        var json = await resp.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, resp.StatusCode);
        var hash = Convert.ToHexStringLower(SHA256.HashData(data));
        Assert.Contains($"\"sha256\":\"{hash}\"", json);
        Assert.Contains("\"name\":\"notes 1.bin\"", json); // directories stripped
        Assert.Contains("\"announced\":true", json);
        var line = await bob.ExpectAsync(":ann!ann@127.0.0.1 PRIVMSG #x :shared notes 1.bin (3 MiB): http://127.0.0.1:");
        var url = line[line.IndexOf("http://", StringComparison.Ordinal)..];
        Assert.Equal($"http://127.0.0.1:{server.Port}/files/{hash}/notes%201.bin", url);

        var curl = Peers.Require("curl", "curl");
        var outFile = dir.File("got.bin");
        var (code, _, err) = await Run.Async(curl, "-sSf", "-o", outFile, url);
        Assert.True(code == 0, err);
        Assert.Equal(data, await File.ReadAllBytesAsync(outFile, TestContext.Current.CancellationToken));
        (code, var headers, err) = await Run.Async(curl, "-sSf", "-D", "-", "-o", outFile, "-r", "1000-1999", url);
        Assert.True(code == 0, err);
        Assert.Contains("HTTP/1.1 206", headers);
        Assert.Contains($"Content-Range: bytes 1000-1999/{data.Length}", headers);
        Assert.Contains("attachment", headers);
        Assert.Equal(data.AsSpan(1000, 1000).ToArray(), await File.ReadAllBytesAsync(outFile, TestContext.Current.CancellationToken));
        // Stored once, by content.
        Assert.True(File.Exists(Path.Combine(dir.Path, "objects", hash[..2], hash)));
    }

    [Fact]
    public async Task OnlyLoggedInUsersUploadAndWithoutAccountsNobodyDoes()
    {
        using var dir = FreePort.TempDir();
        await using var server = await StartAsync(dir);
        using var http = new HttpClient();
        using var anon = await http.SendAsync(Upload(server.Port, "a.txt", [1, 2, 3], account: null), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, anon.StatusCode);
        await using var noAccounts = await InProcessWebServer.StartAsync(new ChatWebOptions { FilesDirectory = dir.Path, Identity = new NoAccounts() });
        using var still = await http.SendAsync(Upload(noAccounts.Port, "a.txt", [1, 2, 3], "ann"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, still.StatusCode);
        // A page elsewhere cannot upload even for a logged-in user.
        var cross = Upload(server.Port, "a.txt", [1, 2, 3], "ann");
        cross.Headers.Add("Origin", "https://evil.example");
        using var refused = await http.SendAsync(cross, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    [Fact]
    public async Task TheServersAccountsLogInWithBasicCredentialsForCurl()
    {
        using var dir = FreePort.TempDir();
        await using var server = await Chat.ChatServerProcess.StartAsync("--files", dir.Path);
        using var irc = await server.IrcAsync("ann", "#x");
        using var bob = await server.IrcAsync("bob", "#x");
        await irc.SendAsync("PRIVMSG NickServ :REGISTER s3cret-pw\r\n");
        await irc.ExpectAsync("NickServ");
        var file = dir.File("hello.txt");
        await File.WriteAllTextAsync(file, "hello 你好\n", TestContext.Current.CancellationToken);
        var curl = Peers.Require("curl", "curl");
        var url = $"http://127.0.0.1:{server.Port}/files?name=hello.txt&room=%23x";
        var (code, stdout, err) = await Run.Async(curl, "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-u", "ann:wrong", "--data-binary", "@" + file, url);
        Assert.Equal("401", stdout);
        (code, stdout, err) = await Run.Async(curl, "-sSf", "-u", "ann:s3cret-pw", "--data-binary", "@" + file, url);
        Assert.True(code == 0, err);
        Assert.Contains("\"announced\":true", stdout);
        var line = await bob.ExpectAsync(":ann!ann@127.0.0.1 PRIVMSG #x :shared hello.txt (13 B): ");
        (code, stdout, err) = await Run.Async(curl, "-sSf", line[line.IndexOf("http://", StringComparison.Ordinal)..]);
        Assert.Equal("hello 你好\n", stdout);
    }

    [Fact]
    public async Task AOneGibUploadIsRefusedByItsSizeBeforeAnyOfItIsSent()
    {
        using var dir = FreePort.TempDir();
        await using var server = await StartAsync(dir, maxUpload: 1024 * 1024);
        var started = DateTime.UtcNow;
        // Only the head: a server that wanted the body would wait for it; the limit answers at once.
        var response = await RawHttp.SendAsync(server.Port,
            "POST /files?name=big.iso HTTP/1.1\r\nHost: x\r\nX-Test-Account: ann\r\nContent-Length: 1073741824\r\n\r\n", 10);
        Assert.StartsWith("HTTP/1.1 413", response);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(5));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(dir.Path, "tmp")));
        // Chunked (no size given): cut off at the limit while streaming.
        using var http = new HttpClient();
        var req = Upload(server.Port, "chunked.bin", new byte[3 * 1024 * 1024], "ann");
        req.Content!.Headers.ContentLength = null;
        req.Headers.TransferEncodingChunked = true;
        using var resp = await http.SendAsync(req, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, resp.StatusCode);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(dir.Path, "tmp")));
    }

    [Fact]
    public async Task APerUserQuotaCountsWhatTheyStored()
    {
        using var dir = FreePort.TempDir();
        await using var server = await StartAsync(dir, quota: 100_000);
        using var http = new HttpClient();
        using var first = await http.SendAsync(Upload(server.Port, "a.bin", new byte[60_000], "ann"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        using var second = await http.SendAsync(Upload(server.Port, "b.bin", RandomNumberGenerator.GetBytes(60_000), "ann"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, second.StatusCode);
        using var other = await http.SendAsync(Upload(server.Port, "b.bin", RandomNumberGenerator.GetBytes(60_000), "bob"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, other.StatusCode);
    }

    [Fact]
    public async Task GetFilesTellsThePageWhetherFilesAreSharedAndTheLimits()
    {
        using var dir = FreePort.TempDir();
        await using var server = await StartAsync(dir, maxUpload: 12345, quota: 67890);
        using var http = new HttpClient();
        using var on = await http.GetAsync($"http://127.0.0.1:{server.Port}/files", TestContext.Current.CancellationToken);
        Assert.Equal("application/json", on.Content.Headers.ContentType?.MediaType);
        Assert.Equal("{\"enabled\":true,\"maxUpload\":12345,\"quota\":67890}\n", await on.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        await using var off = await InProcessWebServer.StartAsync();
        Assert.Equal("{\"enabled\":false}\n", await http.GetStringAsync($"http://127.0.0.1:{off.Port}/files", TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData("../../etc/passwd", "passwd")]
    [InlineData("..\\..\\boot.ini", "boot.ini")]
    [InlineData(".hidden", "hidden")]
    [InlineData("a\u0000b\nc.txt", "a_b_c.txt")]
    [InlineData("<script>.html", "_script_.html")]
    [InlineData("", "file")]
    [InlineData("你好.txt", "你好.txt")]
    public void NamesAreMadeSafe(string given, string safe) => Assert.Equal(safe, SafeFileName.From(given));
}
