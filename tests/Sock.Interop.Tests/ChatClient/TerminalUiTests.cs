using System.Security.Cryptography;
using Sock.Interop.Tests.Infrastructure;

namespace Sock.Interop.Tests.ChatClient;

/// <summary>The full-screen client in tmux, as a person uses it, against ngIRCd.</summary>
public sealed class TerminalUiTests
{
    private static string Join(IrcServer server, string nick, string home, params string[] extra) =>
        $"XDG_CONFIG_HOME='{home}/config' '{SockCli.Path}' chat join {server.Address} --nick {nick} {string.Join(' ', extra)}";

    [Fact]
    public async Task A_half_typed_line_survives_an_incoming_message_and_wide_characters_move_the_cursor_two_columns()
    {
        await using var server = await IrcServer.StartAsync("ngircd");
        using var home = new TempDir();
        await using var alice = await Tmux.StartAsync(Join(server, "alice", home.Path), width: 80, height: 20);
        await alice.WaitForAsync("you joined #lobby");
        await alice.TypeAsync("half typed 中文");
        await using var bob = ChatProcess.Plain(server.Address, "bob", home);
        await bob.WaitForStdoutAsync("you joined #lobby", ChatProcess.Wait);
        await bob.WriteAsync("hello 你好 from bob\n");

        var screen = await alice.WaitForAsync("<bob> hello 你好 from bob");
        Assert.Equal("[#lobby] half typed 中文", screen[^1].TrimEnd());
        Assert.Contains("#lobby | alice", screen[^2]); // the status line: server | room | nick | lag
        // "[#lobby] " is 9 columns, "half typed " 11, and each of 中文 takes two.
        Assert.Equal((9 + 11 + 4, 19), (await alice.WaitForInputLineAsync((c, _) => c == (24, 19))).Cursor);
        await alice.KeysAsync("Left");
        Assert.Equal(9 + 11 + 2, (await alice.WaitForInputLineAsync((c, _) => c.X == 22)).Cursor.X);

        // Editing: End, Backspace removes one wide character; Enter sends what is left.
        await alice.KeysAsync("End", "BSpace", "Enter");
        await bob.WaitForStdoutAsync("<alice> half typed 中\n", ChatProcess.Wait);
        screen = await alice.WaitForAsync("<alice> half typed 中");
        Assert.Equal("[#lobby]", screen[^1].TrimEnd());
        // Up brings it back from history; Ctrl-W deletes the last word, Ctrl-U the rest.
        await alice.KeysAsync("Up");
        await alice.WaitForAsync("[#lobby] half typed 中");
        await alice.KeysAsync("C-w");
        Assert.Equal("[#lobby] half typed", (await alice.WaitForInputLineAsync((_, l) => l == "[#lobby] half typed")).LastLine);
        await alice.KeysAsync("C-u");
        Assert.Equal("[#lobby]", (await alice.WaitForInputLineAsync((_, l) => l == "[#lobby]")).LastLine);
        await alice.TypeAsync("/quit");
        await alice.KeysAsync("Enter");
        await alice.WaitForAsync("EXITED 0");
    }

    [Fact]
    public async Task It_reconnects_with_backoff_after_the_server_restarts_and_rejoins_its_rooms()
    {
        await using var server = await IrcServer.StartAsync("ngircd");
        using var home = new TempDir();
        await using var alice = await Tmux.StartAsync(Join(server, "alice", home.Path, "--room", "'#a'", "--room", "'#b'"), width: 120, height: 30);
        await alice.WaitForAsync("you joined #b");

        await server.StopAsync();
        await alice.WaitForAsync("reconnecting in");
        await server.StartAsync();
        await alice.WaitForAsync("connected to 127.0.0.1", TimeSpan.FromSeconds(20), count: 2);
        await alice.WaitForAsync("you joined #a", count: 2);
        await alice.WaitForAsync("you joined #b", count: 2);

        await using var bob = ChatProcess.Plain(server.Address, "bob", home, "--room", "#a");
        await bob.WaitForStdoutAsync("you joined #a", ChatProcess.Wait);
        await bob.WriteAsync("welcome back\n");
        await alice.WaitForAsync("#a <bob> welcome back");
    }

    [Fact]
    public async Task Send_and_accept_deliver_an_identical_file()
    {
        await using var server = await IrcServer.StartAsync("ngircd");
        using var home = new TempDir();
        var downloads = Directory.CreateDirectory(home.File("downloads")).FullName;
        var data = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 17);
        await File.WriteAllBytesAsync(home.File("data.bin"), data, TestContext.Current.CancellationToken);
        // Offered through a symlink: the size announced must be the target's, not the link's.
        var file = home.File("photo 1.bin");
        File.CreateSymbolicLink(file, home.File("data.bin"));

        await using var bob = await Tmux.StartAsync(Join(server, "bob", home.Path, "--downloads", downloads), width: 160, height: 30);
        await bob.WaitForAsync("you joined #lobby");
        await using var alice = await Tmux.StartAsync(Join(server, "alice", home.Path), width: 160, height: 30);
        await alice.WaitForAsync("you joined #lobby");

        await alice.TypeAsync($"/send bob {file}");
        await alice.KeysAsync("Enter");
        await alice.WaitForAsync("offering 'photo 1.bin'");
        await bob.WaitForAsync("alice offers 'photo 1.bin' (3.0 MiB)");
        await bob.TypeAsync("/accept alice");
        await bob.KeysAsync("Enter");
        var expected = Convert.ToHexStringLower(SHA256.HashData(data));
        await bob.WaitForAsync($"SHA-256 {expected}");
        await alice.WaitForAsync($"sent 'photo 1.bin' to bob");
        Assert.Equal(data, await File.ReadAllBytesAsync(Path.Combine(downloads, "photo 1.bin"), TestContext.Current.CancellationToken));
        Assert.False(File.Exists(Path.Combine(downloads, "photo 1.bin.part")));
    }
}
