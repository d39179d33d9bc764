using System.CommandLine;

namespace Sock.Cli.Commands;

/// <summary><c>sock chat</c>: the chat server and client.</summary>
internal static class ChatCommand
{
    public static Command Create()
    {
        var chat = new Command("chat", "Multi-user chat: a server that plain (nc, telnet) and IRC clients share, and a full-duplex terminal client.");
        chat.Subcommands.Add(ChatServeCommand.Create());
        chat.Subcommands.Add(ChatJoinCommand.Create());
        chat.Subcommands.Add(ChatAccountsCommand.Create());
        return chat;
    }
}
