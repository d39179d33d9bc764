using System.Net.Security;
using System.Net.Sockets;
using Sock.Interop.Tests.Infrastructure;
using Sock.Interop.Tests.Pipes;
using Sock.Tls;

namespace Sock.Interop.Tests.Chat;

/// <summary>Running the server: --config, --check-config, SIGHUP reload, SIGTERM, --log-format json.</summary>
public class ChatOperatingTests
{
    private const int SIGHUP = 1, SIGTERM = 15;

    [Fact]
    public async Task ConfigFileSetsEveryFlagAndTheCommandLineOverridesIt()
    {
        using var dir = new TempDir();
        var config = dir.File("chat.json");
        File.WriteAllText(config, """
            {
              // comments and trailing commas are allowed
              "name": "from.config",
              "motd": "motd from the file",
              "oper": ["boss:pw", "other:pw2"],
              "history": 7,
            }
            """);
        await using var server = await ChatServerProcess.StartAsync("--config", config, "--motd", "motd from the flag");
        using var c = await server.ConnectAsync();
        await c.SendAsync("NICK a\r\nUSER a 0 * :a\r\n");
        // --name on the harness's command line wins over the file; the file's oper and history apply.
        await c.ExpectAsync(":test.local 001 a ");
        Assert.Contains("CHATHISTORY=7", await c.ExpectAsync("CHATHISTORY="));
        await c.ExpectAsync(":test.local 372 a :- motd from the flag");
        await c.SendAsync("OPER other pw2\r\n");
        await c.ExpectAsync(" 381 a ");
    }

    [Fact]
    public async Task CheckConfigSaysWhatIsWrongWithTheFile()
    {
        using var dir = new TempDir();
        var good = dir.File("good.json");
        File.WriteAllText(good, """{ "port": 6697, "oper": ["a:b"] }""");
        var (code, stdout, _) = await SockCli.RunAsync("chat", "serve", "--check-config", good);
        Assert.Equal(0, code);
        Assert.Contains("ok — port 6697", stdout);

        var typo = dir.File("typo.json");
        File.WriteAllText(typo, """{ "prot": 6697 }""");
        (code, _, var stderr) = await SockCli.RunAsync("chat", "serve", "--check-config", typo);
        Assert.Equal(2, code);
        Assert.Contains("unknown key \"prot\"", stderr);

        var broken = dir.File("broken.json");
        File.WriteAllText(broken, "{\n  \"port\": 6697\n  \"name\": \"x\"\n}");
        (code, _, stderr) = await SockCli.RunAsync("chat", "serve", "--check-config", broken);
        Assert.Equal(2, code);
        Assert.Contains("not valid JSON at line 3", stderr);

        var badValue = dir.File("bad.json");
        File.WriteAllText(badValue, """{ "oper": ["nocolon"] }""");
        (code, _, stderr) = await SockCli.RunAsync("chat", "serve", "--check-config", badValue);
        Assert.Equal(2, code);
        Assert.Contains("--oper: 'nocolon' must be NAME:PASSWORD", stderr);
        Assert.DoesNotContain("   at ", stderr); // one line, no stack trace
    }

    [Fact]
    public async Task SighupReloadsMotdOperatorsAndCertificateWhileChatGoesOn()
    {
        using var dir = new TempDir();
        var first = TestCertificate.Write(dir);
        var motd = dir.File("motd.txt");
        File.WriteAllText(motd, "old motd\n");
        var config = dir.File("chat.json");
        File.WriteAllText(config, $$"""{ "tls": true, "cert": "{{first.Cert}}", "key": "{{first.Key}}", "motd-file": "{{motd}}", "oper": ["boss:old"] }""");
        await using var server = await ChatServerProcess.StartAsync("--config", config);
        Assert.Equal(first.Fingerprint, await TlsFingerprintAsync(server.Port));

        using var talker = await server.IrcAsync("talker", "#room");
        using var listener = await server.IrcAsync("listener", "#room");
        var (plain, _) = await server.PlainAsync("plainuser");
        using var _p = plain;

        // A new certificate (same paths), a new MOTD and a new operator password, then SIGHUP while messages flow.
        using var other = new TempDir();
        var second = TestCertificate.Write(other);
        File.Copy(second.Cert, first.Cert, overwrite: true);
        File.Copy(second.Key, first.Key, overwrite: true);
        File.WriteAllText(motd, "new motd\n");
        File.WriteAllText(config, $$"""{ "tls": true, "cert": "{{first.Cert}}", "key": "{{first.Key}}", "motd-file": "{{motd}}", "oper": ["boss:new"] }""");
        var sending = Task.Run(async () =>
        {
            for (var i = 0; i < 200; i++) await talker.SendAsync($"PRIVMSG #room :line {i}\r\n");
        }, TestContext.Current.CancellationToken);
        server.Process.Signal(SIGHUP);
        await server.Process.WaitForStderrAsync("reloaded:", TimeSpan.FromSeconds(10));
        await sending;
        for (var i = 0; i < 200; i++) await listener.ExpectAsync($"PRIVMSG #room :line {i}");

        Assert.Equal(second.Fingerprint, await TlsFingerprintAsync(server.Port));
        await listener.SendAsync("MOTD\r\n");
        await listener.ExpectAsync(" 372 listener :- new motd");
        await listener.SendAsync("OPER boss old\r\n");
        await listener.ExpectAsync(" 464 listener ");
        await listener.SendAsync("OPER boss new\r\n");
        await listener.ExpectAsync(" 381 listener ");
        await listener.SendAsync("JOIN #lobby\r\n");
        await listener.ExpectAsync(" 366 listener #lobby ");
        await plain.SendAsync("still here\n");
        await listener.ExpectAsync("PRIVMSG #lobby :still here");
        Assert.False(talker.Closed || listener.Closed || plain.Closed);
    }

