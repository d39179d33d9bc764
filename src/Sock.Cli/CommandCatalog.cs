using System.CommandLine;
using Sock.Cli.Commands;
using Sock.Cli.Commands.Toolbox;

namespace Sock.Cli;

/// <summary>Every top-level command, in the order `sock --help` lists them.</summary>
internal static class CommandCatalog
{
    public static IEnumerable<Command> All()
    {
        // Chat: the main job
        yield return ChatCommand.Create();
        // Toolbox (Python socket parity)
        foreach (var command in ToolboxCommands.All()) yield return command;
        // Raw pipes
        yield return ConnectCommand.Create();
        yield return ListenCommand.Create();
        // File transfer
        yield return SendCommand.Create();
        yield return RecvCommand.Create();
        // Load generators and shell integration
        yield return BenchCommand.Create();
        yield return CompletionCommand.Create();
    }
}
