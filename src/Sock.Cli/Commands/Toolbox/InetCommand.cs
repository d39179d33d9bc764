using System.CommandLine;
using System.Net.Sockets;
using Sock.Net;

namespace Sock.Cli.Commands.Toolbox;

/// <summary>`sock inet aton|ntoa|pton|ntop`: the C library's address conversions.</summary>
internal static class InetCommand
{
    public static Command Create()
    {
        var command = new Command("inet", "Convert addresses to and from packed bytes (inet_aton, inet_ntoa, inet_pton, inet_ntop)")
            .WithExamples("sock inet aton 127.1", "sock inet ntoa 7f000001", "sock inet pton inet6 ::ffff:1.2.3.4 --json", "sock inet ntop inet6 00000000000000000000000000000001");

        var atonAddress = new Argument<string>("address") { Description = "IPv4 in any form inet_aton accepts: 127.0.0.1, 127.1, 0x7f.1, 0177.0.0.1, 2130706433" };
        var atonJson = CommonOptions.Json();
        var aton = new Command("aton", "IPv4 text (any inet_aton form) to packed hex") { atonAddress, atonJson }
            .WithExamples("sock inet aton 0x7f.1", "sock inet aton 127.1 --json");
        aton.SetHandler(parse => WriteHex(parse.GetValue(atonJson), Inet.Aton(parse.GetValue(atonAddress)!)));

        var ntoaHex = new Argument<string>("hex") { Description = "4 packed bytes in hex: 7f000001" };
        var ntoaJson = CommonOptions.Json();
        var ntoa = new Command("ntoa", "Packed IPv4 hex to dotted-decimal text") { ntoaHex, ntoaJson }
            .WithExamples("sock inet ntoa 7f000001");
        ntoa.SetHandler(parse => WriteAddress(parse.GetValue(ntoaJson), Inet.Ntoa(ParseHex(parse.GetValue(ntoaHex)!))));

        var ptonFamily = FamilyArgument();
        var ptonAddress = new Argument<string>("address") { Description = "Strict IPv4 dotted quad or IPv6 text" };
        var ptonJson = CommonOptions.Json();
        var pton = new Command("pton", "Address text to packed hex (inet_pton)") { ptonFamily, ptonAddress, ptonJson }
            .WithExamples("sock inet pton inet 10.0.0.1", "sock inet pton inet6 ::1 --json");
        pton.SetHandler(parse => WriteHex(parse.GetValue(ptonJson), Inet.Pton(Family(parse.GetValue(ptonFamily)!), parse.GetValue(ptonAddress)!)));

        var ntopFamily = FamilyArgument();
        var ntopHex = new Argument<string>("hex") { Description = "Packed address in hex (4 or 16 bytes)" };
        var ntopJson = CommonOptions.Json();
        var ntop = new Command("ntop", "Packed hex to address text (inet_ntop)") { ntopFamily, ntopHex, ntopJson }
            .WithExamples("sock inet ntop inet 0a000001", "sock inet ntop inet6 00000000000000000000ffff01020304 --json");
        ntop.SetHandler(parse => WriteAddress(parse.GetValue(ntopJson), Inet.Ntop(Family(parse.GetValue(ntopFamily)!), ParseHex(parse.GetValue(ntopHex)!))));

        command.Subcommands.Add(aton);
        command.Subcommands.Add(ntoa);
        command.Subcommands.Add(pton);
        command.Subcommands.Add(ntop);
        return command;
    }

    private static Argument<string> FamilyArgument() => new("family") { Description = "inet or inet6" };

    private static AddressFamily Family(string text) =>
        Inet.ParseFamily(text) ?? throw new UsageException($"inet: unknown address family '{text}' (inet or inet6)");

    private static byte[] ParseHex(string text)
    {
        try
        {
            return Hex.Parse(text);
        }
        catch (FormatException e)
        {
            throw new UsageException($"inet: {e.Message}");
        }
    }

    private static int WriteHex(bool json, byte[] packed)
    {
        if (json) Output.WriteJson(new HexJson(Hex.Format(packed)), ToolboxJsonContext.Default.HexJson);
        else Console.Out.WriteLine(Hex.Format(packed));
        return CommandRunner.Ok;
    }

    private static int WriteAddress(bool json, string address)
    {
        if (json) Output.WriteJson(new AddressJson(address), ToolboxJsonContext.Default.AddressJson);
        else Console.Out.WriteLine(address);
        return CommandRunner.Ok;
    }
}
