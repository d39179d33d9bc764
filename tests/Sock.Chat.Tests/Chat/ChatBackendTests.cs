using System.Net;
using System.Net.Sockets;
using Sock.Chat;

namespace Sock.Chat.Tests.Chat;

/// <summary>A server is given its backend; it owns it from then on (disposes it, also when it cannot bind).</summary>
public sealed class ChatBackendTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sock-backend-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static ChatServerOptions Options(int port = 0) => new() { BindAddress = IPAddress.Loopback, Port = port, ServerName = "t" };

    [Fact]
    public async Task SqliteBackendKeepsHistoryAcrossServers()
    {
        var db = Path.Combine(_dir, "chat.db");
        await using (var server = await ChatServer.StartAsync(Options(), SqliteChatBackend.Open(db, 50)))
        {
            Assert.IsType<SqliteChatBackend>(server.Backend);
            Assert.True(server.Healthy);
            server.Hub.History.Append("#r", new ChatEvent { Kind = ChatEventKind.Message, From = "ann", FromPrefix = "ann!ann@h", Target = "#r", Text = "kept", Sequence = 1, MsgId = "m1" });
        }
        await using (var again = await ChatServer.StartAsync(Options(), SqliteChatBackend.Open(db, 50)))
        {
            Assert.Contains(again.Hub.History.Recent("#r", 10), e => e.Text == "kept" && e.MsgId == "m1");
        }
    }

    [Fact]
    public void OptionsNamingADatabaseNeedItsBackend()
    {
        var e = Assert.Throws<ArgumentException>(() => ChatServer.Start(Options() with { DatabasePath = Path.Combine(_dir, "x.db") }));
        Assert.Contains("SqliteChatBackend", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ABindFailureDisposesTheBackend()
    {
        using var taken = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        taken.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        taken.Listen();
        var db = Path.Combine(_dir, "bind.db");
        var backend = SqliteChatBackend.Open(db, 50);
        await Assert.ThrowsAsync<SockException>(async () => await ChatServer.StartAsync(Options(((IPEndPoint)taken.LocalEndPoint!).Port), backend));
        // Disposed: the file can be opened again and written at once (no lock left behind).
        await using var reopened = SqliteChatBackend.Open(db, 50);
        Assert.True(reopened.Healthy);
    }
}
