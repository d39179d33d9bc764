using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Sock.Interop.Tests.Chat;
using Sock.Interop.Tests.Infrastructure;

namespace Sock.Interop.Tests.Web;

/// <summary>The built-in web client at /, in a real browser, with IRC and plain users in the same room.</summary>
// Browsers and the 10,000-request abuse compete for two cores: never at the same time.
[Collection(WebHeavy.Name)]
public class WebClientTests
{
    private static readonly LocatorAssertionsToHaveTextOptions Long = new() { Timeout = 30000 };
    private static readonly LocatorAssertionsToContainTextOptions LongContains = new() { Timeout = 30000 };

    private static string Url(int port, string nick, string rooms = "#lobby") =>
        $"http://127.0.0.1:{port}/?nick={nick}&join={Uri.EscapeDataString(rooms)}";

    private static ILocator Log(IPage page) => page.Locator("#log");

    [Fact]
    public async Task TwoBrowsersAnIrcUserAndAPlainUserSeeEachOtherInOrder()
    {
        await using var server = await ChatServerProcess.StartAsync();
        await using var alice = await Browser.LaunchAsync();
        await using var bob = await Browser.LaunchAsync();
        using var irc = await server.IrcAsync("ircuser", "#lobby");
        await using var nc = RunningProcess.Start(Peers.Nc, ["127.0.0.1", server.Port.ToString()]);
        await nc.WriteAsync("/nick ncuser\n");
        await nc.WaitForStdoutAsync("you are now known as ncuser", TimeSpan.FromSeconds(5));

        var a = await alice.OpenAsync(Url(server.Port, "webA"));
        await Assertions.Expect(a.Locator("#room-name")).ToHaveTextAsync("#lobby", Long);
        // A shared link joins at once and leaves the keyboard in the message box.
        await Assertions.Expect(a.Locator("#input")).ToBeFocusedAsync();
        var b = await bob.OpenAsync(Url(server.Port, "webB"));
        await Assertions.Expect(b.Locator("#member-list")).ToContainTextAsync("webA", new() { Timeout = 30000 });
        await Assertions.Expect(a.Locator("#member-list")).ToContainTextAsync("webB", new() { Timeout = 30000 });
        await Assertions.Expect(a.Locator("#member-list")).ToContainTextAsync("ircuser");
        await Assertions.Expect(a.Locator("#member-list")).ToContainTextAsync("ncuser");

        await a.Locator("#input").FillAsync("hello from A 你好 🎉");
        await a.Locator("#input").PressAsync("Enter");
        await Assertions.Expect(Log(b)).ToContainTextAsync("hello from A 你好 🎉", new() { Timeout = 10000 });
        await irc.ExpectAsync(":webA!");
        await nc.WaitForStdoutAsync("<webA> hello from A 你好 🎉", TimeSpan.FromSeconds(5));
        await irc.SendAsync("PRIVMSG #lobby :from irc\r\n");
        // Two connections are not ordered by anything but causality: the plain user answers what it saw.
        await nc.WaitForStdoutAsync("<ircuser> from irc", TimeSpan.FromSeconds(10));
        await nc.WriteAsync("from plain\n");
        await b.Locator("#input").FillAsync("/me waves");
        await b.Locator("#input").PressAsync("Enter");
        foreach (var page in new[] { a, b })
        {
            await Assertions.Expect(Log(page)).ToContainTextAsync("from plain", new() { Timeout = 10000 });
            await Assertions.Expect(Log(page)).ToContainTextAsync("* webB waves", new() { Timeout = 10000 });
            // In the order the server accepted them (the plain line answered the IRC one).
            var text = await Log(page).InnerTextAsync();
            Assert.True(text.IndexOf("hello from A", StringComparison.Ordinal) < text.IndexOf("from irc", StringComparison.Ordinal));
            Assert.True(text.IndexOf("from irc", StringComparison.Ordinal) < text.IndexOf("from plain", StringComparison.Ordinal));
        }
        await irc.ExpectAsync("\u0001ACTION waves\u0001");
    }

