using Sock.Interop.Tests.Infrastructure;

namespace Sock.Interop.Tests.ChatClient;

/// <summary>`sock chat join --plain` driven through pipes against real IRC servers.</summary>
public sealed class PlainModeTests
{
    [Theory]
    [InlineData("ngircd")]
    [InlineData("inspircd")]
    [InlineData("sock")]
    public async Task Two_clients_talk_in_a_room_privately_and_with_actions(string kind)
    {
        await using var server = await IrcServer.StartAsync(kind);
        using var home = new TempDir();
        await using var bob = ChatProcess.Plain(server.Address, "bob", home);
        await bob.WaitForStdoutAsync("you joined #lobby", ChatProcess.Wait);
        await using var alice = ChatProcess.Plain(server.Address, "alice", home);
        await alice.WaitForStdoutAsync("you joined #lobby", ChatProcess.Wait);
        await bob.WaitForStdoutAsync("alice joined #lobby", ChatProcess.Wait);

        await alice.WriteAsync("hello 你好 bob\n");
        await bob.WaitForStdoutAsync("<alice> hello 你好 bob", ChatProcess.Wait);
        await alice.WriteAsync("/me waves\n");
        await bob.WaitForStdoutAsync("* alice waves", ChatProcess.Wait);
        await alice.WriteAsync("/msg bob just for you\n");
        await bob.WaitForStdoutAsync("*alice* just for you", ChatProcess.Wait);
        await bob.WriteAsync("//slash stays\n");
        await alice.WaitForStdoutAsync("<bob> /slash stays", ChatProcess.Wait);
        await alice.WriteAsync("/who\n");
        await alice.WaitForStdoutAsync("in #lobby (2)", ChatProcess.Wait);
        await alice.WriteAsync("/bogus\n");
        await alice.WaitForStdoutAsync("unknown command /bogus", ChatProcess.Wait);

        await alice.WriteAsync("/quit see you\n");
        Assert.Equal(0, await alice.WaitForExitAsync(ChatProcess.Wait));
        await bob.WaitForStdoutAsync("alice has quit", ChatProcess.Wait);
        bob.CloseStdin(); // end of input quits too
        Assert.Equal(0, await bob.WaitForExitAsync(ChatProcess.Wait));
        Assert.DoesNotContain("hello 你好 bob", alice.Stdout); // plain mode does not echo our own lines
    }

    [Theory]
    [InlineData("ngircd")]
    [InlineData("inspircd")]
    [InlineData("sock")]
    public async Task A_nick_in_use_falls_back_and_rooms_join_and_part(string kind)
    {
        await using var server = await IrcServer.StartAsync(kind);
        using var home = new TempDir();
        await using var first = ChatProcess.Plain(server.Address, "carol", home);
        await first.WaitForStdoutAsync("you joined #lobby", ChatProcess.Wait);
        await using var second = ChatProcess.Plain(server.Address, "carol", home, "--room", "#one");
        await second.WaitForStdoutAsync("nick carol is not available", ChatProcess.Wait);
        await second.WaitForStdoutAsync("connected to 127.0.0.1", ChatProcess.Wait);
        await second.WaitForStdoutAsync("you joined #one", ChatProcess.Wait);
        Assert.Contains("as carol_", second.Stdout);

        await first.WriteAsync("/join #one\n");
        await second.WaitForStdoutAsync("carol joined #one", ChatProcess.Wait);
        await first.WriteAsync("in one\n");
        await second.WaitForStdoutAsync("<carol> in one", ChatProcess.Wait);
        await first.WriteAsync("/part\n");
        await second.WaitForStdoutAsync("carol left #one", ChatProcess.Wait);
        // The client moves back to #lobby when it sees its own PART: type only then (on a loaded
        // machine a line typed earlier still went to #one, which it had already left).
        await first.WaitForStdoutAsync("you left #one", ChatProcess.Wait);
        await first.WriteAsync("back in lobby\n"); // after /part the current room is #lobby again
        await first.WriteAsync("/nick dave\n");
        await first.WaitForStdoutAsync("you are now known as dave", ChatProcess.Wait);
        await first.WriteAsync("/history\n");
        if (kind == "sock")
            await first.WaitForStdoutAsync("<carol> back in lobby", ChatProcess.Wait); // IRCv3 CHATHISTORY; plain mode never echoes our own lines
        else
            await first.WaitForStdoutAsync("does not offer message history", ChatProcess.Wait);
        first.CloseStdin();
        second.CloseStdin();
        Assert.Equal(0, await first.WaitForExitAsync(ChatProcess.Wait));
        Assert.Equal(0, await second.WaitForExitAsync(ChatProcess.Wait));
    }

    [Fact]
    public async Task History_typed_ahead_waits_for_the_servers_isupport()
    {
        await using var server = await IrcServer.StartAsync("sock");
        using var home = new TempDir();
        await using var bob = ChatProcess.Plain(server.Address, "bob", home);
        await bob.WaitForStdoutAsync("you joined #lobby", ChatProcess.Wait);
        await bob.WriteAsync("said before carol came\n");
        await bob.WriteAsync("/history 1\n"); // bob's own line is in the history now
        await bob.WaitForStdoutAsync("<bob> said before carol came", ChatProcess.Wait);

        // carol's /history is in her input before she has even connected: it must wait until the
        // server has said (ISUPPORT, after 001) that it offers CHATHISTORY.
        await using var carol = ChatProcess.Plain(server.Address, "carol", home);
        await carol.WriteAsync("/history 5\n");
        carol.CloseStdin();
        Assert.Equal(0, await carol.WaitForExitAsync(ChatProcess.Wait));
        Assert.DoesNotContain("does not offer message history", carol.Stdout);
        // Once replayed on join, once more from CHATHISTORY.
        Assert.Equal(2, carol.Stdout.Split('\n').Count(l => l.Contains("<bob> said before carol came", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task End_of_input_while_registering_still_reports_a_failed_first_connection()
    {
        // The server accepts, then hangs up before registering anyone; our stdin is already closed.
        // Quitting at end of input must not hide that the first connection failed.
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        var server = Task.Run(async () =>
        {
            using var s = await listener.AcceptSocketAsync(TestContext.Current.CancellationToken);
            await Task.Delay(300, TestContext.Current.CancellationToken);
        }, TestContext.Current.CancellationToken);
        var (code, _, stderr) = await SockCli.RunAsync("chat", "join", $"127.0.0.1:{port}", "--plain");
        await server;
        Assert.Equal(1, code);
        Assert.Contains($"127.0.0.1:{port} closed the connection before registration completed", stderr);
    }

    [Fact]
    public async Task A_server_that_is_not_there_is_one_line_and_exit_1()
    {
        using var refusing = FreePort.Refusing(out var port);
        var (code, stdout, stderr) = await SockCli.RunAsync("chat", "join", $"127.0.0.1:{port}", "--plain");
        Assert.Equal(1, code);
        Assert.Equal($"sock: connect 127.0.0.1:{port}: connection refused (ECONNREFUSED)\n", stderr);
        Assert.Equal("", stdout);
    }
}
