using Sock.Interop.Tests.Chat;
using Sock.Interop.Tests.Infrastructure;
using static Sock.Interop.Tests.Accounts.AccountsHarness;
using static Sock.Interop.Tests.Devices.DevicesHarness;

namespace Sock.Interop.Tests.Devices;

/// <summary>
/// Multiclient: two IRC connections of one account (SASL account@device) share its nick and presence;
/// an `nc` plain user sees one member. Each device keeps its own caps.
/// </summary>
public class MulticlientTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task TwoDevicesAreOneMemberToOthersAndEachSeesWhatTheOtherDoes()
    {
        using var dir = new TempDir();
        var db = dir.File("chat.db");
        await using var server = await ServeDevicesAsync(db);
        await AddAsync(db, "alice", "alice-password");

        await using var bob = Nc(server);
        await bob.WriteAsync("/nick bob\n");
        await bob.WaitForStdoutAsync("you are now known as bob", Wait);
        // The laptop: echo-message and tags; the phone: tags but no echo-message.
        using var laptop = await DeviceAsync(server, "alice", "alice@laptop", "alice-password", "message-tags server-time echo-message");
        await laptop.SendAsync($"JOIN {Room}\r\n");
        await laptop.ExpectAsync($" 366 alice {Room} ");
        await bob.WaitForStdoutAsync($"* alice joined {Room}", Wait);

        // The phone asks for the nick alice holds: it attaches to her instead of a 433.
        using var phone = await DeviceAsync(server, "alice", "alice@phone", "alice-password", "message-tags");
        Assert.Contains(" 001 alice ", phone.All);
        Assert.DoesNotContain(" 433 ", phone.All);
        await phone.ExpectAsync($":alice!u@127.0.0.1 JOIN {Room}");
        var names = await phone.ExpectAsync($" 353 alice = {Room} ");
        Assert.Equal(1, names[(names.IndexOf(" :", StringComparison.Ordinal) + 2)..].Split(' ').Count(w => w.TrimStart('@', '+') == "alice"));
        await phone.ExpectAsync($" 366 alice {Room} ");

        // bob sees one alice: no second join, one member in /who, one in WHOIS.
        await bob.WriteAsync($"/who {Room}\n");
        await bob.WaitForStdoutAsync($"* {Room} (2): ", Wait);
        var who = bob.Stdout.Split('\n').Last(l => l.StartsWith($"* {Room} (", StringComparison.Ordinal));
        Assert.Equal(1, Count(who.Replace(", ", "\n", StringComparison.Ordinal), "alice"));
        Assert.Equal(1, Count(bob.Stdout, "alice joined"));

        // A message from the laptop: on the phone once (as an echo, with the same msgid), echoed on the laptop, to bob once.
        await laptop.SendAsync($"PRIVMSG {Room} :hello from the laptop\r\n");
        var echoed = await laptop.ExpectAsync("hello from the laptop");
        var onPhone = await phone.ExpectAsync("hello from the laptop");
        Assert.StartsWith("@", onPhone);
        Assert.Equal(MsgId(echoed), MsgId(onPhone));
        Assert.Contains($":alice!u@127.0.0.1 PRIVMSG {Room} :hello from the laptop", onPhone);
        await bob.WaitForStdoutAsync("<alice> hello from the laptop", Wait);

        // From the phone (no echo-message): not echoed to itself, on the laptop once.
        await phone.SendAsync($"PRIVMSG {Room} :hello from the phone\r\n");
        await laptop.ExpectAsync("hello from the phone");
        await bob.WaitForStdoutAsync("<alice> hello from the phone", Wait);
        await phone.ExpectNoneAsync("hello from the phone");

        // JOIN from the phone joins the laptop too; bob's private message reaches both.
        await phone.SendAsync("JOIN #second\r\n");
        await phone.ExpectAsync(" 366 alice #second ");
        await laptop.ExpectAsync(":alice!u@127.0.0.1 JOIN #second");
        await laptop.ExpectAsync(" 366 alice #second ");
        await bob.WriteAsync("/msg alice for all your devices\n");
        await laptop.ExpectAsync("PRIVMSG alice :for all your devices");
        await phone.ExpectAsync("PRIVMSG alice :for all your devices");

        // AWAY from the laptop is alice's: bob's WHOIS says so.
        await laptop.SendAsync("AWAY :at lunch\r\n");
        await laptop.ExpectAsync(" 306 ");
        await bob.WriteAsync("/whois alice\n");
        await bob.WaitForStdoutAsync("* alice is away: at lunch", Wait);

        // NickServ CLIENTS LIST names both devices; its answer goes to the asker only.
        await laptop.SendAsync("PRIVMSG NickServ :CLIENTS LIST\r\n");
        await laptop.ExpectAsync("is connected on 2 device(s)");
        await laptop.ExpectAsync("laptop: 127.0.0.1 (irc)");
        await laptop.ExpectAsync("phone: 127.0.0.1 (irc)");
        await phone.ExpectNoneAsync("device(s)");
        Assert.DoesNotContain(phone.Lines, l => l.Contains("CLIENTS LIST", StringComparison.Ordinal));

        // The phone leaves: bob sees nothing, alice is still there.
        await phone.SendAsync("QUIT :bye\r\n");
        await phone.WaitClosedAsync();
        await laptop.SendAsync($"PRIVMSG {Room} :still here\r\n");
        await bob.WaitForStdoutAsync("<alice> still here", Wait);
        Assert.DoesNotContain("alice quit", bob.Stdout);
        await laptop.SendAsync("QUIT :done\r\n");
        await bob.WaitForStdoutAsync("* alice quit (Quit: done)", Wait);
        Assert.Equal(1, Count(bob.Stdout, "alice quit"));
    }

    [Fact]
    public async Task NickServClientsLogoutEndsOneDeviceOrAll()
    {
        using var dir = new TempDir();
        var db = dir.File("chat.db");
        await using var server = await ServeDevicesAsync(db);
        await AddAsync(db, "carol", "carol-password");
        using var desk = await DeviceAsync(server, "carol", "carol@desk", "carol-password");
        await desk.SendAsync($"JOIN {Room}\r\n");
        await desk.ExpectAsync(" 366 ");
        using var tablet = await DeviceAsync(server, "carol", "carol@tablet", "carol-password");
        using var watcher = await server.IrcAsync("dave", Room);

        // A device that is not there: a clear notice, nothing ended.
        await desk.SendAsync("PRIVMSG NickServ :CLIENTS LOGOUT ghost\r\n");
        await desk.ExpectAsync("No device named ghost is connected");
        await desk.SendAsync("PRIVMSG NickServ :CLIENTS LOGOUT tab\u0001let\r\n");
        await desk.ExpectAsync("Invalid device name");
        Assert.False(tablet.Closed);

        await desk.SendAsync("PRIVMSG NickServ :CLIENTS LOGOUT tablet\r\n");
        await desk.ExpectAsync("Logging out device tablet");
        await tablet.ExpectAsync("ERROR :Closing link");
        await tablet.WaitClosedAsync();
        await watcher.ExpectNoneAsync(" QUIT ");
        await desk.SendAsync("PRIVMSG NickServ :CLIENTS LIST\r\n");
        await desk.ExpectAsync("is connected on 1 device(s)");

        await desk.SendAsync("PRIVMSG NickServ :CLIENTS LOGOUT all\r\n");
        await desk.WaitClosedAsync();
        await watcher.ExpectAsync(":carol!u@127.0.0.1 QUIT :Logged out by device desk");
    }

    [Fact]
    public async Task PlainUserLogsInAsADeviceAndListsDevices()
    {
        using var dir = new TempDir();
        var db = dir.File("chat.db");
        await using var server = await ServeDevicesAsync(db);
        await AddAsync(db, "erin", "erin-password");
        using var irc = await DeviceAsync(server, "erin", "erin@laptop", "erin-password", "message-tags");
        await irc.SendAsync($"JOIN {Room}\r\n");
        await irc.ExpectAsync(" 366 ");
        await using var nc = Nc(server);
        await nc.WaitForStdoutAsync("Type to talk", Wait);
        await nc.WriteAsync("/login erin@terminal erin-password\n");
        await nc.WaitForStdoutAsync("you are now known as erin", Wait);
        await nc.WaitForStdoutAsync($"* you joined {Room}", Wait);

        await irc.SendAsync($"PRIVMSG {Room} :typed on the laptop\r\n");
        await nc.WaitForStdoutAsync("<erin> typed on the laptop", Wait);
        await nc.WriteAsync("typed in the terminal\n");
        var seen = await irc.ExpectAsync("typed in the terminal");
        Assert.Contains($":erin!u@127.0.0.1 PRIVMSG {Room} :typed in the terminal", seen);

        await nc.WriteAsync("/devices\n");
        await nc.WaitForStdoutAsync("erin (erin) is connected on 2 device(s)", Wait);
        await nc.WaitForStdoutAsync("terminal: 127.0.0.1 (plain)", Wait);
        await nc.WaitForStdoutAsync("laptop: 127.0.0.1 (irc)", Wait);
        await nc.WriteAsync("/devices logout nosuch\n");
        await nc.WaitForStdoutAsync("No device named nosuch is connected", Wait);
        Assert.Equal(1, Count(irc.All, "typed in the terminal"));
    }

    [Fact]
    public async Task BadDeviceNamesAndTheDeviceLimitAreRefusedAndNothingIsLost()
    {
        using var dir = new TempDir();
        var db = dir.File("chat.db");
        await using var server = await ServeDevicesAsync(db);
        await AddAsync(db, "frank", "frank-password");

        // A device name with a control character: SASL fails, clearly.
        using var bad = await server.ConnectAsync();
        await bad.SendAsync("CAP LS 302\r\nNICK frank\r\nUSER u 0 * :r\r\nCAP REQ :sasl\r\n");
        await bad.ExpectAsync(" ACK ");
        await bad.SendAsync("AUTHENTICATE PLAIN\r\n");
        await bad.ExpectAsync("AUTHENTICATE +");
        await bad.SendAsync("AUTHENTICATE " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("frank\0frank@ph\u0007one\0frank-password")) + "\r\n");
        Assert.Contains("SASL authentication failed: invalid device name", await bad.ExpectAsync(" 904 "));
        // The same through NickServ IDENTIFY.
        using var guest = await server.IrcAsync("someone");
        await guest.SendAsync("PRIVMSG NickServ :IDENTIFY frank@bad\u0001name frank-password\r\n");
        Assert.Contains("Not logged in: invalid device name", await guest.ExpectAsync(":NickServ!"));

        // 16 devices (the default limit), then a 17th: refused with a FAIL and a 433; the 16 all still get messages.
        var devices = new List<LineClient>();
        try
        {
            for (var i = 1; i <= 16; i++) devices.Add(await DeviceAsync(server, "frank", $"frank@d{i}", "frank-password"));
            using var extra = await DeviceAsync(server, "frank", "frank@d17", "frank-password", expect: " 433 ");
            Assert.Contains("FAIL NICK TOO_MANY_DEVICES frank :frank already has 16 devices connected", extra.All);
            await guest.SendAsync("PRIVMSG frank :to every device\r\n");
            foreach (var d in devices) await d.ExpectAsync("PRIVMSG frank :to every device");
            await extra.ExpectNoneAsync("to every device");
        }
        finally
        {
            foreach (var d in devices) d.Dispose();
        }
    }
}