    [Fact]
    public async Task LongMessagesCrossTheIrcLineWhole()
    {
        // Longer than one 512-byte IRC line, either way: the web client sends a draft/multiline batch and
        // shows a received one as one message; plain users read one line; an IRC user gets parts that fit.
        await using var server = await ChatServerProcess.StartAsync();
        await using var browser = await Browser.LaunchAsync();
        using var irc = await server.IrcAsync("ircuser", "#lobby");
        await using var nc = RunningProcess.Start(Peers.Nc, ["127.0.0.1", server.Port.ToString()]);
        await nc.WriteAsync("/nick ncuser\n");
        await nc.WaitForStdoutAsync("you are now known as ncuser", TimeSpan.FromSeconds(5));
        var page = await browser.OpenAsync(Url(server.Port, "webA"));
        await Assertions.Expect(page.Locator("#member-list")).ToContainTextAsync("ncuser", LongContains);

        var fromWeb = "web " + string.Join(" ", Enumerable.Range(0, 150).Select(i => $"字{i}"));
        await page.Locator("#input").FillAsync(fromWeb);
        await page.Locator("#input").PressAsync("Enter");
        await nc.WaitForStdoutAsync("<webA> " + fromWeb + "\n", TimeSpan.FromSeconds(10));
        await Assertions.Expect(page.Locator("#log .msg", new() { HasText = "字149" })).ToHaveCountAsync(1, new() { Timeout = 10000 });
        Assert.Equal(fromWeb, await page.Locator("#log .msg", new() { HasText = "字149" }).Locator(".text").InnerTextAsync());
        await irc.ExpectAsync("字149");
        var parts = irc.Lines.Where(l => l.StartsWith(":webA!", StringComparison.Ordinal) && l.Contains(" PRIVMSG #lobby :", StringComparison.Ordinal)).ToList();
        Assert.True(parts.Count >= 2);
        Assert.All(parts, l => Assert.True(System.Text.Encoding.UTF8.GetByteCount(l) + 2 <= 512, l));

        var fromPlain = "plain " + string.Join(" ", Enumerable.Range(0, 300).Select(i => $"w{i}"));
        await nc.WriteAsync(fromPlain + "\n");
        await Assertions.Expect(page.Locator("#log .msg", new() { HasText = "w299" })).ToHaveCountAsync(1, new() { Timeout = 10000 });
        Assert.Equal(fromPlain, await page.Locator("#log .msg", new() { HasText = "w299" }).Locator(".text").InnerTextAsync());
    }

    [Fact]
    public async Task MarkupInAMessageIsShownAsTextAndLinksAreLinks()
    {
        await using var server = await ChatServerProcess.StartAsync();
        await using var browser = await Browser.LaunchAsync();
        using var irc = await server.IrcAsync("mallory", "#lobby");
        var page = await browser.OpenAsync(Url(server.Port, "victim"));
        await Assertions.Expect(page.Locator("#member-list")).ToContainTextAsync("mallory", new() { Timeout = 30000 });
        var dialogs = 0;
        page.Dialog += (_, d) => { dialogs++; _ = d.DismissAsync(); };
        await irc.SendAsync("PRIVMSG #lobby :<script>alert(1)</script><img src=x onerror=alert(2)> see https://example.org/a?b=1.\r\n");
        await Assertions.Expect(Log(page)).ToContainTextAsync("<script>alert(1)</script><img src=x onerror=alert(2)>", LongContains);
        Assert.Equal(0, await page.Locator("#log script, #log img").CountAsync());
        Assert.Equal("https://example.org/a?b=1", await page.Locator("#log a").First.GetAttributeAsync("href"));
        Assert.Equal(0, dialogs);
    }

    [Fact]
    public async Task ScrollingUpLoadsOlderHistoryThroughChatHistory()
    {
        await using var server = await ChatServerProcess.StartAsync("--history", "300");
        using var irc = await server.IrcAsync("talker", "#old");
        var batch = string.Concat(Enumerable.Range(0, 160).Select(i => $"PRIVMSG #old :line {i:D3}\r\n"));
        await irc.SendAsync(batch);
        await irc.SendAsync("PING :done\r\n");
        await irc.ExpectAsync("PONG");
        await using var browser = await Browser.LaunchAsync();
        var page = await browser.OpenAsync(Url(server.Port, "reader", "#old"));
        await Assertions.Expect(Log(page)).ToContainTextAsync("line 159", LongContains);
        Assert.DoesNotContain("line 000", await Log(page).InnerTextAsync());
        for (var i = 0; i < 20 && !(await Log(page).InnerTextAsync()).Contains("line 000", StringComparison.Ordinal); i++)
        {
            await page.Locator("#log").EvaluateAsync("el => { el.scrollTop = 0; el.dispatchEvent(new Event('scroll')); }");
            await Task.Delay(300, TestContext.Current.CancellationToken);
        }
        var text = await Log(page).InnerTextAsync();
        Assert.Contains("line 000", text);
        Assert.Contains("Start of history", text);
        // Every line once, in order.
        var lines = Regex.Matches(text, @"line (\d{3})").Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(Enumerable.Range(0, 160), lines);
    }

