using System.Text;
using Sock.Interop.Tests.Chat;
using Sock.Interop.Tests.Infrastructure;

namespace Sock.Interop.Tests.Devices;

/// <summary>Devices of one account by hand: IRC connections that log in with SASL PLAIN as account@device, and `nc` plain users.</summary>
internal static class DevicesHarness
{
    public const string Room = "#devices";

    /// <summary>A server with accounts (--db) whose plain users start in <see cref="Room"/>.</summary>
    public static async Task<ChatServerProcess> ServeDevicesAsync(string db, params string[] extra) =>
        await Accounts.AccountsHarness.ServeAsync(db, ["--room", Room, .. extra]);

    /// <summary>
    /// An IRC connection asking for <paramref name="nick"/>, logged in with SASL PLAIN as <paramref name="login"/>
    /// (account@device) and these caps; returns once 001 came (or, with <paramref name="expect"/>, that line).
    /// </summary>
    public static async Task<LineClient> DeviceAsync(ChatServerProcess server, string nick, string login, string password, string caps = "", string expect = " 001 ")
    {
        var c = await server.ConnectAsync();
        await c.SendAsync($"CAP LS 302\r\nNICK {nick}\r\nUSER u 0 * :device {login}\r\nCAP REQ :{("sasl " + caps).Trim()}\r\n");
        await c.ExpectAsync(" ACK ");
        await c.SendAsync("AUTHENTICATE PLAIN\r\n");
        await c.ExpectAsync("AUTHENTICATE +");
        var account = login.Split('@')[0];
        await c.SendAsync("AUTHENTICATE " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{account}\0{login}\0{password}")) + "\r\n");
        var outcome = await c.ExpectAsync(" 90");
        if (outcome.Contains(" 900 ", StringComparison.Ordinal)) outcome = await c.ExpectAsync(" 90");
        Assert.True(outcome.Contains(" 903 ", StringComparison.Ordinal), "SASL failed: " + outcome);
        await c.SendAsync("CAP END\r\n");
        await c.ExpectAsync(expect);
        return c;
    }

    /// <summary>A plain user on `nc` (netcat-openbsd), talking through its stdin; what it prints is its stdout.</summary>
    public static RunningProcess Nc(ChatServerProcess server) =>
        RunningProcess.Start(Peers.Nc, ["-N", "127.0.0.1", server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);

    /// <summary>Lines of <paramref name="text"/> containing <paramref name="part"/>.</summary>
    public static int Count(string text, string part) => text.Split('\n').Count(l => l.Contains(part, StringComparison.Ordinal));

    /// <summary>The msgid tag of an IRC line.</summary>
    public static string MsgId(string line) =>
        line.StartsWith('@') ? line[1..line.IndexOf(' ', StringComparison.Ordinal)].Split(';').First(t => t.StartsWith("msgid=", StringComparison.Ordinal))[6..] : throw new InvalidOperationException("no tags: " + line);
}
