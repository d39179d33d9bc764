using System.CommandLine;

namespace Sock.Cli;

/// <summary>Every top-level command, in the order `sock --help` lists them.</summary>
internal static class CommandCatalog
{
    public static IEnumerable<Command> All()
    {
        yield return Commands.SendCommand.Create();
        yield return Commands.RecvCommand.Create();
        yield return Commands.ChatCommand.Create();
        yield return Commands.CompletionCommand.Create();
    }
}
