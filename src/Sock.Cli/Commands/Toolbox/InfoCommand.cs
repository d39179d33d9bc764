using System.CommandLine;
using Sock.Net;

namespace Sock.Cli.Commands.Toolbox;

/// <summary>`sock info`: gethostname, getfqdn, has_ipv6 and the host name's addresses.</summary>
internal static class InfoCommand
{
    public static Command Create()
    {
        var json = CommonOptions.Json();
        var command = new Command("info", "This machine's host name, FQDN, IPv6 support and addresses (gethostname, getfqdn, has_ipv6)")
        {
            json,
        }.WithExamples("sock info", "sock info --json");
        command.SetHandler(parse =>
        {
            var summary = HostSummary.Collect();
            if (parse.GetValue(json))
                Output.WriteJson(summary, ToolboxJsonContext.Default.HostSummary);
            else
                Tables.WritePairs([
                    ("hostname", summary.Hostname),
                    ("fqdn", summary.Fqdn),
                    ("has_ipv6", summary.HasIpv6 ? "yes" : "no"),
                    ("addresses", string.Join(' ', summary.Addresses)),
                ]);
            return CommandRunner.Ok;
        });
        return command;
    }
}
