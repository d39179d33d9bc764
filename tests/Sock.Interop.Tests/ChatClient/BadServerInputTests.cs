using System.Net;
using System.Net.Sockets;
using System.Text;
using Sock.Interop.Tests.Infrastructure;

namespace Sock.Interop.Tests.ChatClient;

/// <summary>
/// A hostile or broken server: the test itself plays the server over a real socket (the peer
/// under test here is bad server input), and `sock chat join --plain` must show or ignore each
/// line without crashing, and refuse bad DCC offers with a clear reason.
/// </summary>
public sealed class BadServerInputTests
{
    private static readonly TimeSpan Wait = ChatProcess.Wait;
    private static CancellationToken Bounded() => RawIrcServer.Bounded();

    [Fact]
    public async Task Malformed_overlong_invalid_utf8_and_unknown_lines_never_crash_the_client()
    {
        await using var server = new RawIrcServer();
        using var home = new TempDir();
        await using var alice = await server.JoinAliceAsync(home);

        await server.SendAsync(
            ":only.source\r\n@tag=only\r\n\r\n   \r\nPRIVMSG\r\n:x!y@z PRIVMSG #lobby\r\n:x!y@z JOIN\r\n"
            + ":srv 353 alice\r\n:srv 366 alice\r\n:srv 352\r\n:x!y@z KICK\r\n:x!y@z NICK\r\n"
            + ":srv 999 alice some :unknown numeric text\r\n"
            + ":srv FROBNICATE a b :c\r\n"
            + ":x!y@z PRIVMSG alice :\u0001\u0001\r\n:x!y@z PRIVMSG alice :\u0001DCC\u0001\r\n"
            + ":x!y@z PRIVMSG #lobby :\u001b[2Jno escape\r\n"
            + "@time=not-a-time :x!y@z PRIVMSG #lobby :bad tag ok\r\n");
        await server.SendAsync(Encoding.ASCII.GetBytes(":x!y@z PRIVMSG #lobby :" + new string('A', 40_000) + "\r\n"));
        await server.SendAsync([.. Encoding.ASCII.GetBytes(":x!y@z PRIVMSG #lobby :bad "), 0xff, 0xfe, 0xc3, .. Encoding.ASCII.GetBytes(" bytes\r\n")]);
        await server.SendAsync(":x!y@z PRIVMSG #lobby :still alive\r\n");

        await alice.WaitForStdoutAsync("<x> still alive", Wait);
        var output = alice.Stdout;
        Assert.Contains("some unknown numeric text", output);
        Assert.Contains("FROBNICATE a b c", output);
        Assert.Contains("over 16384 bytes", output);
        Assert.Contains("<x> bad \uFFFD\uFFFD\uFFFD bytes", output);
        Assert.Contains("<x> [2Jno escape", output); // the escape byte itself is stripped
        Assert.DoesNotContain("\u001b", output);
        Assert.Contains("<x> bad tag ok", output);
        Assert.DoesNotContain("Exception", output + alice.Stderr);

        await alice.WriteAsync("/quit\n");
        await server.ReadUntilAsync("QUIT");
        await server.DisposeAsync();
        Assert.Equal(0, await alice.WaitForExitAsync(Wait));
    }

    [Fact]
    public async Task Bad_dcc_offers_are_refused_with_a_clear_reason()
    {
        await using var server = new RawIrcServer();
        using var home = new TempDir();
        await using var alice = await server.JoinAliceAsync(home);
        const string loopback = "2130706433"; // 127.0.0.1 as DCC writes it

        // A path in the name, absolute or relative, is refused before anyone can accept it.
        await server.SendAsync($":mallory!m@h PRIVMSG alice :\u0001DCC SEND ../../etc/passwd {loopback} 5000 10\u0001\r\n");
        await alice.WaitForStdoutAsync("refused a DCC offer from mallory: the file name '../../etc/passwd' contains a path", Wait);
        await server.SendAsync($":mallory!m@h PRIVMSG alice :\u0001DCC SEND \"/tmp/evil\" {loopback} 5000 10\u0001\r\n");
        await alice.WaitForStdoutAsync("the file name '/tmp/evil' contains a path", Wait);
        await server.SendAsync($":mallory!m@h PRIVMSG alice :\u0001DCC SEND ..\u2215etc {loopback} 5000 10\u0001\r\n");
        await alice.WaitForStdoutAsync("look-alike '/' character", Wait); // the transfer engine's SafePaths rules
        await server.SendAsync($":mallory!m@h PRIVMSG alice :\u0001DCC SEND x.bin {loopback} 0 10\u0001\r\n");
        await alice.WaitForStdoutAsync("port 0 without a passive DCC token", Wait);
        await server.SendAsync($":mallory!m@h PRIVMSG alice :\u0001DCC SEND x.bin notanaddress 5000 10\u0001\r\n");
        await alice.WaitForStdoutAsync("bad address 'notanaddress'", Wait);

        // A port nobody listens on: the accept reports the refusal.
        using var refusing = FreePort.Refusing(out var closedPort);
        await server.SendAsync($":mallory!m@h PRIVMSG alice :\u0001DCC SEND refused.bin {loopback} {closedPort} 10\u0001\r\n");
        await alice.WaitForStdoutAsync("mallory offers 'refused.bin'", Wait);
        await alice.WriteAsync("/accept mallory\n");
        await alice.WaitForStdoutAsync($"connect 127.0.0.1:{closedPort}: connection refused (ECONNREFUSED)", Wait);

        // A size that lies: 10 announced, 100 sent. The file is refused and nothing is left behind.
        using var liar = new TcpListener(IPAddress.Loopback, 0);
        liar.Start();
        var liarPort = ((IPEndPoint)liar.LocalEndpoint).Port;
        await server.SendAsync($":mallory!m@h PRIVMSG alice :\u0001DCC SEND lie.bin {loopback} {liarPort} 10\u0001\r\n");
        await alice.WaitForStdoutAsync("mallory offers 'lie.bin' (10 bytes)", Wait);
        await alice.WriteAsync("/accept\n");
        using (var s = await liar.AcceptSocketAsync(Bounded()))
        {
            await s.SendAsync(new byte[100], SocketFlags.None);
            await alice.WaitForStdoutAsync("sent more than the 10 bytes it announced", Wait);
        }
        Assert.Empty(Directory.GetFiles(home.Path, "lie*"));

        // Fewer bytes than announced: kept as .part, not renamed, and said so.
        await server.SendAsync($":mallory!m@h PRIVMSG alice :\u0001DCC SEND short.bin {loopback} {liarPort} 100\u0001\r\n");
        await alice.WaitForStdoutAsync("mallory offers 'short.bin'", Wait);
        await alice.WriteAsync("/accept mallory\n");
        using (var s = await liar.AcceptSocketAsync(Bounded()))
        {
            await s.SendAsync(new byte[10], SocketFlags.None);
            s.Shutdown(SocketShutdown.Send);
            await alice.WaitForStdoutAsync("closed after 10 of 100 bytes", Wait);
        }
        Assert.True(File.Exists(home.File("short.bin.part")));
        Assert.False(File.Exists(home.File("short.bin")));

        await alice.WriteAsync("/reject\n");
        await alice.WaitForStdoutAsync("no file offer is waiting", Wait);
        alice.CloseStdin();
        await server.ReadUntilAsync("QUIT");
        await server.DisposeAsync();
        Assert.Equal(0, await alice.WaitForExitAsync(Wait));
    }
}
