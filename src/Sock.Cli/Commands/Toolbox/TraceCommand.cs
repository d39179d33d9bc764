using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json.Serialization;
using Sock.Net.Trace;

namespace Sock.Cli.Commands.Toolbox;

/// <summary>`sock trace HOST`: traceroute's lines (ICMP, UDP or TCP SYN probes), or mtr --report's table with --report.</summary>
internal static class TraceCommand
{
    public static Command Create()
    {
        var defaults = new TraceOptions();
        var host = new Argument<string>("HOST") { Description = "Host name or IPv4 address" };
        var udp = new Option<bool>("--udp", "-U") { Description = "UDP probes to ports 33434 and up (traceroute's default)" };
        var tcp = new Option<int?>("--tcp", "-T") { Description = "TCP SYN probes to PORT: gets through routers and firewalls that drop ICMP echo" };
        var noDns = new Option<bool>("--no-dns", "-n") { Description = "Print addresses only, no reverse names" };
        var maxHops = new Option<int>("--max-hops", "-m") { Description = "Largest TTL to try", DefaultValueFactory = _ => defaults.MaxHops };
        var queries = new Option<int>("--queries", "-q") { Description = "Probes per hop", DefaultValueFactory = _ => defaults.Queries };
        var wait = new Option<double>("--wait", "-w") { Description = "Seconds to wait for each answer", DefaultValueFactory = _ => defaults.Wait.TotalSeconds };
        var report = new Option<bool>("--report", "-r") { Description = "mtr --report: CYCLES rounds, then loss and round trips per hop" };
        var cycles = new Option<int>("--cycles", "-c") { Description = "Rounds for --report", DefaultValueFactory = _ => 10 };
        var interval = new Option<double>("--interval", "-i") { Description = "Seconds between --report rounds", DefaultValueFactory = _ => 1 };
        var json = CommonOptions.Json();
        var command = new Command("trace", "The route to a host, hop by hop (raw ICMP socket: root or CAP_NET_RAW)")
        {
            host, udp, tcp, noDns, maxHops, queries, wait, report, cycles, interval, json,
        }.WithExamples("sock trace -n 10.0.3.2", "sock trace --tcp 443 example.org", "sock trace --report -c 5 -n 10.0.3.2 --json");
        command.SetHandler(async (parse, ct) =>
        {
            var port = parse.GetValue(tcp);
            if (port is not null && parse.GetValue(udp)) throw new UsageException("trace: --udp and --tcp exclude each other");
            var every = parse.GetValue(interval);
            if (!(every >= 0) || every > 3600) throw new UsageException("trace: --interval must be 0-3600 seconds");
            var w = parse.GetValue(wait);
            if (!(w > 0) || w > 60) throw new UsageException("trace: --wait must be more than 0 and at most 60 seconds");
            var options = new TraceOptions
            {
                Protocol = port is not null ? TraceProtocol.Tcp : parse.GetValue(udp) ? TraceProtocol.Udp : TraceProtocol.Icmp,
                Port = port ?? 0,
                MaxHops = parse.GetValue(maxHops),
                Queries = parse.GetValue(queries),
                Wait = TimeSpan.FromSeconds(w),
                ResolveNames = !parse.GetValue(noDns),
            };
            var name = parse.GetValue(host)!;
            var asJson = parse.GetValue(json);
            if (parse.GetValue(report))
            {
                var started = DateTimeOffset.Now;
                var r = await Tracer.ReportAsync(name, options, parse.GetValue(cycles), TimeSpan.FromSeconds(every), ct);
                if (asJson) Output.WriteJson(r, TraceJsonContext.Default.TraceReport);
                else Output.WriteStdout(ReportText(r, started));
                return r.Reached ? CommandRunner.Ok : NotReached(name, options.MaxHops);
            }
            var result = await Tracer.RunAsync(name, options, asJson ? null : (h, a) =>
                Output.WriteStdout($"trace to {h} ({a}), {options.MaxHops} hops max, {Describe(options)}\n"), ct);
            if (asJson) Output.WriteJson(result, TraceJsonContext.Default.TraceResult);
            else Output.WriteStdout(HopsText(result, options.ResolveNames));
            return result.Reached ? CommandRunner.Ok : NotReached(name, options.MaxHops);
        });
        return command;
    }

    private static int NotReached(string host, int maxHops)
    {
        Console.Error.WriteLine($"sock: trace {host}: destination not reached within {maxHops} hops");
        return CommandRunner.Failure;
    }

    private static string Describe(TraceOptions o) => o.Protocol switch
    {
        TraceProtocol.Tcp => $"TCP SYN probes to port {o.Port}",
        TraceProtocol.Udp => $"UDP probes to ports {TraceOptions.FirstUdpPort}+",
        _ => "ICMP echo probes",
    };

    /// <summary>traceroute's lines: a hop's number, then each answering address once (with its name) followed by its times.</summary>
    private static string HopsText(TraceResult r, bool names)
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        foreach (var hop in r.Hops)
        {
            text.Append(c, $"{hop.Hop,2} ");
            string? last = null;
            foreach (var p in hop.Probes)
            {
                if (p.Address is null)
                {
                    text.Append(" *");
                    continue;
                }
                if (p.Address != last)
                {
                    text.Append(' ').Append(names ? $"{p.Name ?? p.Address} ({p.Address})" : p.Address);
                    last = p.Address;
                }
                text.Append(c, $"  {p.Ms:0.000} ms");
                if (p.Note is not null) text.Append(' ').Append(p.Note);
            }
            text.Append('\n');
        }
        return text.ToString();
    }

    /// <summary>mtr --report's table.</summary>
    private static string ReportText(TraceReport r, DateTimeOffset started)
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.Append(c, $"Start: {started:yyyy-MM-ddTHH:mm:sszzz}\n");
        text.Append(c, $"HOST: {Environment.MachineName,-28}Loss%   Snt   Last   Avg  Best  Wrst StDev\n");
        foreach (var h in r.Hops)
        {
            var who = h.Address is null ? "???" : h.Name ?? h.Address;
            text.Append(c, $"{h.Hop,3}.|-- {who,-26}{h.Loss,4:0.0}%{h.Sent,6}{h.Last,7:0.0}{h.Avg,6:0.0}{h.Best,6:0.0}{h.Worst,6:0.0}{h.StDev,6:0.0}\n");
        }
        return text.ToString();
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(TraceResult))]
[JsonSerializable(typeof(TraceReport))]
internal sealed partial class TraceJsonContext : JsonSerializerContext;
