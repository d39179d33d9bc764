using System.CommandLine;
using System.Globalization;
using Sock.Net;

namespace Sock.Cli.Commands.Toolbox;

/// <summary>`sock service NAME_OR_PORT`: getservbyname or getservbyport.</summary>
internal static class ServiceCommand
{
    public static Command Create()
    {
        var query = new Argument<string>("name-or-port") { Description = "Service name (ssh) or port number (22)" };
        var proto = ProtoOption();
        var json = CommonOptions.Json();
        var command = new Command("service", "Look up a service by name or port (getservbyname / getservbyport)")
        {
            query, proto, json,
        }.WithExamples("sock service ssh", "sock service 53 --proto udp --json");
        command.SetHandler(parse =>
        {
            var text = parse.GetValue(query)!;
            var p = parse.GetValue(proto);
            ServiceEntry entry;
            if (text.Length > 0 && text.All(char.IsAsciiDigit))
            {
                if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
                    throw new UsageException($"service: port {text} out of range (0-65535)");
                entry = ServicesDatabase.GetByPort(port, p);
            }
            else
            {
                entry = ServicesDatabase.GetByName(text, p);
            }
            if (parse.GetValue(json))
                Output.WriteJson(entry, ToolboxJsonContext.Default.ServiceEntry);
            else
                Tables.WritePairs([
                    ("name", entry.Name),
                    ("port", entry.Port.ToString(CultureInfo.InvariantCulture)),
                    ("proto", entry.Proto),
                    ("aliases", string.Join(' ', entry.Aliases)),
                ]);
            return CommandRunner.Ok;
        });
        return command;
    }

    internal static Option<string?> ProtoOption()
    {
        var proto = new Option<string?>("--proto") { Description = "Protocol: tcp or udp (default: any)" };
        proto.AcceptOnlyFromAmong("tcp", "udp");
        return proto;
    }
}
