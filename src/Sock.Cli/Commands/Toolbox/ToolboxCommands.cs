using System.CommandLine;

namespace Sock.Cli.Commands.Toolbox;

/// <summary>The toolbox's commands in the order `sock --help` lists them.</summary>
internal static class ToolboxCommands
{
    public static IEnumerable<Command> All()
    {
        yield return InfoCommand.Create();
        yield return ResolveCommand.Create();
    }
}
