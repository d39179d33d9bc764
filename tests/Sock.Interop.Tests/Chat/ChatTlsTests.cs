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

    [Fact]
    public async Task ListenAddsPortsAndATlsOnlyOneRefusesClearText()
    {
        var ncat = Peers.Ncat;
        int clear = FreePort.Tcp(), tlsOnly = FreePort.Tcp();
        // No --tls: the /tls listener turns TLS on by itself.
        await using var server = await ChatServerProcess.StartAsync("--listen", $"127.0.0.1:{clear}", "--listen", $"{tlsOnly}/tls");
        await server.Process.WaitForStderrAsync($"127.0.0.1:{tlsOnly}/tls (TLS only)", TimeSpan.FromSeconds(10));

        // The extra clear listener speaks every protocol, and its users share the rooms.
        var (main, _) = await server.PlainAsync("onmain");
        using var _m = main;
        using var extra = await LineClient.ConnectAsync(clear);
        await extra.SendAsync("NICK onextra\r\nUSER e 0 * :e\r\nJOIN #lobby\r\nPRIVMSG #lobby :from the extra port\r\n");
        await main.ExpectAsync("<onextra> from the extra port");

        // Clear text on the TLS-only port: one ERROR line that says what to do, then closed.
        using var wrong = await LineClient.ConnectAsync(tlsOnly);
        await wrong.SendAsync("NICK clear\r\nUSER c 0 * :c\r\n");
        Assert.Contains($"port {tlsOnly} takes TLS only", await wrong.ExpectAsync("ERROR :Closing link"));
        await wrong.WaitClosedAsync();

        // TLS there works, and the sts cap on the clear port names it.
        await using var secure = RunningProcess.Start(ncat, ["--ssl", "127.0.0.1", tlsOnly.ToString()]);
        await secure.WriteAsync("CAP LS 302\r\nNICK secure\r\nUSER s 0 * :s\r\nCAP END\r\nJOIN #lobby\r\n");
        await secure.WaitForStdoutAsync(" 001 secure ", TimeSpan.FromSeconds(10));
        await main.ExpectAsync("* secure joined #lobby");
        using var caps = await server.ConnectAsync();
        await caps.SendAsync("CAP LS 302\r\n");
        Assert.Contains($"sts=port={tlsOnly}", await caps.ExpectAsync(" sts="));
    }

    [Fact]
    public async Task ListenRejectsWhatIsNotAnAddress()
    {
        var run = await SockCli.RunAsync(["chat", "serve", "--port", "0", "--listen", "localhost:70000"]);
        Assert.Equal(2, run.Code);
        Assert.Contains("--listen 'localhost:70000': 'localhost' is not an IP address", run.Stderr);
    }
}
