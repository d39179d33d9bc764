using System.CommandLine;

namespace Sock.Cli.Commands.Toolbox;

/// <summary>The toolbox's commands in the order `sock --help` lists them.</summary>
internal static class ToolboxCommands
{
    public static IEnumerable<Command> All()
    {
        yield return ResolveCommand.Create();
        yield return HostCommand.Create();
        yield return HostCommand.CreateReverse();
        yield return NameInfoCommand.Create();
        yield return ServiceCommand.Create();
        yield return ServicesCommand.Create();
        yield return IfacesCommand.Create();
        yield return InfoCommand.Create();
        yield return InetCommand.Create();
        yield return ProbeCommand.Create();
    }
}
