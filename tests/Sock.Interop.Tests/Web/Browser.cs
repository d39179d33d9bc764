using Microsoft.Playwright;
using Sock.Interop.Tests.Infrastructure;

namespace Sock.Interop.Tests.Web;

/// <summary>
/// Debian's Chromium driven by Playwright for .NET (its bundled node driver); never a browser
/// download. Each browser gets a fresh profile, and each context is a separate user.
/// </summary>
public sealed class Browser : IAsyncDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private static readonly string[] Args =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ];

    private readonly IPlaywright _playwright;
    private readonly IBrowserContext _first;
    private readonly TempDir _profile;
    private readonly IBrowser? _browser;

    private Browser(IPlaywright playwright, IBrowserContext first, TempDir profile)
    {
        _playwright = playwright;
        _first = first;
        _profile = profile;
        _browser = first.Browser;
    }

    public static async Task<Browser> LaunchAsync(ViewportSize? viewport = null, ColorScheme scheme = ColorScheme.Light)
    {
        Peers.Require(ChromiumPath, "chromium");
        var playwright = await Playwright.CreateAsync();
        var profile = FreePort.TempDir();
        // A persistent context on a fresh user-data-dir: nothing from another run leaks in.
        var context = await playwright.Chromium.LaunchPersistentContextAsync(profile.Path, new BrowserTypeLaunchPersistentContextOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = Args,
            ViewportSize = viewport ?? new ViewportSize { Width = 1200, Height = 800 },
            ColorScheme = scheme,
            Locale = "en-GB",
        });
        return new Browser(playwright, context, profile);
    }

    /// <summary>A page in the first user's profile.</summary>
    public async Task<IPage> OpenAsync(string url)
    {
        var page = _first.Pages.Count > 0 && _first.Pages[0].Url == "about:blank" ? _first.Pages[0] : await _first.NewPageAsync();
        // From before the first request: what went wrong, for a test's failure message.
        var problems = Problems.GetValue(page, _ => []);
        page.RequestFailed += (_, r) => { lock (problems) problems.Add($"request failed: {r.Url} {r.Failure}"); };
        page.PageError += (_, e) => { lock (problems) problems.Add($"script error: {e}"); };
        page.Console += (_, m) => { if (m.Type == "error") lock (problems) problems.Add($"console: {m.Text}"); };
        page.Request += (_, r) => { lock (problems) problems.Add($"request: {r.Url}"); };
        page.RequestFinished += (_, r) => { lock (problems) problems.Remove($"request: {r.Url}"); };
        await page.GotoAsync(url);
        return page;
    }

    /// <summary>
    /// Waits until the page's modules have run (the client sets window.sockChat); when they do not,
    /// fails with the requests that failed and the script errors, which say why.
    /// </summary>
    public static async Task WaitForClientAsync(IPage page, float timeoutMs = 30000)
    {
        try
        {
            await page.WaitForFunctionAsync("() => !!window.sockChat", null, new() { Timeout = timeoutMs });
        }
        catch (TimeoutException e)
        {
            var problems = Problems.GetValue(page, _ => []);
            lock (problems) throw new TimeoutException($"the web client did not start (unfinished requests and errors: {string.Join("; ", problems)})", e);
        }
    }

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IPage, List<string>> Problems = new();

    public async ValueTask DisposeAsync()
    {
        await _first.CloseAsync();
        if (_browser is not null) await _browser.CloseAsync();
        _playwright.Dispose();
        _profile.Dispose();
    }
}
