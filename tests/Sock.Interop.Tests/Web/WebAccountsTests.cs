using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Playwright;
using Sock.Interop.Tests.Chat;
using Sock.Interop.Tests.Infrastructure;

namespace Sock.Interop.Tests.Web;

/// <summary>
/// The web client's accounts and file sharing in Chromium: logging in with SASL PLAIN, registering
/// with draft/account-registration, uploads by button and by drag-and-drop with progress, and the
/// limits, against `sock chat serve` with an IRC user in the room.
/// </summary>
[Collection(WebHeavy.Name)]
public class WebAccountsTests
{
    // RFC 7677's minimum PBKDF2 count keeps each login cheap; the code path is the default's.
    private const string Iterations = "4096";
    private static readonly LocatorAssertionsToHaveTextOptions Long = new() { Timeout = 30000 };
    private static readonly LocatorAssertionsToContainTextOptions LongContains = new() { Timeout = 30000 };

    private static Task<ChatServerProcess> ServeAsync(params string[] extra) =>
        ChatServerProcess.StartAsync(["--password-iterations", Iterations, .. extra]);

    /// <summary>An account made over IRC (NickServ REGISTER); the nick is free again afterwards.</summary>
    private static async Task RegisterOverIrcAsync(ChatServerProcess server, string name, string password)
    {
        using var c = await server.IrcAsync(name);
        await c.SendAsync($"PRIVMSG NickServ :REGISTER {password}\r\n");
        await c.ExpectAsync("Account created");
        await c.SendAsync("QUIT :done\r\n");
        await c.ExpectAsync("ERROR");
    }

    /// <summary>The start page's form: guest, login or register.</summary>
    private static async Task SubmitAsync(IPage page, string mode, string nick, string? password = null, string rooms = "#lobby")
    {
        await Browser.WaitForClientAsync(page);
        await page.Locator($"input[name=mode][value={mode}]").CheckAsync();
        await page.Locator("#login-nick").FillAsync(nick);
        if (password is not null) await page.Locator("#login-password").FillAsync(password);
        await page.Locator("#login-rooms").FillAsync(rooms);
        await page.Locator("#login-submit").ClickAsync();
    }

    [Fact]
    public async Task LoggingInUsesSaslAndAWrongPasswordIsShownOnTheStartPage()
    {
        await using var server = await ServeAsync();
        await RegisterOverIrcAsync(server, "ann", "correct-horse");
        using var watcher = await server.IrcAsync("watcher", "#lobby");
        await using var browser = await Browser.LaunchAsync();
        var page = await browser.OpenAsync($"http://127.0.0.1:{server.Port}/");

        await SubmitAsync(page, "login", "ann", "wrong-horse");
        await Assertions.Expect(page.Locator("#login-error")).ToHaveTextAsync("Login failed: invalid account name or password", Long);
        Assert.True(await page.Locator("#login").IsVisibleAsync());
        Assert.False(await page.Locator("#chat").IsVisibleAsync());
        // The password is asked for again, and the keyboard is there.
        await Assertions.Expect(page.Locator("#login-password")).ToHaveValueAsync("");
        await Assertions.Expect(page.Locator("#login-password")).ToBeFocusedAsync();

        await page.Locator("#login-password").FillAsync("correct-horse");
        await page.Locator("#login-submit").ClickAsync();
        await Assertions.Expect(page.Locator("#room-name")).ToHaveTextAsync("#lobby", Long);
        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("connected as ann (account ann)", Long);
        // The server agrees: the web user is logged in to the account.
        await watcher.ExpectAsync(":ann!");
        await watcher.SendAsync("WHOIS ann\r\n");
        await watcher.ExpectAsync(" 330 watcher ann ann :");
        // Nothing secret is remembered by the page; the nick and "log in" are.
        var stored = await page.EvaluateAsync<string>("() => JSON.stringify(localStorage)");
        Assert.DoesNotContain("horse", stored);
        Assert.Contains("\"sock.nick\":\"ann\"", stored);
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#login-nick")).ToHaveValueAsync("ann");
        Assert.True(await page.Locator("input[name=mode][value=login]").IsCheckedAsync());
        await Assertions.Expect(page.Locator("#login-password")).ToHaveValueAsync("");
    }

