using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Sock.Chat.Irc;

public sealed class IrcSession : ChatConnection
{
    public IrcSession(ChatHub hub, Socket socket, Stream stream, IPEndPoint remote) : base(hub, socket, stream, remote) { }
    public override string Protocol => "irc";
    protected override void OnStart() { }
    protected override ValueTask OnLineAsync(string line, bool cut) => ValueTask.CompletedTask;
    protected override byte[] FinalMessage(string reason) => Encoding.UTF8.GetBytes($"ERROR :{reason}\r\n");
    public override void Deliver(ChatEvent e) { }
}
