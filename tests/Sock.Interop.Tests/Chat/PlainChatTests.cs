using System.Text;
using Sock.Interop.Tests.Infrastructure;

namespace Sock.Interop.Tests.Chat;

public class PlainChatTests
{
    [Fact]
    public async Task SilentClientIsWelcomedWithAddressAndGuestNickAndLinesReachOthersWithoutEcho()
    {
        await using var server = await ChatServerProcess.StartAsync();
        using var a = await server.ConnectAsync();
        var welcome = await a.ExpectAsync("欢迎", seconds: 3);
        var port = ((System.Net.IPEndPoint)a.Socket.LocalEndPoint!).Port;
        Assert.StartsWith($"欢迎('127.0.0.1', {port}) — you are guest-", welcome);
        var nick = welcome.Split(' ')[5].TrimEnd('.');
        using var b = await server.ConnectAsync();
        await b.ExpectAsync("* you joined #lobby (1 here: " + nick);
        await a.ExpectAsync(" joined #lobby");
        await b.SendAsync("hello there\n");
        var line = await a.ExpectAsync("hello there");
        Assert.Matches(@"^<guest-\d+> hello there$", line);
        await b.ExpectNoneAsync("hello there", 0.3);
    }

    [Fact]
    public async Task ArticleClientPyUnchangedExceptPortSendsWithoutNewline()
    {
        var python = Peers.Python3;
        await using var server = await ChatServerProcess.StartAsync();
        // The one copy of the article's script (indentation restored, port from argv[1]), shared with the pipe tests.
        var script = Path.Combine(Peers.RepoDir, "tests/Sock.Interop.Tests/Assets/Client.py");
        var (other, _) = await server.PlainAsync("watcher");
        await using var client = RunningProcess.Start(python, [script, server.Port.ToString()], environment: new Dictionary<string, string?> { ["PYTHONIOENCODING"] = "utf-8" });
        // Up to 15 s: this wait includes starting the Python interpreter, slow on a loaded machine.
        await other.ExpectAsync(" joined #lobby", 15);
        await client.WriteAsync("你好\n");
        var line = await other.ExpectAsync("你好", 5);
        Assert.Matches(@"^<guest-\d+> 你好$", line);
        await client.WaitForStdoutAsync("收到: 欢迎('127.0.0.1', ", TimeSpan.FromSeconds(5));
        await other.SendAsync("你好, Client.py\n");
        await client.WriteAsync("again\n");
        await client.WaitForStdoutAsync("<watcher> 你好, Client.py", TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task SlashCommandsAndCrlfReplies()
    {
        await using var server = await ChatServerProcess.StartAsync("--history", "5");
        var (a, _) = await server.PlainAsync("alice");
        var (b, _) = await server.PlainAsync("bob");
        using var _a = a;
        using var _b = b;
        await b.SendAsync("/nick alice\r\n");
        await b.ExpectAsync("* nick alice is already in use");
        await b.SendAsync("/nick 9bad\r\n");
        await b.ExpectAsync("* invalid nick 9bad");
        await b.SendAsync("/who\r\n");
        Assert.Contains("alice", await b.ExpectAsync("* #lobby (2): "));
        await b.SendAsync("/me waves\r\n");
        await a.ExpectAsync("* bob waves");
        await b.SendAsync("//slash at start\r\n");
        await a.ExpectAsync("<bob> /slash at start");
        await b.SendAsync("/msg alice psst\r\n");
        await a.ExpectAsync("*bob* psst");
        await b.ExpectAsync("-> *alice* psst");
        await b.SendAsync("/history 2\r\n");
        await b.ExpectAsync("<bob> * bob waves".Replace("<bob> ", "", StringComparison.Ordinal));
        await b.ExpectAsync("<bob> /slash at start");
        await b.SendAsync("/bogus\r\n");
        await b.ExpectAsync("* unknown command /bogus");
        await b.SendAsync("/join dev\r\n");
        await b.ExpectAsync("* you joined #dev");
        await a.ExpectAsync("* bob left #lobby");
        await b.SendAsync("/rooms\r\n");
        var rooms = await b.ExpectAsync("* rooms: ");
        Assert.Contains("#dev (1)", rooms);
        Assert.Contains("#lobby (1)", rooms);
        await b.SendAsync("/help\r\n");
        await b.ExpectAsync("* commands: ");
        // The client's lines end in CRLF, so the replies do too.
        Assert.DoesNotContain(b.Lines, l => l.EndsWith('\r'));
        await b.SendAsync("/quit bye\r\n");
        await b.WaitClosedAsync();
        await a.SendAsync("/join #dev\n");
        await a.ExpectAsync("* you joined #dev (nobody else here)");
    }

    [Fact]
    public async Task RepliesEndWithCrlfOnlyForCrlfClients()
    {
        await using var server = await ChatServerProcess.StartAsync();
        using var s = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        await s.ConnectAsync("127.0.0.1", server.Port, TestContext.Current.CancellationToken);
        await s.SendAsync("/who\r\n"u8.ToArray());
        var got = await ReadUntilAsync(s, "* #lobby");
        Assert.Contains("* #lobby (1): guest-", got);
        Assert.EndsWith("\r\n", got);
    }

    internal static async Task<string> ReadUntilAsync(System.Net.Sockets.Socket s, string text)
    {
        var sb = new StringBuilder();
        var buffer = new byte[4096];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        while (!(sb.ToString().Contains(text, StringComparison.Ordinal) && sb.ToString().EndsWith('\n')))
        {
            var n = await s.ReceiveAsync(buffer, cts.Token);
            if (n == 0) break;
            sb.Append(Encoding.UTF8.GetString(buffer, 0, n));
        }
        return sb.ToString();
    }

    [Fact]
    public async Task InvalidUtf8NulAndTelnetNegotiationAreCleanedUp()
    {
        await using var server = await ChatServerProcess.StartAsync();
        var (a, _) = await server.PlainAsync("reader");
        using var _a = a;
        using var b = await server.ConnectAsync();
        await b.ExpectAsync("欢迎");
        // IAC DO ECHO, IAC SB … IAC SE, then text with an invalid byte and a NUL.
        await b.SendAsync([255, 253, 1, 255, 250, 24, 1, 255, 240, .. "caf"u8, 0xE9, 0, .. " ok\n"u8]);
        var line = await a.ExpectAsync(" ok");
        Assert.EndsWith("> caf\uFFFD ok", line);
        await b.SendAsync("你好\n"u8.ToArray());
        Assert.EndsWith("> 你好", await a.ExpectAsync("你好"));
    }

    [Fact]
    public async Task NcAndNcatUsersChat()
    {
        var nc = Peers.Nc;
        var ncat = Peers.Ncat;
        await using var server = await ChatServerProcess.StartAsync();
        var (a, _) = await server.PlainAsync("hub");
        using var _a = a;
        await using var ncProc = RunningProcess.Start(nc, ["127.0.0.1", server.Port.ToString()]);
        await using var ncatProc = RunningProcess.Start(ncat, ["127.0.0.1", server.Port.ToString()]);
        await ncProc.WriteAsync("/nick ncuser\nfrom nc 你好\n");
        await ncatProc.WriteAsync("/nick ncatuser\nfrom ncat\n");
        await a.ExpectAsync("<ncuser> from nc 你好");
        await a.ExpectAsync("<ncatuser> from ncat");
        await a.SendAsync("hello both\n");
        await ncProc.WaitForStdoutAsync("<hub> hello both", TimeSpan.FromSeconds(5));
        await ncatProc.WaitForStdoutAsync("<hub> hello both", TimeSpan.FromSeconds(5));
        await ncProc.WaitForStdoutAsync("<ncatuser> from ncat", TimeSpan.FromSeconds(5));
        Assert.Contains("欢迎('127.0.0.1', ", ncProc.Stdout);
    }

    [Fact]
    public async Task FirstLineThatOnlyLooksLikeIrcStaysPlain()
    {
        await using var server = await ChatServerProcess.StartAsync();
        var (a, _) = await server.PlainAsync("listener");
        using var _a = a;
        using var b = await server.ConnectAsync();
        await b.SendAsync("pass me the salt\n");
        await b.ExpectAsync("欢迎");
        Assert.Matches(@"^<guest-\d+> pass me the salt$", await a.ExpectAsync("pass me the salt"));
    }

    [Fact]
    public async Task PasswordMakesPlainUsersLogIn()
    {
        await using var server = await ChatServerProcess.StartAsync("--password", "sesame");
        using var c = await server.ConnectAsync();
        await c.ExpectAsync("* this server needs a password: /login PASSWORD");
        await c.SendAsync("hello\n");
        await c.ExpectAsync("* wrong or missing password");
        await c.SendAsync("/login sesame\n");
        await c.ExpectAsync("* password accepted");
        await c.ExpectAsync("* you joined #lobby");
    }
}