    [Fact]
    public async Task RegisteringFromThePageCreatesTheAccountAndItsErrorsAreShown()
    {
        await using var server = await ServeAsync();
        await RegisterOverIrcAsync(server, "taken", "some-password");
        using var watcher = await server.IrcAsync("watcher", "#lobby");
        await using var browser = await Browser.LaunchAsync();
        var page = await browser.OpenAsync($"http://127.0.0.1:{server.Port}/");

        await SubmitAsync(page, "register", "taken", "another-password");
        await Assertions.Expect(page.Locator("#login-error")).ToHaveTextAsync("Registration failed: Account already exists", Long);
        Assert.True(await page.Locator("input[name=mode][value=register]").IsCheckedAsync());
        await SubmitAsync(page, "register", "newbie", "short");
        await Assertions.Expect(page.Locator("#login-error")).ToContainTextAsync("Registration failed: Passwords must be 6 to", LongContains);

        await SubmitAsync(page, "register", "newbie", "a long enough password");
        await Assertions.Expect(page.Locator("#room-name")).ToHaveTextAsync("#lobby", Long);
        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("connected as newbie (account newbie)", Long);
        await watcher.SendAsync("PRIVMSG NickServ :INFO newbie\r\n");
        await watcher.ExpectAsync("Account newbie, registered");
        // The new account logs in over IRC with the password given on the page.
        using var irc = await server.ConnectAsync();
        var outcome = await Accounts.AccountsHarness.SaslPlainAsync(server, irc, "other", "newbie", "a long enough password");
        Assert.Contains(" 903 ", outcome);

        // A server that takes REGISTER only once connected: the page registers after the welcome.
        await using var late = await ServeAsync("--register-before-connect", "false");
        await page.GotoAsync($"http://127.0.0.1:{late.Port}/");
        await SubmitAsync(page, "register", "latecomer", "a long enough password");
        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("connected as latecomer (account latecomer)", Long);
        await Assertions.Expect(page.Locator("#room-name")).ToHaveTextAsync("#lobby", Long);
    }

