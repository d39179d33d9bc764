using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Sock.Interop.Tests.ChatClient;

/// <summary>
/// The test plays an IRC server over a real socket, to send exactly the lines a case needs (bad
/// ones included) and to see exactly what `sock chat join` answers.
/// </summary>
internal sealed class RawIrcServer : IAsyncDisposable
{
    private static readonly TimeSpan Wait = ChatProcess.Wait;
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly StringBuilder _received = new();
    private Socket? _client;

    public RawIrcServer() => _listener.Start();

    public string Address => $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>Everything the client has sent so far.</summary>
    public string Received => _received.ToString();

    /// <summary>A token that cancels after <see cref="ChatProcess.Wait"/>, so no accept can hang the run.</summary>
    public static CancellationToken Bounded()
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(Wait);
        return cts.Token;
    }

    /// <summary>Accepts the client and registers it as "alice" in #lobby.</summary>
    public async Task RegisterAsync()
    {
        _client = await _listener.AcceptSocketAsync(Bounded());
        await ReadUntilAsync("USER ");
        await SendAsync(":srv 001 alice :Welcome\r\n:srv 005 alice NICKLEN=30 :are supported\r\n:srv 422 alice :MOTD File is missing\r\n");
        await ReadUntilAsync("JOIN #lobby");
        await SendAsync(":alice!a@h JOIN #lobby\r\n");
    }

    /// <summary>Starts `sock chat join --plain` as alice against this server and registers it.</summary>
    public async Task<Infrastructure.RunningProcess> JoinAliceAsync(Infrastructure.TempDir home)
    {
        var alice = ChatProcess.Plain(Address, "alice", home);
        try
        {
            await RegisterAsync();
            await alice.WaitForStdoutAsync("you joined #lobby", Wait);
            return alice;
        }
        catch
        {
            await alice.DisposeAsync(); // no process outlives a failed start
            throw;
        }
    }

    public Task SendAsync(string text) => SendAsync(Encoding.UTF8.GetBytes(text));

    public async Task SendAsync(byte[] bytes) => await _client!.SendAsync(bytes, SocketFlags.None);

    public async Task ReadUntilAsync(string text)
    {
        var buffer = new byte[4096];
        using var cts = new CancellationTokenSource(Wait);
        while (!_received.ToString().Contains(text, StringComparison.Ordinal))
        {
            var n = await _client!.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
            if (n == 0) throw new IOException($"client closed before sending '{text}'; got: {_received}");
            _received.Append(Encoding.UTF8.GetString(buffer, 0, n));
        }
    }

    public async ValueTask DisposeAsync()
    {
        _client?.Dispose();
        _listener.Stop();
        await Task.CompletedTask;
    }
}
