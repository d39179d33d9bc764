using System.CommandLine;
using System.Globalization;
using System.Net.Sockets;
using Sock.Net;

namespace Sock.Cli.Commands.Toolbox;

/// <summary>`sock probe HOST PORT[-PORT]…`: connect_ex over many ports with bounded concurrency.</summary>
internal static class ProbeCommand
{
    public static Command Create()
    {
        var defaults = new ProbeOptions();
        var host = new Argument<string>("host") { Description = "Host name or address" };
        var ports = new Argument<string[]>("ports") { Description = "Ports and ranges: 22 80-90 443,8443", Arity = ArgumentArity.OneOrMore };
        var udp = new Option<bool>("--udp", "-u") { Description = "UDP: an empty datagram; ICMP unreachable is closed, silence is timeout" };
        var timeout = new Option<double>("--timeout") { Description = "Seconds to wait per port", DefaultValueFactory = _ => defaults.Timeout.TotalSeconds };
        var concurrency = new Option<int>("--concurrency") { Description = "Ports probed at once", DefaultValueFactory = _ => defaults.Concurrency };
        var ipv4 = new Option<bool>("-4") { Description = "IPv4 only" };
        var ipv6 = new Option<bool>("-6") { Description = "IPv6 only" };
        var json = CommonOptions.Json();
        var proxy = new ProxyCommandOptions();
        var command = new Command("probe", "Check which ports accept connections (connect_ex); exit 0 when any port is open")
        {
            host, ports, udp, timeout, concurrency, ipv4, ipv6, json,
        };
        proxy.AddTo(command);
        command.WithExamples("sock probe 127.0.0.1 22 80-90", "sock probe --proxy socks5://127.0.0.1:1080 intranet.example 22 80 443", "sock probe localhost 53 --udp --timeout 0.5", "sock probe ::1 1-1024 --concurrency 200 --json");
        command.SetHandler(async (parse, ct) =>
        {
            IReadOnlyList<int> portList;
            try
            {
                portList = PortRanges.Parse(parse.GetValue(ports)!);
            }
            catch (FormatException e)
            {
                throw new UsageException($"probe: {e.Message}");
            }
            var seconds = parse.GetValue(timeout);
            if (!(seconds > 0) || seconds > 3600)
                throw new UsageException($"probe: --timeout {seconds.ToString(CultureInfo.InvariantCulture)} must be between 0 and 3600 seconds");
            var n = parse.GetValue(concurrency);
            if (n is < 1 or > 10000)
                throw new UsageException($"probe: --concurrency {n} must be between 1 and 10000");
            if (parse.GetValue(ipv4) && parse.GetValue(ipv6))
                throw new UsageException("probe: -4 and -6 exclude each other");
            var options = new ProbeOptions
            {
                Udp = parse.GetValue(udp),
                Timeout = TimeSpan.FromSeconds(seconds),
                Concurrency = n,
                Proxy = proxy.Read(parse),
                Family = parse.GetValue(ipv4) ? AddressFamily.InterNetwork : parse.GetValue(ipv6) ? AddressFamily.InterNetworkV6 : AddressFamily.Unspecified,
            };
            var results = await PortProbe.RunAsync(parse.GetValue(host)!, portList, options, ct);
            if (parse.GetValue(json))
            {
                Output.WriteJson(results.Select(r => new ProbeJson(r.Host, r.Address, r.Port, StateName(r.State), r.Errno, r.Error, r.Ms)).ToList(),
                    ToolboxJsonContext.Default.ListProbeJson);
            }
            else
            {
                Tables.Write(["ADDRESS", "PORT", "STATE", "ERROR", "MS"],
                    results.Select(r => (IReadOnlyList<string>)[
                        r.Address, r.Port.ToString(CultureInfo.InvariantCulture), StateName(r.State),
                        r.Error is null ? "" : $"{r.Error} ({r.Errno.ToString(CultureInfo.InvariantCulture)})",
                        r.Ms.ToString("0.00", CultureInfo.InvariantCulture)]),
                    (column, cell) => column != 2 ? null : cell == "open" ? Tables.Green : cell == "closed" ? Tables.Red : Tables.Yellow);
            }
            return results.Any(r => r.State == PortState.Open) ? CommandRunner.Ok : CommandRunner.Failure;
        });
        return command;
    }

    internal static string StateName(PortState state) => state switch
    {
        PortState.Open => "open",
        PortState.Closed => "closed",
        PortState.Timeout => "timeout",
        _ => "unreachable",
    };
}