    [Fact]
    public async Task AReloadWithABrokenConfigKeepsTheRunningSettings()
    {
        using var dir = new TempDir();
        var config = dir.File("chat.json");
        File.WriteAllText(config, """{ "motd": "kept" }""");
        await using var server = await ChatServerProcess.StartAsync("--config", config);
        File.WriteAllText(config, """{ "motd": "kept", """);
        server.Process.Signal(SIGHUP);
        await server.Process.WaitForStderrAsync("reload failed, the running settings stay: config", TimeSpan.FromSeconds(10));
        using var c = await server.IrcAsync("a");
        await c.SendAsync("MOTD\r\n");
        await c.ExpectAsync(" 372 a :- kept");
    }

    [Fact]
    public async Task SigtermTellsEveryoneFlushesHistoryAndExitsZero()
    {
        using var dir = new TempDir();
        var db = dir.File("chat.db");
        int code;
        await using (var server = await ChatServerProcess.StartAsync("--db", db))
        {
            using var irc = await server.IrcAsync("ircuser", "#lobby");
            var (plain, _) = await server.PlainAsync("plainuser");
            using var _p = plain;
            for (var i = 0; i < 50; i++) await plain.SendAsync($"kept {i}\n");
            await irc.ExpectAsync("PRIVMSG #lobby :kept 49");
            server.Process.Signal(SIGTERM);
            await irc.ExpectAsync("NOTICE ircuser :Server shutting down");
            await irc.ExpectAsync("ERROR :Closing link: (ircuser@127.0.0.1) [Server shutting down]");
            await plain.ExpectAsync("Server shutting down");
            await irc.WaitClosedAsync();
            code = await server.Process.WaitForExitAsync(TimeSpan.FromSeconds(15));
        }
        Assert.Equal(0, code);
        await using var again = await ChatServerProcess.StartAsync("--db", db, "--history", "100");
        var (late, _) = await again.PlainAsync("late");
        using var _l = late;
        await late.SendAsync("/history 50\n");
        await late.ExpectAsync("<plainuser> kept 49");
    }

    [Fact]
    public async Task JsonLogsAreOneObjectPerLine()
    {
        await using var server = await ChatServerProcess.StartAsync("--log-format", "json");
        using var c = await server.IrcAsync("jsonlog");
        await server.Process.WaitForStderrAsync("jsonlog connected", TimeSpan.FromSeconds(10));
        var lines = server.Process.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(lines);
        foreach (var line in lines)
        {
            using var doc = System.Text.Json.JsonDocument.Parse(line);
            Assert.True(doc.RootElement.TryGetProperty("time", out _));
            Assert.True(doc.RootElement.TryGetProperty("message", out _));
        }
        Assert.Contains(lines, l => l.Contains("\"message\":\"jsonlog connected (irc, 127.0.0.1)\"", StringComparison.Ordinal));
    }

    /// <summary>The SHA-256 fingerprint of the certificate the server presents now.</summary>
    private static async Task<string> TlsFingerprintAsync(int port)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port, TestContext.Current.CancellationToken);
#pragma warning disable CA5359 // the test reads the certificate's fingerprint; it trusts nothing
        await using var ssl = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
#pragma warning restore CA5359
        await ssl.AuthenticateAsClientAsync("localhost");
        using var cert = new System.Security.Cryptography.X509Certificates.X509Certificate2(ssl.RemoteCertificate!);
        return TlsCertificates.Fingerprint(cert);
    }
}