    [Fact]
    public async Task AfterTheServerRestartsThePageReconnectsAndCatchesUpWithNothingTwice()
    {
        using var dir = FreePort.TempDir();
        var db = dir.File("chat.db");
        var server = await ChatServerProcess.StartAsync("--db", db);
        var port = server.Port;
        await using var browser = await Browser.LaunchAsync();
        var page = await browser.OpenAsync(Url(port, "stayer", "#keep"));
        using (var irc = await server.IrcAsync("other", "#keep"))
        {
            await irc.SendAsync("PRIVMSG #keep :before the restart\r\n");
            await Assertions.Expect(Log(page)).ToContainTextAsync("before the restart", LongContains);
        }
        await server.DisposeAsync();
        // Wait until the page has failed once and is backing off, so the next message is surely missed live.
        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync(new Regex("reconnecting in [2-9]"), new() { Timeout = 20000 });
        await using var again = await ChatServerProcess.StartOnPortAsync(port, "--db", db);
        using (var irc = await again.IrcAsync("other", "#keep"))
        {
            await irc.SendAsync("PRIVMSG #keep :while you were away\r\n");
            await irc.SendAsync("PING :x\r\n");
            await irc.ExpectAsync("PONG");
            await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("connected as stayer", new() { Timeout = 30000 });
            await Assertions.Expect(Log(page)).ToContainTextAsync("while you were away", LongContains);
            await irc.SendAsync("PRIVMSG #keep :live again\r\n");
            await Assertions.Expect(Log(page)).ToContainTextAsync("live again", LongContains);
        }
        var text = await Log(page).InnerTextAsync();
        Assert.Single(Regex.Matches(text, "before the restart"));
        Assert.Single(Regex.Matches(text, "while you were away"));
    }

    [Fact]
    public async Task SlashCommandsTypingIndicatorAndUnreadCounts()
    {
        await using var server = await ChatServerProcess.StartAsync();
        await using var browser = await Browser.LaunchAsync();
        using var irc = await server.IrcAsync("ircuser", "#lobby");
        var page = await browser.OpenAsync(Url(server.Port, "cmd"));
        await Assertions.Expect(page.Locator("#room-name")).ToHaveTextAsync("#lobby", Long);
        var input = page.Locator("#input");
        await input.FillAsync("/join #side");
        await input.PressAsync("Enter");
        await Assertions.Expect(page.Locator("#room-name")).ToHaveTextAsync("#side", Long);
        await input.FillAsync("/topic side talk"); // the web user made #side, so it is its operator
        await input.PressAsync("Enter");
        await Assertions.Expect(page.Locator("#room-topic")).ToHaveTextAsync("side talk", Long);
        await irc.SendAsync("JOIN #side\r\n");
        await irc.ExpectAsync(" 332 ircuser #side :side talk");
        await Assertions.Expect(page.Locator("#member-list")).ToContainTextAsync("@cmd", LongContains);
        await Assertions.Expect(page.Locator("#member-list")).ToContainTextAsync("ircuser", LongContains);
        // Someone types in #side: the page shows it; a message to #lobby counts as unread there.
        await irc.SendAsync("CAP REQ :message-tags\r\n"); // client tags are relayed for those who speak them
        await irc.ExpectAsync("ACK :message-tags");
        await irc.SendAsync("@+typing=active TAGMSG #side\r\n");
        await Assertions.Expect(page.Locator("#typing")).ToHaveTextAsync("ircuser is typing…", Long);
        await irc.SendAsync("PRIVMSG #lobby :one\r\nPRIVMSG #lobby :two\r\n");
        await Assertions.Expect(page.Locator("#room-list")).ToContainTextAsync("#lobby2", LongContains);
        // Our own typing reaches IRC as +typing.
        await input.PressSequentiallyAsync("hel");
        await irc.ExpectAsync("+typing=active");
        await input.FillAsync("/msg ircuser psst");
        await input.PressAsync("Enter");
        await irc.ExpectAsync("PRIVMSG ircuser :psst");
        await Assertions.Expect(page.Locator("#room-name")).ToHaveTextAsync("ircuser", Long);
        await input.FillAsync("/nick renamed");
        await input.PressAsync("Enter");
        await irc.ExpectAsync(":cmd!");
        await Assertions.Expect(page.Locator("#status")).ToContainTextAsync("connected", LongContains);
        // Alt+Up walks back to a room; the count clears when it is read.
        await page.Keyboard.PressAsync("Alt+ArrowUp");
        await page.Keyboard.PressAsync("Alt+ArrowUp");
        await Assertions.Expect(page.Locator("#room-name")).ToHaveTextAsync("#lobby", Long);
        await Assertions.Expect(page.Locator("#room-list")).Not.ToContainTextAsync("#lobby2");
        await Assertions.Expect(Log(page)).ToContainTextAsync("two", LongContains);
    }

