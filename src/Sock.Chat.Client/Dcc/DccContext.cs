using System.Net;
using Sock.Chat.Irc;

namespace Sock.Chat.Client.Dcc;

/// <summary>What DCC needs from the chat session: sending CTCP, our address, where files go, reporting.</summary>
internal sealed class DccContext(IrcChatClient client, string downloadDirectory)
{
    public string DownloadDirectory { get; } = downloadDirectory;

    public IPAddress? LocalAddress => client.LocalAddress;

    public void Report(ChatEvent e) => client.Report(e);

    public Task<bool> SendCtcpAsync(string command, string target, string body, CancellationToken ct) =>
        client.SendAsync(new IrcMessage(command, target, $"\u0001{body}\u0001"), ct);
}
