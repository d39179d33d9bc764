using System.CommandLine;
using System.Globalization;
using Sock.Net;

namespace Sock.Cli.Commands.Toolbox;

/// <summary>`sock services`: the services database plus the article's table of well-known ports.</summary>
internal static class ServicesCommand
{
    public static Command Create()
    {
        var filter = new Argument<string?>("filter") { Description = "Keep entries whose name, alias or label contains this, or whose port is it", Arity = ArgumentArity.ZeroOrOne };
        var proto = ServiceCommand.ProtoOption();
        var wellKnown = new Option<bool>("--well-known") { Description = "Only the article's table of well-known ports" };
        var json = CommonOptions.Json();
        var command = new Command("services", "List the services database, marking the article's well-known ports (also those the database lacks)")
        {
            filter, proto, wellKnown, json,
        }.WithExamples("sock services --well-known", "sock services --proto udp dns", "sock services ssh --json");
        command.SetHandler(parse =>
        {
            var listings = WellKnownPorts.Merge(ServicesDatabase.All(), parse.GetValue(proto), parse.GetValue(filter))
                .Where(l => !parse.GetValue(wellKnown) || l.WellKnown)
                .Select(l => new ServiceListingJson(l.Entry.Name, l.Entry.Port, l.Entry.Proto, l.Entry.Aliases,
                    l.WellKnown, WellKnownPorts.LabelOf(l.Entry), l.InDatabase))
                .ToList();
            if (parse.GetValue(json))
            {
                Output.WriteJson(listings, ToolboxJsonContext.Default.ListServiceListingJson);
                return CommandRunner.Ok;
            }
            Tables.Write(["NAME", "PORT", "PROTO", "ALIASES", "WELL-KNOWN"],
                listings.Select(l => (IReadOnlyList<string>)[
                    l.Name, l.Port.ToString(CultureInfo.InvariantCulture), l.Proto, string.Join(' ', l.Aliases),
                    l.Label is null ? "" : l.InDatabase ? l.Label : l.Label + " (not in services database)"]),
                (column, cell) => column == 4 && cell.Length > 0 ? Tables.Green : null);
            return CommandRunner.Ok;
        });
        return command;
    }
}
