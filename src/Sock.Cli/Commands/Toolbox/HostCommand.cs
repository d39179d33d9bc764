using System.CommandLine;
using Sock.Net;

namespace Sock.Cli.Commands.Toolbox;

/// <summary>`sock host NAME` (gethostbyname_ex) and `sock reverse ADDR` (gethostbyaddr): same shape.</summary>
internal static class HostCommand
{
    public static Command Create() => Build("host", "name",
        "A host's official name, aliases and IPv4 addresses (gethostbyname_ex)",
        Resolver.GetHostByName, "sock host localhost", "sock host localhost --json");

    public static Command CreateReverse() => Build("reverse", "address",
        "The name, aliases and addresses registered for an address (gethostbyaddr)",
        Resolver.GetHostByAddr, "sock reverse 127.0.0.1", "sock reverse ::1 --json");

    private static Command Build(string name, string argument, string description, Func<string, HostEntry> lookup, params string[] examples)
    {
        var input = new Argument<string>(argument) { Description = argument == "name" ? "Host name or IPv4 address" : "IPv4/IPv6 address (or a name: its first address)" };
        var json = CommonOptions.Json();
        var command = new Command(name, description) { input, json }.WithExamples(examples);
        command.SetHandler(parse =>
        {
            var entry = lookup(parse.GetValue(input)!);
            if (parse.GetValue(json))
                Output.WriteJson(entry, ToolboxJsonContext.Default.HostEntry);
            else
                Tables.WritePairs([
                    ("name", entry.Name),
                    ("aliases", string.Join(' ', entry.Aliases)),
                    ("addresses", string.Join(' ', entry.Addresses)),
                ]);
            return CommandRunner.Ok;
        });
        return command;
    }
}
