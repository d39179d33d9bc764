using System.CommandLine;
using Sock.Cli.Commands;
using Sock.Cli.Commands.Toolbox;

namespace Sock.Cli;

/// <summary>Every top-level command by name, in the order `sock --help` lists them.</summary>
internal static class CommandCatalog
{
    private static readonly (string Name, Func<Command> Create)[] Entries =
    [
        // Chat: the main job
        ("chat", ChatCommand.Create),
        // Toolbox (Python socket parity)
        ("resolve", ResolveCommand.Create),
        ("host", HostCommand.Create),
        ("reverse", HostCommand.CreateReverse),
        ("nameinfo", NameInfoCommand.Create),
        ("service", ServiceCommand.Create),
        ("services", ServicesCommand.Create),
        ("ifaces", IfacesCommand.Create),
        ("info", InfoCommand.Create),
        ("inet", InetCommand.Create),
        ("probe", ProbeCommand.Create),
        ("ping", PingCommand.Create),
        ("tls", TlsCommand.Create),
        ("perf", PerfCommand.Create),
        ("trace", TraceCommand.Create),
        // Raw pipes
        ("connect", ConnectCommand.Create),
        ("listen", ListenCommand.Create),
        ("forward", ForwardCommand.Create),
        ("proxy", ProxyServerCommand.Create),
        // File transfer
        ("send", SendCommand.Create),
        ("recv", RecvCommand.Create),
        ("relay", RelayCommand.Create),
        // Load generators and shell integration
        ("bench", BenchCommand.Create),
        ("completion", CompletionCommand.Create),
    ];

    /// <summary>
    /// The commands <paramref name="args"/> need: only the one they name (building all ~20 commands
    /// with their options was a third of `sock info`'s start-up), or every command for root help,
    /// typos (suggestions) and completion directives.
    /// </summary>
    public static IEnumerable<Command> For(string[] args)
    {
        if (args.Length > 0)
        {
            foreach (var (name, create) in Entries)
            {
                if (name != args[0]) continue;
                var command = create();
                if (command.Name == name) return [command];
                break; // a catalog name out of step with its command: build everything rather than fail
            }
        }
        return Entries.Select(e => e.Create());
    }
}