    [Fact]
    public async Task ScreenshotsWideAndPhoneLightAndDark()
    {
        await using var server = await ChatServerProcess.StartAsync();
        using var irc = await server.IrcAsync("ann", "#lobby");
        var shots = Environment.GetEnvironmentVariable("SOCK_DOCS_SCREENSHOTS"); // docs/ when set, else a temp dir
        using var tmp = FreePort.TempDir();
        var outDir = string.IsNullOrEmpty(shots) ? tmp.Path : shots;
        // The start page, choosing to log in.
        await using (var first = await Browser.LaunchAsync(new ViewportSize { Width = 700, Height = 560 }))
        {
            var page = await first.OpenAsync($"http://127.0.0.1:{server.Port}/");
            // As SubmitAsync does: once the client runs (under CI load the password field stayed hidden for 30 s otherwise).
            await Browser.WaitForClientAsync(page);
            await page.Locator("input[name=mode][value=login]").CheckAsync();
            await page.Locator("#login-nick").FillAsync("ann");
            await page.Locator("#login-password").FillAsync("correct-horse");
            var path = Path.Combine(outDir, "web-login.png");
            await page.ScreenshotAsync(new() { Path = path });
            Assert.True(new FileInfo(path).Length > 1000);
        }
        foreach (var (name, viewport, scheme) in new[]
        {
            ("web-wide.png", new ViewportSize { Width = 1100, Height = 640 }, ColorScheme.Light),
            ("web-phone-dark.png", new ViewportSize { Width = 390, Height = 740 }, ColorScheme.Dark),
        })
        {
            await using var browser = await Browser.LaunchAsync(viewport, scheme);
            var page = await browser.OpenAsync(Url(server.Port, name.Contains("phone", StringComparison.Ordinal) ? "phone" : "wide"));
            await Assertions.Expect(page.Locator("#member-list")).ToContainTextAsync("ann", new() { Timeout = 30000 });
            await irc.SendAsync($"PRIVMSG #lobby :hi! the docs are at https://example.org/sock — {name}\r\n");
            await irc.SendAsync("PRIVMSG #lobby :\u0001ACTION waves from irssi\u0001\r\n");
            await Assertions.Expect(Log(page)).ToContainTextAsync("waves from irssi", LongContains);
            await page.Locator("#input").FillAsync("hello ann, 你好 👋");
            await page.Locator("#input").PressAsync("Enter");
            await Assertions.Expect(Log(page)).ToContainTextAsync("hello ann", LongContains);
            var path = Path.Combine(outDir, name);
            await page.ScreenshotAsync(new() { Path = path });
            Assert.True(new FileInfo(path).Length > 1000);
            // On a phone the member list is a panel the button opens.
            if (name.Contains("phone", StringComparison.Ordinal))
            {
                Assert.False(await page.Locator("#members").IsVisibleAsync());
                await page.Locator("#toggle-members").ClickAsync();
                Assert.True(await page.Locator("#members").IsVisibleAsync());
            }
        }
    }
}
