using Sock.Interop.Tests.Chat;
using Sock.Interop.Tests.ChatClient;
using Sock.Interop.Tests.Infrastructure;
using static Sock.Interop.Tests.Accounts.AccountsHarness;

namespace Sock.Interop.Tests.Accounts;

/// <summary>The IRC clients people use, logging in as they are configured to: irssi in tmux, WeeChat headless.</summary>
public class AccountsClientTests
{
    /// <summary>Whether <paramref name="nick"/> is logged in to <paramref name="account"/>, asked by another user (WHOIS 330).</summary>
    private static async Task ExpectLoggedInAsync(ChatServerProcess server, string nick, string account)
    {
        using var watcher = await server.IrcAsync("w" + Guid.NewGuid().ToString("N")[..8]);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            await watcher.SendAsync($"WHOIS {nick}\r\n");
            var end = await watcher.ExpectAsync(" 318 ");
            if (watcher.Lines.Any(l => l.Contains($" 330 ", StringComparison.Ordinal) && l.Contains($" {nick} {account} ", StringComparison.Ordinal))) return;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{nick} never logged in as {account}:\n{watcher.All}");
            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task IrssiLogsInWithSaslPlain()
    {
        Peers.Require("irssi", "irssi");
        using var dir = new TempDir();
        var db = dir.File("chat.db");
        await using var server = await ServeAsync(db);
        await AddAsync(db, "irssiacct", "irssi-password");
        using var home = new TempDir();
        await using var tmux = await Tmux.StartAsync($"irssi --home={home.Path} -n irssinick", width: 200, height: 50);
        await tmux.WaitForAsync("Irssi v");
        await tmux.TypeAsync("/network add -sasl_mechanism PLAIN -sasl_username irssiacct -sasl_password irssi-password sockt");
        await tmux.KeysAsync("Enter");
        await tmux.TypeAsync($"/server add -network sockt 127.0.0.1 {server.Port}");
        await tmux.KeysAsync("Enter");
        await tmux.TypeAsync("/connect sockt");
        await tmux.KeysAsync("Enter");
        await tmux.WaitForAsync("SASL authentication succeeded", TimeSpan.FromSeconds(20)); // irssi's own words for 903
        await ExpectLoggedInAsync(server, "irssinick", "irssiacct");
    }

    [Fact]
    public async Task IrssiRegistersThroughNickServ()
    {
        Peers.Require("irssi", "irssi");
        using var dir = new TempDir();
        await using var server = await ServeAsync(dir.File("chat.db"));
        using var home = new TempDir();
        await using var tmux = await Tmux.StartAsync($"irssi --home={home.Path} -c 127.0.0.1 -p {server.Port} -n irssireg", width: 200, height: 50);
        await tmux.WaitForAsync("Welcome to sock chat", TimeSpan.FromSeconds(20));
        await tmux.TypeAsync("/msg NickServ REGISTER secret-irssi");
        await tmux.KeysAsync("Enter");
        // NickServ's notices go to the query window /msg opened (window 2).
        await tmux.TypeAsync("/window 2");
        await tmux.KeysAsync("Enter");
        await tmux.WaitForAsync("Account created");
        await tmux.WaitForAsync("You're now logged in as irssireg");
        await ExpectLoggedInAsync(server, "irssireg", "irssireg");
        var list = await SockAsync("", "chat", "accounts", "list", "--db", dir.File("chat.db"));
        Assert.StartsWith("irssireg\t", list.Stdout);
    }

    [Fact]
    public async Task WeechatLogsInWithSaslScramSha256()
    {
        var weechat = Peers.Require("weechat-headless", "weechat-headless");
        using var dir = new TempDir();
        var db = dir.File("chat.db");
        await using var server = await ServeAsync(db);
        await AddAsync(db, "weeacct", "wee-pässword");
        using var home = new TempDir();
        var commands = string.Join(';',
            $"/server add sockt 127.0.0.1/{server.Port}",
            "/set irc.server.sockt.tls off",
            "/set irc.server.sockt.nicks weenick",
            "/set irc.server.sockt.sasl_mechanism scram-sha-256",
            "/set irc.server.sockt.sasl_username weeacct",
            "/set irc.server.sockt.sasl_password wee-pässword",
            "/set irc.server.sockt.sasl_fail disconnect",
            "/connect sockt");
        await using var wee = RunningProcess.Start(weechat, ["--dir", home.Path, "--stdout", "-r", commands]);
        await ExpectLoggedInAsync(server, "weenick", "weeacct");
    }
}
