using System.CommandLine;

namespace Sock.Cli.Commands;

/// <summary><c>sock chat</c>: the chat server and client.</summary>
internal static class ChatCommand
{
    public static Command Create()
    {
        var chat = new Command("chat", "Chat: a plain+IRC server and a full-duplex terminal client");
        chat.Subcommands.Add(ChatJoinCommand.Create());
        return chat;
    }
}
