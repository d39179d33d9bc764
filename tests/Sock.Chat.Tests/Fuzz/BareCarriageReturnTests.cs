using System.Net;
using System.Net.Sockets;
using System.Text;
using Sock.Chat;

namespace Sock.Tests.Fuzz;

/// <summary>
/// Found by the irc-message fuzz harness (fuzz/): a CR inside a received line (not the one before
/// LF) was kept and relayed in the message text, so a client that ends lines at CR would read the
/// rest as a separate line from the server. Every protocol decodes lines in one place; it drops CR.
/// </summary>
public class BareCarriageReturnTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    [Fact]
    public void DecodeDropsCarriageReturnsAndNuls()
    {
        Assert.Equal("hi:evil KILL you", ChatConnection.Decode("hi\r:evil KILL\0 you"u8));
        Assert.Equal("PRIVMSG #a :x", ChatConnection.Decode("PRIVMSG #a :x\r"u8));
        Assert.Equal("plain text", ChatConnection.Decode("plain text"u8));
    }

    [Fact]
    public async Task AnIrcMessageWithABareCrReachesTheRoomWithoutIt()
    {
        await using var server = ChatServer.Start(new ChatServerOptions { BindAddress = IPAddress.Loopback, Port = 0, ServerName = "t" });
        using var stop = new CancellationTokenSource();
        var run = server.RunAsync(stop.Token);
        using var timeout = new CancellationTokenSource(Bound);
        using var bob = await IrcClient.ConnectAsync(server.LocalEndPoint.Port, "bob", "#r", timeout.Token);
        using var eve = await IrcClient.ConnectAsync(server.LocalEndPoint.Port, "eve", "#r", timeout.Token);
        await eve.SendAsync("PRIVMSG #r :hi\r:t KILL bob :gone\r\n", timeout.Token);
        var line = await bob.ReadUntilAsync(l => l.Contains(" PRIVMSG #r ", StringComparison.Ordinal), timeout.Token);
        Assert.Equal(":eve!eve@127.0.0.1 PRIVMSG #r :hi:t KILL bob :gone", line);
        await stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task APlainLineWithABareCrReachesIrcMembersWithoutIt()
    {
        await using var server = ChatServer.Start(new ChatServerOptions { BindAddress = IPAddress.Loopback, Port = 0, ServerName = "t", DefaultRoom = "#r" });
        using var stop = new CancellationTokenSource();
        var run = server.RunAsync(stop.Token);
        using var timeout = new CancellationTokenSource(Bound);
        using var bob = await IrcClient.ConnectAsync(server.LocalEndPoint.Port, "bob", "#r", timeout.Token);
        using var plain = await IrcClient.ConnectRawAsync(server.LocalEndPoint.Port, timeout.Token);
        await plain.ReadUntilAsync(l => l.StartsWith("* you joined #r", StringComparison.Ordinal), timeout.Token);
        await plain.SendAsync("one\rtwo\n", timeout.Token);
        var line = await bob.ReadUntilAsync(l => l.Contains(" PRIVMSG #r ", StringComparison.Ordinal), timeout.Token);
        Assert.EndsWith(" PRIVMSG #r :onetwo", line);
        await stop.CancelAsync();
        await run;
    }

    /// <summary>A line-at-a-time client on a real loopback socket; lines are returned without CRLF.</summary>
    private sealed class IrcClient : IDisposable
    {
        private readonly TcpClient _tcp;
        private readonly NetworkStream _stream;
        private readonly List<byte> _pending = [];

        private IrcClient(TcpClient tcp)
        {
            _tcp = tcp;
            _stream = tcp.GetStream();
        }

        public static async Task<IrcClient> ConnectRawAsync(int port, CancellationToken ct)
        {
            var tcp = new TcpClient();
            await tcp.ConnectAsync(IPAddress.Loopback, port, ct);
            return new IrcClient(tcp);
        }

        public static async Task<IrcClient> ConnectAsync(int port, string nick, string room, CancellationToken ct)
        {
            var c = await ConnectRawAsync(port, ct);
            await c.SendAsync($"NICK {nick}\r\nUSER {nick} 0 * :{nick}\r\n", ct);
            await c.ReadUntilAsync(l => l.Contains(" 001 ", StringComparison.Ordinal), ct);
            await c.SendAsync($"JOIN {room}\r\n", ct);
            await c.ReadUntilAsync(l => l.Contains(" 366 ", StringComparison.Ordinal), ct);
            return c;
        }

        public async Task SendAsync(string text, CancellationToken ct) => await _stream.WriteAsync(Encoding.UTF8.GetBytes(text), ct);

        /// <summary>The first line (split at LF only, so a stray CR would show) that matches.</summary>
        public async Task<string> ReadUntilAsync(Func<string, bool> match, CancellationToken ct)
        {
            var buffer = new byte[4096];
            while (true)
            {
                int nl;
                while ((nl = _pending.IndexOf((byte)'\n')) >= 0)
                {
                    var line = Encoding.UTF8.GetString([.. _pending.Take(nl)]);
                    _pending.RemoveRange(0, nl + 1);
                    if (line.EndsWith('\r')) line = line[..^1];
                    if (match(line)) return line;
                }
                var n = await _stream.ReadAsync(buffer, ct);
                if (n == 0) throw new EndOfStreamException("the server closed the connection");
                _pending.AddRange(buffer.AsSpan(0, n));
            }
        }

        public void Dispose() => _tcp.Dispose();
    }
}
