using System.CommandLine;
using System.Globalization;
using Sock.Net;

namespace Sock.Cli.Commands.Toolbox;

/// <summary>`sock ifaces`: if_nameindex plus state, MTU and addresses.</summary>
internal static class IfacesCommand
{
    public static Command Create()
    {
        var json = CommonOptions.Json();
        var command = new Command("ifaces", "Network interfaces in index order (if_nameindex), with state, MTU and addresses")
        {
            json,
        }.WithExamples("sock ifaces", "sock ifaces --json");
        command.SetHandler(parse =>
        {
            var list = Interfaces.List();
            if (parse.GetValue(json))
                Output.WriteJson(list, ToolboxJsonContext.Default.IReadOnlyListInterfaceInfo);
            else
                Tables.Write(["INDEX", "NAME", "STATE", "MTU", "ADDRESSES"],
                    list.Select(i => (IReadOnlyList<string>)[
                        i.Index.ToString(CultureInfo.InvariantCulture), i.Name, i.Up ? "up" : "down",
                        i.Mtu?.ToString(CultureInfo.InvariantCulture) ?? "", string.Join(' ', i.Addresses)]),
                    (column, cell) => column == 2 ? (cell == "up" ? Tables.Green : Tables.Red) : null);
            return CommandRunner.Ok;
        });
        return command;
    }
}
