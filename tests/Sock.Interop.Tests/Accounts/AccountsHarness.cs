using System.Text;
using Sock.Interop.Tests.Chat;
using Sock.Interop.Tests.Infrastructure;

namespace Sock.Interop.Tests.Accounts;

/// <summary>Servers with a --db, the `sock chat accounts` CLI fed on stdin, and IRC logins by hand.</summary>
internal static class AccountsHarness
{
    /// <summary>RFC 7677's minimum count keeps each check cheap; the code path is the same as the default's.</summary>
    public const string Iterations = "4096";

    public static Task<ChatServerProcess> ServeAsync(string db, params string[] extra) =>
        ChatServerProcess.StartAsync(["--db", db, "--password-iterations", Iterations, .. extra]);

    /// <summary>Runs `sock ARGS` with <paramref name="stdin"/> as its input (how scripts pass a password).</summary>
    public static async Task<(int Code, string Stdout, string Stderr)> SockAsync(string stdin, params string[] args)
    {
        await using var p = SockCli.Start(args);
        await p.WriteAsync(stdin);
        p.CloseStdin();
        var code = await p.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return (code, p.Stdout, p.Stderr);
    }

    public static async Task AddAsync(string db, string name, string password)
    {
        var (code, stdout, stderr) = await SockAsync(password + "\n", "chat", "accounts", "add", name, "--db", db, "--iterations", Iterations);
        Assert.True(code == 0, $"accounts add {name}: {code} {stderr}");
        Assert.Equal($"account {name}: created\n", stdout);
    }

    /// <summary>An IRC client that asks NickServ to IDENTIFY; returns NickServ's reply.</summary>
    public static async Task<string> IdentifyAsync(LineClient c, string account, string password)
    {
        await c.SendAsync($"PRIVMSG NickServ :IDENTIFY {account} {password}\r\n");
        return await c.ExpectAsync(":NickServ!");
    }

    /// <summary>SASL PLAIN by hand before registration; returns the 903/904 line.</summary>
    public static async Task<string> SaslPlainAsync(ChatServerProcess server, LineClient c, string nick, string account, string password)
    {
        await c.SendAsync($"CAP LS 302\r\nNICK {nick}\r\nUSER {nick} 0 * :r\r\nCAP REQ :sasl\r\n");
        await c.ExpectAsync("ACK");
        await c.SendAsync("AUTHENTICATE PLAIN\r\n");
        await c.ExpectAsync("AUTHENTICATE +");
        await c.SendAsync("AUTHENTICATE " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{account}\0{account}\0{password}")) + "\r\n");
        var outcome = await c.ExpectAsync(" 90");
        if (outcome.Contains(" 900 ", StringComparison.Ordinal)) outcome = await c.ExpectAsync(" 90");
        return outcome;
    }
}
