using Sock.Interop.Tests.Infrastructure;

namespace Sock.Interop.Tests.Chat;

public class ChatTlsTests
{
    [Fact]
    public async Task TlsAndPlainShareOnePortAndOneRoom()
    {
        var ncat = Peers.Ncat;
        await using var server = await ChatServerProcess.StartAsync("--tls");
        var (plain, _) = await server.PlainAsync("cleartext");
        using var _p = plain;
        await using var tls = RunningProcess.Start(ncat, ["--ssl", "127.0.0.1", server.Port.ToString()]);
        await tls.WriteAsync("/nick secure\nover tls 你好\n");
        await plain.ExpectAsync("<secure> over tls 你好");
        await plain.SendAsync("back in clear\n");
        await tls.WaitForStdoutAsync("<cleartext> back in clear", TimeSpan.FromSeconds(10));
        Assert.Contains("欢迎('127.0.0.1', ", tls.Stdout);

        // IRC inside TLS too.
        await using var ircTls = RunningProcess.Start(ncat, ["--ssl", "127.0.0.1", server.Port.ToString()]);
        await ircTls.WriteAsync("NICK tlsirc\r\nUSER t 0 * :t\r\nJOIN #lobby\r\n");
        await ircTls.WaitForStdoutAsync(" 001 tlsirc ", TimeSpan.FromSeconds(10));
        await plain.ExpectAsync("* tlsirc joined #lobby");
    }
}
