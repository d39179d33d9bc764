using System.Runtime.InteropServices;
using System.Text;
using System.Threading.Channels;
using Sock.Chat.Client;

namespace Sock.Cli.Chat;

/// <summary>
/// The full-screen client: messages scroll in a region above a status line and the input line
/// (DECSTBM), so output never touches what the user is typing. Drawn with plain ANSI escapes,
/// which keeps it AOT-clean. Keys come from Console.ReadKey on a thread of their own.
/// </summary>
internal sealed class TerminalChat : IDisposable
{
    private readonly Stream _out = Console.OpenStandardOutput();
    private readonly object _lock = new();
    private readonly LineEditor _editor = new();
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly bool _color = string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"));
    private IrcChatClient? _client;
    private PosixSignalRegistration? _winch;
    private int _width, _height;
    private string _progress = "";
    private bool _closed;

    public static async Task<int> RunAsync(ChatClientOptions options, CancellationToken ct)
    {
        using var ui = new TerminalChat();
        await using var client = new IrcChatClient(options, ui.Show);
        ui._client = client;
        client.StatusChanged += ui.DrawStatusAndInput;
        ui.Start();
        ui.Show(ChatEvent.Info($"connecting to {options.Host}:{options.Port}{(options.Tls ? " with TLS" : "")} as {options.Nick}… (/help lists the commands)"));
        var run = client.RunAsync(ct);
        var input = Task.Run(async () =>
        {
            await foreach (var line in ui._lines.Reader.ReadAllAsync(ct))
            {
                await client.SubmitAsync(line, ct);
                if (client.Quitting) return;
            }
            await client.EndOfInputAsync(ct);
        }, ct);
        try
        {
            await run;
        }
        finally
        {
            ui.Close();
        }
        return 0;
    }

    private void Start()
    {
        Console.TreatControlCAsInput = true;
        if (!OperatingSystem.IsWindows())
            _winch = PosixSignalRegistration.Create(PosixSignal.SIGWINCH, c => { c.Cancel = true; Layout(); });
        Layout();
        new Thread(ReadKeys) { IsBackground = true, Name = "chat keys" }.Start();
    }

    /// <summary>(Re)builds the screen for the current size: alternate screen, scroll region, status, input.</summary>
    private void Layout()
    {
        lock (_lock)
        {
            if (_closed) return;
            _width = Math.Max(10, Console.WindowWidth);
            _height = Math.Max(4, Console.WindowHeight);
            Write($"\e[?1049h\e[2J\e[1;{_height - 2}r");
            DrawStatusAndInputLocked();
        }
    }

    private void Show(ChatEvent e)
    {
        if (e.Kind == ChatEventKind.Progress)
        {
            lock (_lock) _progress = e.Text;
            DrawStatusAndInput();
            return;
        }
        if (e.Kind == ChatEventKind.Transfer) lock (_lock) _progress = "";
        var text = ChatLineFormat.Format(e, _client?.Status.Room, _color, time: true);
        lock (_lock)
        {
            if (_closed) return;
            var sb = new StringBuilder();
            foreach (var line in text.Split('\n'))
                // To the bottom of the scroll region, then a newline scrolls the messages up by one.
                sb.Append("\e[").Append(_height - 2).Append(";1H\n\r").Append(line);
            Write(sb.ToString());
            DrawStatusAndInputLocked();
        }
    }

    private void DrawStatusAndInput()
    {
        lock (_lock) DrawStatusAndInputLocked();
    }

