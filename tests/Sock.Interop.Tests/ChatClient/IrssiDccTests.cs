using System.Security.Cryptography;
using Sock.Interop.Tests.Infrastructure;

namespace Sock.Interop.Tests.ChatClient;

/// <summary>
/// DCC SEND between `sock chat join` and irssi (driven in tmux), both directions, direct and
/// passive (the receiver listens), and resuming a broken-off download, through ngIRCd.
/// </summary>
public sealed class IrssiDccTests
{
    private static async Task<Tmux> StartIrssiAsync(IrcServer server, TempDir home, string downloads)
    {
        var irssi = Peers.Require("irssi", "irssi");
        var irssiHome = Directory.CreateDirectory(home.File("irssi")).FullName;
        var tmux = await Tmux.StartAsync($"{irssi} --home={irssiHome} -c 127.0.0.1 -p {server.Port} -n ivy", width: 150, height: 40);
        await tmux.WaitForAsync("End of MOTD", TimeSpan.FromSeconds(20));
        await tmux.TypeAsync($"/set dcc_download_path {downloads}");
        await tmux.KeysAsync("Enter");
        // No /join: irssi shows DCC in its status window, which must stay the visible one.
        return tmux;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Irssi_sends_with_dcc_send_and_sock_accepts(bool passive)
    {
        await using var server = await IrcServer.StartAsync("ngircd");
        using var home = new TempDir();
        var data = RandomNumberGenerator.GetBytes(1024 * 1024 + 3);
        var file = home.File("from-irssi.bin");
        await File.WriteAllBytesAsync(file, data, TestContext.Current.CancellationToken);
        var downloads = Directory.CreateDirectory(home.File("sock-downloads")).FullName;

        await using var bob = ChatProcess.Plain(server.Address, "bob", home, "--downloads", downloads);
        await bob.WaitForStdoutAsync("you joined #lobby", ChatProcess.Wait);
        await using var irssi = await StartIrssiAsync(server, home, home.Path);

        await irssi.TypeAsync($"/dcc send {(passive ? "-passive " : "")}bob {file}");
        await irssi.KeysAsync("Enter");
        await bob.WaitForStdoutAsync("ivy offers 'from-irssi.bin' (1.0 MiB) " + (passive ? "passive: we listen, they connect" : "from 127.0.0.1:"), ChatProcess.Wait);
        await bob.WriteAsync("/accept ivy\n");
        await bob.WaitForStdoutAsync($"SHA-256 {Convert.ToHexStringLower(SHA256.HashData(data))}", ChatProcess.Wait);
        await irssi.WaitForAsync("DCC sent file from-irssi.bin");
        Assert.Equal(data, await File.ReadAllBytesAsync(Path.Combine(downloads, "from-irssi.bin"), TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Sock_sends_and_irssi_gets_with_dcc_get(bool passive)
    {
        await using var server = await IrcServer.StartAsync("ngircd");
        using var home = new TempDir();
        var data = RandomNumberGenerator.GetBytes(1024 * 1024 + 5);
        var file = home.File("from-sock.bin");
        await File.WriteAllBytesAsync(file, data, TestContext.Current.CancellationToken);
        var downloads = Directory.CreateDirectory(home.File("irssi-downloads")).FullName;

        await using var alice = ChatProcess.Plain(server.Address, "alice", home);
        await alice.WaitForStdoutAsync("you joined #lobby", ChatProcess.Wait);
        await using var irssi = await StartIrssiAsync(server, home, downloads);

        await alice.WriteAsync($"/send {(passive ? "-passive " : "")}ivy {file}\n");
        await irssi.WaitForAsync(passive ? "DCC SEND from alice" : "DCC SEND from alice [127.0.0.1 port");
        await irssi.TypeAsync("/dcc get alice");
        await irssi.KeysAsync("Enter");
        await irssi.WaitForAsync("DCC received file from-sock.bin");
        await alice.WaitForStdoutAsync($"sent 'from-sock.bin' to ivy: 1.0 MiB", ChatProcess.Wait);
        Assert.Contains($"SHA-256 {Convert.ToHexStringLower(SHA256.HashData(data))}", alice.Stdout);
        Assert.Equal(data, await File.ReadAllBytesAsync(Path.Combine(downloads, "from-sock.bin"), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Sock_resumes_what_irssi_sends()
    {
        await using var server = await IrcServer.StartAsync("ngircd");
        using var home = new TempDir();
        var data = RandomNumberGenerator.GetBytes(1024 * 1024 + 11);
        const int have = 600_000;
        var file = home.File("resumed-from-irssi.bin");
        await File.WriteAllBytesAsync(file, data, TestContext.Current.CancellationToken);
        var downloads = Directory.CreateDirectory(home.File("sock-downloads")).FullName;
        await File.WriteAllBytesAsync(Path.Combine(downloads, "resumed-from-irssi.bin.part"), data[..have], TestContext.Current.CancellationToken);

        await using var bob = ChatProcess.Plain(server.Address, "bob", home, "--downloads", downloads);
        await bob.WaitForStdoutAsync("you joined #lobby", ChatProcess.Wait);
        await using var irssi = await StartIrssiAsync(server, home, home.Path);

        await irssi.TypeAsync($"/dcc send bob {file}");
        await irssi.KeysAsync("Enter");
        await bob.WaitForStdoutAsync("/resume ivy to continue the 585.9 KiB already in resumed-from-irssi.bin.part", ChatProcess.Wait);
        await bob.WriteAsync("/resume ivy\n");
        await bob.WaitForStdoutAsync($"(resumed after the first {have} bytes)", ChatProcess.Wait);
        Assert.Contains($"SHA-256 {Convert.ToHexStringLower(SHA256.HashData(data))}", bob.Stdout);
        await irssi.WaitForAsync("DCC sent file resumed-from-irssi.bin");
        Assert.Equal(data, await File.ReadAllBytesAsync(Path.Combine(downloads, "resumed-from-irssi.bin"), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Irssi_resumes_what_sock_sends()
    {
        await using var server = await IrcServer.StartAsync("ngircd");
        using var home = new TempDir();
        var data = RandomNumberGenerator.GetBytes(1024 * 1024 + 13);
        const int have = 600_000;
        var file = home.File("resumed-from-sock.bin");
        await File.WriteAllBytesAsync(file, data, TestContext.Current.CancellationToken);
        var downloads = Directory.CreateDirectory(home.File("irssi-downloads")).FullName;
        await File.WriteAllBytesAsync(Path.Combine(downloads, "resumed-from-sock.bin"), data[..have], TestContext.Current.CancellationToken);

        await using var alice = ChatProcess.Plain(server.Address, "alice", home);
        await alice.WaitForStdoutAsync("you joined #lobby", ChatProcess.Wait);
        await using var irssi = await StartIrssiAsync(server, home, downloads);

        await alice.WriteAsync($"/send ivy {file}\n");
        await irssi.WaitForAsync("DCC SEND from alice");
        await irssi.TypeAsync("/dcc resume alice");
        await irssi.KeysAsync("Enter");
        await alice.WaitForStdoutAsync("ivy already has 585.9 KiB of 'resumed-from-sock.bin'; sending only the rest", ChatProcess.Wait);
        await irssi.WaitForAsync("DCC received file resumed-from-sock.bin");
        await alice.WaitForStdoutAsync($"(resumed after the first {have} bytes)", ChatProcess.Wait);
        Assert.Contains($"SHA-256 {Convert.ToHexStringLower(SHA256.HashData(data))}", alice.Stdout);
        Assert.Equal(data, await File.ReadAllBytesAsync(Path.Combine(downloads, "resumed-from-sock.bin"), TestContext.Current.CancellationToken));
    }
}
