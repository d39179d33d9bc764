using System.Net.Sockets;
using System.Text;
using Sock.Interop.Tests.Infrastructure;

namespace Sock.Interop.Tests.Chat;

/// <summary>A real `sock chat serve` on a free loopback port.</summary>
public sealed class ChatServerProcess : IAsyncDisposable
{
    private ChatServerProcess(RunningProcess process, int port)
    {
        Process = process;
        Port = port;
    }

    public RunningProcess Process { get; }
    public int Port { get; }

    public static Task<ChatServerProcess> StartAsync(params string[] extra) => StartOnPortAsync(FreePort.Tcp(), extra);

    /// <summary>On a given port (a restart on the port a client will reconnect to).</summary>
    public static async Task<ChatServerProcess> StartOnPortAsync(int port, params string[] extra)
    {
        var p = SockCli.Start(["chat", "serve", "--bind", "127.0.0.1", "--port", port.ToString(), "--name", "test.local", .. extra]);
        try
        {
            await p.WaitForStderrAsync("listening on", TimeSpan.FromSeconds(60)); // generous: a loaded CI machine starts .NET slowly
        }
        catch
        {
            await p.DisposeAsync(); // a server that never said it listens is not left running
            throw;
        }
        return new ChatServerProcess(p, port);
    }

    public Task<LineClient> ConnectAsync() => LineClient.ConnectAsync(Port);

    /// <summary>A plain client, welcomed and in the default room; returns it and its nick.</summary>
    public async Task<(LineClient Client, string Nick)> PlainAsync(string? nick = null)
    {
        var c = await ConnectAsync();
        await c.SendAsync("/nick " + (nick ?? "p" + Guid.NewGuid().ToString("N")[..8]) + "\n");
        var welcome = await c.ExpectAsync("欢迎");
        var me = await c.ExpectAsync("* you are now known as");
        return (c, me.Split(' ')[^1]);
    }

    /// <summary>An IRC client, registered (001 seen) and joined to <paramref name="channels"/>.</summary>
    public async Task<LineClient> IrcAsync(string nick, params string[] channels)
    {
        var c = await ConnectAsync();
        await c.SendAsync($"NICK {nick}\r\nUSER {nick} 0 * :{nick} real\r\n");
        await c.ExpectAsync(" 376 ");
        foreach (var ch in channels)
        {
            await c.SendAsync($"JOIN {ch}\r\n");
            await c.ExpectAsync($" 366 {nick} {ch} ");
        }
        return c;
    }

    public async ValueTask DisposeAsync() => await Process.DisposeAsync();
}

/// <summary>A raw TCP client reading lines (UTF-8), with bounded waits.</summary>
public sealed class LineClient : IDisposable
{
    private readonly Socket _socket;
    private readonly List<string> _lines = [];
    private readonly MemoryStream _partial = new();
    private readonly Task _pump;
    private readonly Lock _gate = new();
    private int _cursor;

    private LineClient(Socket socket)
    {
        _socket = socket;
        _pump = Task.Run(PumpAsync);
    }

    public static async Task<LineClient> ConnectAsync(int port, int receiveBuffer = 0)
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        if (receiveBuffer > 0) s.ReceiveBufferSize = receiveBuffer;
        await s.ConnectAsync("127.0.0.1", port);
        return new LineClient(s);
    }

    /// <summary>From another loopback address (127.0.0.2, 127.0.0.3…): the per-address limits exempt only 127.0.0.1.</summary>
    public static async Task<LineClient> ConnectFromAsync(string local, int port)
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        s.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Parse(local), 0));
        await s.ConnectAsync("127.0.0.1", port);
        return new LineClient(s);
    }

    /// <summary>A client that connects and never reads (its kernel buffer kept small).</summary>
    public static async Task<Socket> ConnectNonReadingAsync(int port)
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await s.ConnectAsync("127.0.0.1", port);
        return s;
    }

    public Socket Socket => _socket;
    public bool Closed { get; private set; }

    public IReadOnlyList<string> Lines { get { lock (_gate) return [.. _lines]; } }

    public string All { get { lock (_gate) return string.Join("\n", _lines) + "\n" + Encoding.UTF8.GetString(_partial.ToArray()); } }

    public Task SendAsync(string text) => SendAsync(Encoding.UTF8.GetBytes(text));

    public async Task SendAsync(byte[] bytes) => await _socket.SendAsync(bytes);

    /// <summary>Waits for the next line (after the last one matched) containing <paramref name="text"/>.</summary>
    public async Task<string> ExpectAsync(string text, double seconds = 10)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            lock (_gate)
            {
                for (var i = _cursor; i < _lines.Count; i++)
                {
                    if (_lines[i].Contains(text, StringComparison.Ordinal))
                    {
                        _cursor = i + 1;
                        return _lines[i];
                    }
                }
            }
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"'{text}' not received within {seconds}s; got:\n{All}");
            await Task.Delay(10);
        }
    }

    /// <summary>Asserts no line containing <paramref name="text"/> arrives within the wait.</summary>
    public async Task ExpectNoneAsync(string text, double seconds = 0.5)
    {
        await Task.Delay(TimeSpan.FromSeconds(seconds));
        Assert.DoesNotContain(Lines, l => l.Contains(text, StringComparison.Ordinal));
    }

    public async Task WaitClosedAsync(double seconds = 10)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!Closed)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("connection not closed by the server; got:\n" + All);
            await Task.Delay(10);
        }
    }

    private async Task PumpAsync()
    {
        var buffer = new byte[65536];
        try
        {
            while (true)
            {
                var n = await _socket.ReceiveAsync(buffer);
                if (n == 0) break;
                lock (_gate)
                {
                    for (var i = 0; i < n; i++)
                    {
                        if (buffer[i] == '\n')
                        {
                            var line = Encoding.UTF8.GetString(_partial.ToArray()).TrimEnd('\r');
                            _lines.Add(line);
                            _partial.SetLength(0);
                        }
                        else _partial.WriteByte(buffer[i]);
                    }
                }
            }
        }
        catch (SocketException) { }
        catch (ObjectDisposedException) { }
        Closed = true;
    }

    public void Dispose()
    {
        _socket.Dispose();
        _ = _pump;
    }
}
