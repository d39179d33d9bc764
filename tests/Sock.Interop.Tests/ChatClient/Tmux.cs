using Sock.Interop.Tests.Infrastructure;

namespace Sock.Interop.Tests.ChatClient;

/// <summary>
/// A program in a detached tmux window, driven as a person would: keys in, the screen read back.
/// Each instance uses its own tmux server socket so tests never see each other's sessions.
/// </summary>
public sealed class Tmux : IAsyncDisposable
{
    private readonly string _tmux = Peers.Tmux;
    private readonly string _socket = "sock-test-" + Guid.NewGuid().ToString("N")[..12];

    private Tmux() { }

    public static async Task<Tmux> StartAsync(string command, int width = 100, int height = 30, string? directory = null,
        IDictionary<string, string>? environment = null)
    {
        var tmux = new Tmux();
        var env = string.Join(' ', (environment ?? new Dictionary<string, string>()).Select(kv => $"{kv.Key}='{kv.Value}'"));
        // `; sleep` keeps the pane (and what the program printed last) after it exits.
        var shell = $"cd '{directory ?? Environment.CurrentDirectory}' && env TERM=xterm-256color LANG=C.UTF-8 {env} {command}; echo EXITED $?; sleep 60";
        await tmux.RunAsync("new-session", "-d", "-s", "main", "-x", width.ToString(), "-y", height.ToString(), shell);
        return tmux;
    }

    private async Task<string> RunAsync(params string[] args)
    {
        var (code, stdout, stderr) = await Run.Async(_tmux, ["-L", _socket, "-f", "/dev/null", .. args]);
        if (code != 0) throw new InvalidOperationException($"tmux {string.Join(' ', args)}: {stderr}");
        return stdout;
    }

    /// <summary>Types text literally (no key names).</summary>
    public Task TypeAsync(string text) => RunAsync("send-keys", "-t", "main", "-l", text);

    /// <summary>Presses named keys: Enter, Left, BSpace, C-w, Up…</summary>
    public Task KeysAsync(params string[] keys) => RunAsync(["send-keys", "-t", "main", .. keys]);

    public async Task<string[]> ScreenAsync() => (await RunAsync("capture-pane", "-p", "-t", "main")).TrimEnd('\n').Split('\n');

    public async Task<(int X, int Y)> CursorAsync()
    {
        var parts = (await RunAsync("display-message", "-p", "-t", "main", "#{cursor_x} #{cursor_y}")).Trim().Split(' ');
        return (int.Parse(parts[0]), int.Parse(parts[1]));
    }

    /// <summary>
    /// Waits (bounded) until <paramref name="done"/> holds for the cursor and the last screen line, and
    /// returns them: keys sent to tmux reach the program asynchronously, so a read right after
    /// send-keys may see the screen from before them.
    /// </summary>
    public async Task<((int X, int Y) Cursor, string LastLine)> WaitForInputLineAsync(Func<(int X, int Y), string, bool> done, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (true)
        {
            var cursor = await CursorAsync();
            var last = (await ScreenAsync())[^1].TrimEnd();
            if (done(cursor, last) || DateTime.UtcNow > deadline) return (cursor, last);
            await Task.Delay(50);
        }
    }

    /// <summary>Waits until the screen shows <paramref name="text"/> (the given number of times).</summary>
    public async Task<string[]> WaitForAsync(string text, TimeSpan? timeout = null, int count = 1)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (true)
        {
            var screen = await ScreenAsync();
            var seen = screen.Sum(line => CountOf(line, text));
            if (seen >= count) return screen;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"'{text}' (x{count}) not on screen:\n{string.Join('\n', screen)}");
            await Task.Delay(100);
        }
    }

    private static int CountOf(string line, string text)
    {
        var n = 0;
        for (var i = line.IndexOf(text, StringComparison.Ordinal); i >= 0; i = line.IndexOf(text, i + text.Length, StringComparison.Ordinal)) n++;
        return n;
    }

    public async ValueTask DisposeAsync()
    {
        try { await RunAsync("kill-server"); } catch (InvalidOperationException) { }
    }
}
