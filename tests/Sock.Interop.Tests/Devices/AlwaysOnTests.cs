using Sock.Interop.Tests.Chat;
using Sock.Interop.Tests.Infrastructure;
using static Sock.Interop.Tests.Accounts.AccountsHarness;
using static Sock.Interop.Tests.Devices.DevicesHarness;

namespace Sock.Interop.Tests.Devices;

/// <summary>
/// Always-on and per-device catch-up: an account that is always-on stays in its rooms, away, with no
/// device; it survives a restart (--db); each returning device gets what it missed, once, in order.
/// </summary>
public class AlwaysOnTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task ReturningDevicesEachGetWhatTheyMissedOnceInOrderAcrossARestart()
    {
        using var dir = new TempDir();
        var db = dir.File("chat.db");
        await using (var server = await ServeDevicesAsync(db))
        {
            await AddAsync(db, "gina", "gina-password");
            await using var bob = Nc(server);
            await bob.WriteAsync("/nick bob\n");
            await bob.WaitForStdoutAsync("you are now known as bob", Wait);
            using var laptop = await DeviceAsync(server, "gina", "gina@laptop", "gina-password");
            await laptop.SendAsync($"JOIN {Room}\r\nPRIVMSG NickServ :SET ALWAYS-ON ON\r\n");
            await laptop.ExpectAsync("Always-on is ON for gina");
            using var phone = await DeviceAsync(server, "gina", "gina@phone", "gina-password");
            await phone.ExpectAsync($" 366 gina {Room} ");

            await bob.WriteAsync("seen by both\n");
            await laptop.ExpectAsync("seen by both");
            await phone.ExpectAsync("seen by both");
            await phone.SendAsync("QUIT :phone off\r\n");
            await phone.WaitClosedAsync();
            await bob.WriteAsync("missed by the phone\n");
            await laptop.ExpectAsync("missed by the phone");
            await laptop.SendAsync("QUIT :laptop closed\r\n");
            await laptop.WaitClosedAsync();

            // No device: gina stays, away, and bob sees no quit.
            await bob.WriteAsync("/whois gina\n");
            await bob.WaitForStdoutAsync("* gina is away: (disconnected)", Wait);
            Assert.DoesNotContain("gina quit", bob.Stdout);
            await bob.WriteAsync("missed by both, first\nmissed by both, second\n/msg gina a private word while you were away\n");
            await bob.WaitForStdoutAsync("-> *gina* a private word", Wait);
            server.Process.Signal(2);
            Assert.Equal(130, await server.Process.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        }

        await using (var server = await ServeDevicesAsync(db))
        {
            // After the restart gina is back in her room, away, before any device of hers connects.
            await using var carol = Nc(server);
            await carol.WriteAsync($"/whois gina\n");
            await carol.WaitForStdoutAsync($"* gina is in: {Room}", Wait);
            await carol.WaitForStdoutAsync("* gina is away: (disconnected)", Wait);

            // The laptop comes back: what it missed, in order, and nothing it had seen.
            using var laptop = await DeviceAsync(server, "gina", "gina@laptop", "gina-password");
            await laptop.ExpectAsync($" 366 gina {Room} ");
            await laptop.ExpectAsync("<bob> missed by both, first");
            await laptop.ExpectAsync("<bob> missed by both, second");
            await laptop.ExpectAsync("<bob> a private word while you were away");
            await laptop.ExpectNoneAsync("seen by both");
            Assert.DoesNotContain(laptop.Lines, l => l.Contains("missed by the phone", StringComparison.Ordinal));
            await carol.WriteAsync("/whois gina\n");
            await carol.WaitForStdoutAsync("connected since", Wait);

            // Then the phone: it missed one more, and the laptop is not replayed anything again.
            using var phone = await DeviceAsync(server, "gina", "gina@phone", "gina-password");
            await phone.ExpectAsync($" 366 gina {Room} ");
            await phone.ExpectAsync("<bob> missed by the phone");
            await phone.ExpectAsync("<bob> missed by both, first");
            await phone.ExpectAsync("<bob> missed by both, second");
            await phone.ExpectAsync("<bob> a private word while you were away");
            await phone.ExpectNoneAsync("seen by both");
            foreach (var text in new[] { "missed by both, first", "missed by both, second", "a private word" })
            {
                Assert.Equal(1, Count(laptop.All, text));
                Assert.Equal(1, Count(phone.All, text));
            }
            // Back: no longer away.
            await carol.WriteAsync("gina?\n");
            await laptop.ExpectAsync("gina?");
            Assert.DoesNotContain("(disconnected)", string.Join("\n", carol.Stdout.Split('\n').SkipWhile(l => !l.Contains("connected since", StringComparison.Ordinal)).Skip(1)));
        }
    }

    [Fact]
    public async Task PersistenceGetAndSetAndAGuestIsRefused()
    {
        using var dir = new TempDir();
        var db = dir.File("chat.db");
        await using var server = await ServeDevicesAsync(db);
        await AddAsync(db, "hana", "hana-password");
        using var guest = await server.ConnectAsync();
        await guest.SendAsync("CAP LS 302\r\nNICK someguest\r\nUSER u 0 * :r\r\nCAP REQ :draft/persistence\r\nCAP END\r\n");
        await guest.ExpectAsync(" 001 ");
        await guest.SendAsync("PERSISTENCE SET ON\r\n");
        Assert.Equal(":test.local FAIL PERSISTENCE ACCOUNT_REQUIRED :You must be logged in to an account to be always-on", await guest.ExpectAsync("FAIL PERSISTENCE"));

        using var hana = await DeviceAsync(server, "hana", "hana@desk", "hana-password", "draft/persistence");
        await hana.SendAsync("PERSISTENCE GET\r\n");
        Assert.EndsWith("PERSISTENCE STATUS DEFAULT OFF", await hana.ExpectAsync("PERSISTENCE STATUS"));
        await hana.SendAsync("PERSISTENCE SET ON\r\n");
        Assert.EndsWith("PERSISTENCE STATUS ON ON", await hana.ExpectAsync("PERSISTENCE STATUS"));
        await hana.SendAsync("PERSISTENCE SET MAYBE\r\n");
        Assert.Contains("FAIL PERSISTENCE INVALID_PARAMS MAYBE", await hana.ExpectAsync("FAIL PERSISTENCE"));
        await hana.SendAsync("PRIVMSG NickServ :SET ALWAYS-ON DEFAULT\r\n");
        await hana.ExpectAsync("Always-on is OFF for hana (the server's default)");
        await hana.SendAsync("PERSISTENCE GET\r\n");
        Assert.EndsWith("PERSISTENCE STATUS DEFAULT OFF", await hana.ExpectAsync("PERSISTENCE STATUS"));
    }
}
