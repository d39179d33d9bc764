using System.CommandLine;
using System.Net.Sockets;
using Sock.Net;

namespace Sock.Cli.Commands.Toolbox;

/// <summary>`sock resolve HOST [PORT]`: getaddrinfo, every result in the resolver's order.</summary>
internal static class ResolveCommand
{
    public static Command Create()
    {
        var host = new Argument<string>("host") { Description = "Name or address; '' or '*' is no host (Python's None, e.g. with --passive)" };
        var port = new Argument<string?>("port") { Description = "Port number or service name", Arity = ArgumentArity.ZeroOrOne };
        var ipv4 = new Option<bool>("-4") { Description = "IPv4 only (AF_INET)" };
        var ipv6 = new Option<bool>("-6") { Description = "IPv6 only (AF_INET6)" };
        var type = new Option<string?>("--type") { Description = "Socket type; without it, one entry per type as the C library gives" };
        type.AcceptOnlyFromAmong("stream", "dgram", "raw");
        var canonical = new Option<bool>("--canonical") { Description = "Ask for the canonical name (AI_CANONNAME)" };
        var passive = new Option<bool>("--passive") { Description = "Addresses to bind (AI_PASSIVE): no host gives the wildcard" };
        var numeric = new Option<bool>("--numeric") { Description = "HOST must be a numeric address (AI_NUMERICHOST)" };
        var numericServ = new Option<bool>("--numeric-serv") { Description = "PORT must be a number (AI_NUMERICSERV)" };
        var json = CommonOptions.Json();
        var command = new Command("resolve", "Resolve a host and port to socket addresses (getaddrinfo)")
        {
            host, port, ipv4, ipv6, type, canonical, passive, numeric, numericServ, json,
        }.WithExamples("sock resolve localhost 80", "sock resolve example.com https --type stream --canonical", "sock resolve '*' 8080 --passive --json");

        command.SetHandler(parse =>
        {
            if (parse.GetValue(ipv4) && parse.GetValue(ipv6))
                throw new UsageException("resolve: -4 and -6 exclude each other");
            var family = parse.GetValue(ipv4) ? AddressFamily.InterNetwork
                : parse.GetValue(ipv6) ? AddressFamily.InterNetworkV6 : AddressFamily.Unspecified;
            var socketType = parse.GetValue(type) is { } t ? SocketNames.ParseType(t)!.Value : SocketType.Unknown;
            var flags = AddrInfoHints.None;
            if (parse.GetValue(canonical)) flags |= AddrInfoHints.CanonName;
            if (parse.GetValue(passive)) flags |= AddrInfoHints.Passive;
            if (parse.GetValue(numeric)) flags |= AddrInfoHints.NumericHost;
            if (parse.GetValue(numericServ)) flags |= AddrInfoHints.NumericServ;
            var hostText = parse.GetValue(host);
            var results = Resolver.GetAddrInfo(hostText is "" or "*" ? null : hostText, parse.GetValue(port), family, socketType, 0, flags)
                .Select(a => new AddressInfoJson(SocketNames.Family(a.Family), SocketNames.Type(a.Type), a.Protocol, a.CanonName, a.Address, a.Port))
                .ToList();
            if (parse.GetValue(json))
                Output.WriteJson(results, ToolboxJsonContext.Default.ListAddressInfoJson);
            else
                Tables.Write(["FAMILY", "TYPE", "PROTO", "CANONNAME", "ADDRESS", "PORT"],
                    results.Select(r => (IReadOnlyList<string>)[r.Family, r.Type, Num(r.Proto), r.Canonname, r.Address, Num(r.Port)]));
            return CommandRunner.Ok;
        });
        return command;
    }

    private static string Num(int n) => n.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