    [Fact]
    public async Task FilesAreSharedByButtonAndByDropWithProgressAndTheLimitIsShown()
    {
        using var dir = FreePort.TempDir();
        const int max = 4 * 1024 * 1024;
        await using var server = await ServeAsync("--files", dir.File("shared"), "--max-upload", max.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await RegisterOverIrcAsync(server, "ann", "correct-horse");
        using var bob = await server.IrcAsync("bob", "#lobby");
        await using var browser = await Browser.LaunchAsync();
        var page = await browser.OpenAsync($"http://127.0.0.1:{server.Port}/");
        var posts = 0;
        page.Request += (_, r) => { if (r.Method == "POST" && r.Url.Contains("/files", StringComparison.Ordinal)) Interlocked.Increment(ref posts); };
        await SubmitAsync(page, "login", "ann", "correct-horse");
        await Assertions.Expect(page.Locator("#member-list")).ToContainTextAsync("bob", LongContains);
        await Assertions.Expect(page.Locator("#upload-button")).ToBeVisibleAsync();

        // By the 📎 button, through the browser's file chooser.
        var data = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 5);
        var chooser = await page.RunAndWaitForFileChooserAsync(() => page.Locator("#upload-button").ClickAsync());
        await chooser.SetFilesAsync(new FilePayload { Name = "big.bin", MimeType = "application/octet-stream", Buffer = data });
        var done = await page.WaitForFunctionAsync(
            "() => { const u = sockChat.uploads.find(x => x.name === 'big.bin'); return u && u.status !== 'uploading' ? u : null; }",
            null, new() { Timeout = 60000 });
        var upload = await done.JsonValueAsync<JsonElement>();
        Assert.Equal("done", upload.GetProperty("status").GetString());
        Assert.Equal(100, upload.GetProperty("percent").GetInt32());
        Assert.Equal(data.Length, upload.GetProperty("loaded").GetInt64());
        var hash = Convert.ToHexStringLower(SHA256.HashData(data));
        var url = $"http://127.0.0.1:{server.Port}/files/{hash}/big.bin";
        Assert.Equal(url, upload.GetProperty("url").GetString());
        // Another member (IRC) sees the link, and it downloads byte-identical.
        await bob.ExpectAsync($":ann!ann@127.0.0.1 PRIVMSG #lobby :shared big.bin (3 MiB): {url}");
        await Assertions.Expect(page.Locator($"#log a[href='{url}']")).ToBeVisibleAsync();
        var curl = Peers.Require("curl", "curl");
        var got = dir.File("got.bin");
        var (code, _, err) = await Run.Async(curl, "-sSf", "-o", got, url);
        Assert.True(code == 0, err);
        Assert.Equal(data, await File.ReadAllBytesAsync(got, TestContext.Current.CancellationToken));

        // By drag-and-drop: a real DataTransfer with a file, dropped on the messages.
        await page.EvaluateAsync("""
            () => {
              const dt = new DataTransfer();
              dt.items.add(new File(['dropped 你好\n'.repeat(1000)], 'notes 1.txt', { type: 'text/plain' }));
              const log = document.getElementById('log');
              log.dispatchEvent(new DragEvent('dragenter', { dataTransfer: dt, bubbles: true, cancelable: true }));
              window.dropHintShown = !document.getElementById('drop-hint').hidden;
              log.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
              window.dropHandled = !log.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
            }
            """);
        Assert.True(await page.EvaluateAsync<bool>("() => window.dropHintShown"));
        Assert.True(await page.EvaluateAsync<bool>("() => window.dropHandled")); // the page took it (no navigation to the file)
        await Assertions.Expect(page.Locator("#drop-hint")).ToBeHiddenAsync();
        var dropped = await bob.ExpectAsync(":ann!ann@127.0.0.1 PRIVMSG #lobby :shared notes 1.txt (");
        var droppedUrl = dropped[dropped.IndexOf("http://", StringComparison.Ordinal)..];
        (code, var body, err) = await Run.Async(curl, "-sSf", droppedUrl);
        Assert.True(code == 0, err);
        Assert.Equal(string.Concat(Enumerable.Repeat("dropped 你好\n", 1000)), body);
        Assert.Equal(2, Volatile.Read(ref posts));

        // Above --max-upload: refused on the page with the limit, before a byte is sent.
        await page.Locator("#upload-input").SetInputFilesAsync(new FilePayload { Name = "huge.bin", MimeType = "application/octet-stream", Buffer = new byte[max + 1] });
        var tooBig = page.Locator("#uploads [data-status=error]");
        await Assertions.Expect(tooBig.Locator(".state")).ToHaveTextAsync($"too big: {max + 1} bytes; files may be at most {max} bytes here", Long);
        await Assertions.Expect(tooBig.Locator(".name")).ToHaveTextAsync("huge.bin");
        Assert.Equal(2, Volatile.Read(ref posts));
        if (Environment.GetEnvironmentVariable("SOCK_DOCS_SCREENSHOTS") is { Length: > 0 } shots)
            await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "web-share.png") });
        // And were the page to send it anyway, the server's own refusal is what the user reads.
        var refused = await page.EvaluateAsync<string>($$"""
            async () => {
              const { uploadFile } = await import('/upload.js');
              const auth = sockChat.irc.auth.authorization('ann');
              try { await uploadFile(new File([new Uint8Array({{max + 1}})], 'huge.bin'), auth, () => {}).promise; return 'accepted'; }
              catch (e) { return e.message; }
            }
            """);
        Assert.Equal($"files may be at most {max} bytes", refused);
    }

    [Fact]
    public async Task AGuestIsToldToLogInToShareFiles()
    {
        using var dir = FreePort.TempDir();
        await using var server = await ServeAsync("--files", dir.File("shared"));
        await using var browser = await Browser.LaunchAsync();
        var page = await browser.OpenAsync($"http://127.0.0.1:{server.Port}/?nick=guest1&join=%23lobby");
        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("connected as guest1", Long);
        // In the room first: an upload before the JOIN lands is refused for another reason ("open a room").
        await Assertions.Expect(page.Locator("#room-name")).ToHaveTextAsync("#lobby", Long);
        await page.Locator("#upload-input").SetInputFilesAsync(new FilePayload { Name = "a.txt", MimeType = "text/plain", Buffer = [65] });
        await Assertions.Expect(page.Locator("#uploads [data-status=error] .state")).ToHaveTextAsync("log in to share files (guests cannot upload)", Long);
        // The server refuses a guest's upload too (no credentials): 401, and the page says why.
        var refused = await page.EvaluateAsync<string>("""
            async () => {
              const r = await fetch('/files?name=a.txt', { method: 'POST', body: 'A' });
              return r.status + ' ' + (await r.text()).trim();
            }
            """);
        Assert.Equal("401 log in to upload files", refused);
    }
}