    private void DrawStatusAndInputLocked()
    {
        if (_closed || _client is null && _width == 0) return;
        var s = _client?.Status;
        var status = s is null ? " sock chat" :
            $" {s.Server}{(s.Tls ? " (TLS)" : "")} | {s.Room ?? "no room"} | {s.Nick} | "
            + (s.Connected ? s.Lag is { } lag ? $"lag {lag.TotalMilliseconds:0} ms" : "lag ?" : "disconnected")
            + (_progress.Length > 0 ? " | " + _progress : "");
        status = TextWidth.Fit(status, _width);
        var prompt = $"[{s?.Room ?? "sock"}] ";
        prompt = TextWidth.Fit(prompt, _width / 2);
        var promptWidth = TextWidth.Of(prompt);
        var (visible, cursor) = _editor.Render(_width - promptWidth);
        var sb = new StringBuilder();
        sb.Append("\e[").Append(_height - 1).Append(";1H\e[2K");
        sb.Append(_color ? "\e[7m" : "").Append(status).Append(' ', Math.Max(0, _width - TextWidth.Of(status))).Append(_color ? "\e[0m" : "");
        sb.Append("\e[").Append(_height).Append(";1H\e[2K").Append(prompt).Append(visible);
        sb.Append("\e[").Append(_height).Append(';').Append(promptWidth + cursor + 1).Append('H');
        Write(sb.ToString());
    }

    private void ReadKeys()
    {
        char pendingHigh = '\0';
        while (true)
        {
            ConsoleKeyInfo key;
            try { key = Console.ReadKey(intercept: true); }
            catch (InvalidOperationException) { _lines.Writer.TryComplete(); return; }
            var ctrl = (key.Modifiers & ConsoleModifiers.Control) != 0;
            lock (_lock)
            {
                if (_closed) return;
                switch (key.Key)
                {
                    case ConsoleKey.Enter:
                        var line = _editor.Submit();
                        if (line.Length > 0) _lines.Writer.TryWrite(line);
                        break;
                    case ConsoleKey.Backspace: _editor.Backspace(); break;
                    case ConsoleKey.Delete: _editor.Delete(); break;
                    case ConsoleKey.LeftArrow: _editor.Left(); break;
                    case ConsoleKey.RightArrow: _editor.Right(); break;
                    case ConsoleKey.Home: _editor.Home(); break;
                    case ConsoleKey.End: _editor.End(); break;
                    case ConsoleKey.UpArrow: _editor.HistoryUp(); break;
                    case ConsoleKey.DownArrow: _editor.HistoryDown(); break;
                    case ConsoleKey.A when ctrl: _editor.Home(); break;
                    case ConsoleKey.E when ctrl: _editor.End(); break;
                    case ConsoleKey.B when ctrl: _editor.Left(); break;
                    case ConsoleKey.F when ctrl: _editor.Right(); break;
                    case ConsoleKey.W when ctrl: _editor.DeleteWordBack(); break;
                    case ConsoleKey.U when ctrl: _editor.DeleteToStart(); break;
                    case ConsoleKey.K when ctrl: _editor.DeleteToEnd(); break;
                    case ConsoleKey.H when ctrl: _editor.Backspace(); break;
                    case ConsoleKey.L when ctrl: Layout(); break; // the lock is re-entrant
                    case ConsoleKey.C when ctrl:
                        _lines.Writer.TryWrite("/quit");
                        break;
                    case ConsoleKey.D when ctrl:
                        if (_editor.Text.Length == 0) _lines.Writer.TryWrite("/quit");
                        else _editor.Delete();
                        break;
                    default:
                        var c = key.KeyChar;
                        if (char.IsHighSurrogate(c)) { pendingHigh = c; break; }
                        if (char.IsLowSurrogate(c) && pendingHigh != '\0')
                        {
                            _editor.Insert(new Rune(pendingHigh, c));
                            pendingHigh = '\0';
                            break;
                        }
                        if (c == '\t') c = ' ';
                        if (!char.IsControl(c) && Rune.TryCreate(c, out var rune)) _editor.Insert(rune);
                        break;
                }
                DrawStatusAndInputLocked();
            }
        }
    }

    private void Write(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        _out.Write(bytes);
        _out.Flush();
    }

    /// <summary>Gives the terminal back: whole-screen scrolling, main screen, cursor below.</summary>
    private void Close()
    {
        lock (_lock)
        {
            if (_closed) return;
            _closed = true;
            Write("\e[r\e[?1049l");
        }
    }

    public void Dispose()
    {
        Close();
        _winch?.Dispose();
        _lines.Writer.TryComplete();
        _out.Dispose();
    }
}
