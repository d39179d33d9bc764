using System.Text;
using System.Text.RegularExpressions;
using Sock.Interop.Tests.Chat;
using Sock.Interop.Tests.Infrastructure;
using static Sock.Interop.Tests.Accounts.AccountsHarness;

namespace Sock.Interop.Tests.Accounts;

public class AccountsBruteForceTests
{
    /// <summary>
    /// 1,000 wrong passwords over several connections, half SASL PLAIN and half NickServ IDENTIFY.
    /// Backoff doubles after each checked failure, so only a handful are ever checked; the rest are
    /// refused unchecked. Meanwhile another user chats, and after the wait the right password works.
    /// </summary>
    [Fact]
    public async Task AThousandWrongPasswordsAreMostlyRefusedUncheckedAndOthersKeepChatting()
    {
        using var dir = new TempDir();
        var db = dir.File("chat.db");
        await AddAsync(db, "victim", "the-right-one");
        await using var server = await ServeAsync(db);
        using var a = await server.IrcAsync("chatter1", "#room");
        using var b = await server.IrcAsync("chatter2", "#room");

        var attackers = new List<LineClient>();
        for (var i = 0; i < 4; i++) attackers.Add(await server.IrcAsync("attacker" + i));
        var sasl = new List<LineClient>();
        for (var i = 0; i < 4; i++)
        {
            var c = await server.ConnectAsync();
            await c.SendAsync($"CAP REQ :sasl\r\nNICK sasl{i}\r\nUSER s 0 * :r\r\n");
            await c.ExpectAsync("ACK");
            sasl.Add(c);
        }
        try
        {
            const int perClient = 125;
            var plainPayload = (int n) => Convert.ToBase64String(Encoding.UTF8.GetBytes($"victim\0victim\0wrong{n}"));
            var sends = attackers.Select(async (c, i) =>
            {
                var text = new StringBuilder();
                for (var n = 0; n < perClient; n++) text.Append($"PRIVMSG NickServ :IDENTIFY victim wrong{i}-{n}\r\n");
                await c.SendAsync(text.ToString());
            }).Concat(sasl.Select(async (c, i) =>
            {
                var text = new StringBuilder();
                for (var n = 0; n < perClient; n++) text.Append($"AUTHENTICATE PLAIN\r\nAUTHENTICATE {plainPayload(n)}\r\n");
                await c.SendAsync(text.ToString());
            }));
            await Task.WhenAll(sends);

            // While the attempts are being answered, the room still works.
            await a.SendAsync("PRIVMSG #room :business as usual\r\n");
            await b.ExpectAsync("PRIVMSG #room :business as usual");

            var checkedFailures = 0;
            var refused = 0;
            foreach (var c in attackers)
                for (var n = 0; n < perClient; n++)
                {
                    var reply = await c.ExpectAsync(":NickServ!", seconds: 60);
                    if (reply.Contains("Too many failed attempts", StringComparison.Ordinal)) refused++;
                    else { Assert.Contains("Authentication failed", reply); checkedFailures++; }
                }
            foreach (var c in sasl)
                for (var n = 0; n < perClient; n++)
                {
                    var reply = await c.ExpectAsync(" 904 ", seconds: 60);
                    if (reply.Contains("Too many failed attempts", StringComparison.Ordinal)) refused++;
                    else { Assert.Contains("invalid account name or password", reply); checkedFailures++; }
                }
            Assert.Equal(1000, checkedFailures + refused);
            // Each checked failure past the free ones doubles the wait (1 s, 2 s, 4 s …): 30 checked
            // failures would need 2^26 s of attacking; in practice a handful are checked.
            Assert.InRange(checkedFailures, 3, 30);
            Assert.Contains("failed login for victim from 127.0.0.1", server.Process.Stderr);
            Assert.Contains("refused: backing off", server.Process.Stderr);

            await a.SendAsync("PRIVMSG #room :still fine\r\n");
            await b.ExpectAsync("PRIVMSG #room :still fine");

            // The right password is refused while the backoff holds, then accepted once it has passed.
            using var owner = await server.IrcAsync("victim");
            var early = await IdentifyAsync(owner, "victim", "the-right-one");
            var wait = Regex.Match(early, @"try again in (\d+) seconds");
            Assert.True(wait.Success, early);
            var seconds = int.Parse(wait.Groups[1].Value);
            Assert.InRange(seconds, 1, 300);
            await Task.Delay(TimeSpan.FromSeconds(seconds + 1), TestContext.Current.CancellationToken);
            Assert.Contains("You're now logged in as victim", await IdentifyAsync(owner, "victim", "the-right-one"));
        }
        finally
        {
            foreach (var c in attackers.Concat(sasl)) c.Dispose();
        }
    }
}
