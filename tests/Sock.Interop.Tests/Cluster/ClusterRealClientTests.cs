using Sock.Interop.Tests.Chat;
using Sock.Interop.Tests.ChatClient;
using Sock.Interop.Tests.Infrastructure;

namespace Sock.Interop.Tests.Cluster;

/// <summary>
/// A real client on a cluster: irssi (in tmux, read off its screen) connects to one node while the
/// room's operator is on another, and sees what it would see on one server: the invitation, the
/// topic and history, the modes, the remote operator in the member list, and its line reaching the other node.
/// </summary>
[Collection(ClusterHeavy.Name)]
public sealed class ClusterRealClientTests
{
    [Fact]
    public async Task Irssi_on_one_node_talks_with_an_operator_on_another()
    {
        var irssi = Peers.Require("irssi", "irssi");
        await using var cluster = await ClusterNodes.StartAsync(2);
        using var op = await RealIrcClientTests.RoomWithHistoryAsync(cluster[0]);
        using var home = new TempDir();
        await using var tmux = await Tmux.StartAsync($"{irssi} --home={home.Path} -c 127.0.0.1 -p {cluster[1].Port} -n ivy", width: 150, height: 40);
        await RealIrcClientTests.IrssiJoinsWhenInvitedAsync(tmux, op);
        await op.SendAsync("MODE #room +v ivy\r\n");
        await tmux.WaitForAsync("mode/#room [+v ivy] by op");

        // The member list, as irssi shows it in the room's window: the operator of the other node in it.
        await tmux.TypeAsync("/names");
        await tmux.KeysAsync("Enter");
        await tmux.WaitForAsync("@op");

        await tmux.TypeAsync("hello from irssi on another node");
        await tmux.KeysAsync("Enter");
        await op.ExpectAsync(":ivy!", 15);
        await op.ExpectAsync(" PRIVMSG #room :hello from irssi on another node", 15);
        await op.SendAsync("PRIVMSG #room :got it, ivy\r\n");
        await tmux.WaitForAsync("got it, ivy");
    }
}
