using System.CommandLine;
using Sock.Net;

namespace Sock.Cli.Commands.Toolbox;

/// <summary>`sock nameinfo ADDR PORT`: getnameinfo with the NI_* flags.</summary>
internal static class NameInfoCommand
{
    public static Command Create()
    {
        var address = new Argument<string>("address") { Description = "Numeric IPv4/IPv6 address" };
        var port = new Argument<int>("port") { Description = "Port number (0-65535)" };
        var numericHost = new Option<bool>("--numeric-host") { Description = "Address as digits (NI_NUMERICHOST)" };
        var numericServ = new Option<bool>("--numeric-serv") { Description = "Port as digits (NI_NUMERICSERV)" };
        var dgram = new Option<bool>("--dgram") { Description = "UDP service name (NI_DGRAM)" };
        var nameRequired = new Option<bool>("--name-required") { Description = "Fail when the address has no name (NI_NAMEREQD)" };
        var noFqdn = new Option<bool>("--no-fqdn") { Description = "Local hosts by short name (NI_NOFQDN)" };
        var json = CommonOptions.Json();
        var command = new Command("nameinfo", "Address and port to host and service names (getnameinfo)")
        {
            address, port, numericHost, numericServ, dgram, nameRequired, noFqdn, json,
        }.WithExamples("sock nameinfo 127.0.0.1 22", "sock nameinfo ::1 53 --dgram --json", "sock nameinfo 127.0.0.1 80 --numeric-host --numeric-serv");
        command.SetHandler(parse =>
        {
            var p = parse.GetValue(port);
            if (p is < 0 or > 65535)
                throw new UsageException($"nameinfo: port {p} out of range (0-65535)");
            var flags = NameInfoOptions.None;
            if (parse.GetValue(numericHost)) flags |= NameInfoOptions.NumericHost;
            if (parse.GetValue(numericServ)) flags |= NameInfoOptions.NumericServ;
            if (parse.GetValue(dgram)) flags |= NameInfoOptions.Datagram;
            if (parse.GetValue(nameRequired)) flags |= NameInfoOptions.NameRequired;
            if (parse.GetValue(noFqdn)) flags |= NameInfoOptions.NoFqdn;
            var info = Resolver.GetNameInfo(parse.GetValue(address)!, p, flags);
            if (parse.GetValue(json))
                Output.WriteJson(info, ToolboxJsonContext.Default.NameInfo);
            else
                Tables.WritePairs([("host", info.Host), ("service", info.Service)]);
            return CommandRunner.Ok;
        });
        return command;
    }
}
