using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using Sock.Net;

namespace Sock.Cli.Commands.Toolbox;

/// <summary>`sock probe HOST PORT[-PORT]…`: connect_ex over many ports with bounded concurrency.</summary>
internal static class ProbeCommand
{
    /// <summary>Above this many ports the table lists only open ones and a summary, as nmap hides closed ports.</summary>
    private const int ListEveryPortUpTo = 25;

    public static Command Create()
    {
        var host = new Argument<string>("host") { Description = "Host name or address" };
        var ports = new Argument<string[]>("ports") { Description = "Ports and ranges: 22 80-90 443,8443 (or --top-ports)", Arity = ArgumentArity.ZeroOrMore };
        var topPorts = new Option<int?>("--top-ports") { Description = "The N most often open ports, in nmap's frequency order", HelpName = "N" };
        var udp = new Option<bool>("--udp", "-u") { Description = "UDP: an empty datagram; ICMP unreachable is closed, silence is timeout" };
        var timeout = new Option<double>("--timeout") { Description = "Seconds to wait per port", DefaultValueFactory = _ => 2 };
        var concurrency = new Option<int?>("--concurrency")
        {
            Description = $"Ports probed at once (default {ProbeOptions.DefaultConcurrency()}, at most the open-file limit allows)",
            HelpName = "N",
        };
        var banner = new Option<bool>("--banner") { Description = "Read what each open port says first (SSH, SMTP, FTP greetings), escaped" };
        var bannerWait = new Option<double>("--banner-wait") { Description = "Seconds to wait for a banner", DefaultValueFactory = _ => 2 };
        var source = new Option<string?>("--source", "-s") { Description = "Local address (and port) to probe from", HelpName = "ADDR[:PORT]" };
        var ipv4 = new Option<bool>("-4") { Description = "IPv4 only" };
        var ipv6 = new Option<bool>("-6") { Description = "IPv6 only" };
        var json = CommonOptions.Json();
        var proxy = new ProxyCommandOptions();
        var command = new Command("probe", "Check which ports accept connections (connect_ex); exit 0 when any port is open")
        {
            host, ports, topPorts, udp, timeout, concurrency, banner, bannerWait, source, ipv4, ipv6, json,
        };
        proxy.AddTo(command);
        command.WithExamples("sock probe 127.0.0.1 22 80-90", "sock probe 127.0.0.1 1-65535", "sock probe example.net --top-ports 100 --banner",
            "sock probe --proxy socks5://127.0.0.1:1080 intranet.example 22 80 443", "sock probe localhost 53 --udp --timeout 0.5",
            "sock probe ::1 1-1024 --concurrency 200 --json");
        command.SetHandler(async (parse, ct) =>
        {
            var isUdp = parse.GetValue(udp);
            var portList = ReadPorts(parse.GetValue(ports)!, parse.GetValue(topPorts), isUdp);
            var seconds = parse.GetValue(timeout);
            if (!(seconds > 0) || seconds > 3600)
                throw new UsageException($"probe: --timeout {seconds.ToString(CultureInfo.InvariantCulture)} must be between 0 and 3600 seconds");
            var waitSeconds = parse.GetValue(bannerWait);
            if (!(waitSeconds > 0) || waitSeconds > 3600)
                throw new UsageException($"probe: --banner-wait {waitSeconds.ToString(CultureInfo.InvariantCulture)} must be between 0 and 3600 seconds");
            if (parse.GetValue(banner) && isUdp)
                throw new UsageException("probe: --banner is for TCP, not --udp");
            // Each probe in flight is one descriptor: raise the soft limit to the hard one first.
            FileLimits.RaiseToHard();
            var most = ProbeOptions.MaxConcurrency();
            var n = parse.GetValue(concurrency) ?? ProbeOptions.DefaultConcurrency();
            if (n < 1 || n > most)
                throw new UsageException($"probe: --concurrency {n} must be between 1 and {most} (the open-file limit, less what sock keeps for itself)");
            if (parse.GetValue(ipv4) && parse.GetValue(ipv6))
                throw new UsageException("probe: -4 and -6 exclude each other");
            var sourceText = parse.GetValue(source);
            var from = sourceText is null ? null : PipeCommandOptions.ParseSource(sourceText);
            var done = 0;
            var open = 0;
            var options = new ProbeOptions
            {
                Udp = isUdp,
                Timeout = TimeSpan.FromSeconds(seconds),
                Concurrency = n,
                Proxy = proxy.Read(parse),
                Family = parse.GetValue(ipv4) ? AddressFamily.InterNetwork : parse.GetValue(ipv6) ? AddressFamily.InterNetworkV6 : AddressFamily.Unspecified,
                Banner = parse.GetValue(banner),
                BannerWait = TimeSpan.FromSeconds(waitSeconds),
                Source = from,
                OnResult = r =>
                {
                    Interlocked.Increment(ref done);
                    if (r.State == PortState.Open) Interlocked.Increment(ref open);
                },
            };
            var clock = Stopwatch.StartNew();
            var running = PortProbe.RunAsync(parse.GetValue(host)!, portList, options, ct);
            if (Output.StderrIsTerminal && portList.Count > ListEveryPortUpTo)
                await ShowProgressAsync(running, portList.Count, () => (Volatile.Read(ref done), Volatile.Read(ref open)));
            var results = await running;
            if (parse.GetValue(json))
            {
                Output.WriteJson(results.Select(r => new ProbeJson(r.Host, r.Address, r.Port, StateName(r.State), r.Errno, r.Error, r.Ms, r.Banner)).ToList(),
                    ToolboxJsonContext.Default.ListProbeJson);
            }
            else
            {
                WriteTable(results, options.Banner, clock.Elapsed);
            }
            return results.Any(r => r.State == PortState.Open) ? CommandRunner.Ok : CommandRunner.Failure;
        });
        return command;
    }

    private static IReadOnlyList<int> ReadPorts(string[] specs, int? top, bool udp)
    {
        if (top is { } count)
        {
            if (specs.Length > 0) throw new UsageException("probe: give ports or --top-ports, not both");
            if (count is < 1 or > PortRanges.MaxPorts) throw new UsageException($"probe: --top-ports {count} must be between 1 and {PortRanges.MaxPorts}");
            return TopPorts.Get(count, udp);
        }
        if (specs.Length == 0) throw new UsageException("probe: give ports (22 80-90 443,8443) or --top-ports N");
        try
        {
            return PortRanges.Parse(specs);
        }
        catch (FormatException e)
        {
            throw new UsageException($"probe: {e.Message}");
        }
    }

    /// <summary>A line on stderr redrawn while the probe runs: ports done of all, open so far; erased at the end.</summary>
    private static async Task ShowProgressAsync(Task running, int total, Func<(int Done, int Open)> read)
    {
        while (!running.IsCompleted)
        {
            await Task.WhenAny(running, Task.Delay(200));
            var (done, open) = read();
            Console.Error.Write($"\rsock: probed {done}/{total} ports ({100.0 * done / total:0}%), {open} open\e[K");
        }
        Console.Error.Write("\r\e[K");
    }

    private static void WriteTable(IReadOnlyList<ProbeResult> results, bool banner, TimeSpan elapsed)
    {
        var big = results.Count > ListEveryPortUpTo;
        var shown = big ? results.Where(r => r.State == PortState.Open).ToList() : results;
        string[] headers = banner ? ["ADDRESS", "PORT", "STATE", "ERROR", "MS", "BANNER"] : ["ADDRESS", "PORT", "STATE", "ERROR", "MS"];
        if (shown.Count > 0)
        {
            Tables.Write(headers,
                shown.Select(r => (IReadOnlyList<string>)[
                    r.Address, r.Port.ToString(CultureInfo.InvariantCulture), StateName(r.State),
                    r.Error is null ? "" : $"{r.Error} ({r.Errno.ToString(CultureInfo.InvariantCulture)})",
                    r.Ms.ToString("0.00", CultureInfo.InvariantCulture), .. banner ? [r.Banner ?? ""] : Array.Empty<string>()]),
                (column, cell) => column != 2 ? null : cell == "open" ? Tables.Green : cell == "closed" ? Tables.Red : Tables.Yellow);
        }
        if (!big) return;
        // nmap's "Not shown: 65532 closed tcp ports": every state counted, in one line.
        var counts = results.GroupBy(r => r.State).OrderBy(g => g.Key).Select(g => $"{g.Count()} {StateName(g.Key)}");
        Output.WriteStdout($"{results.Count} ports in {elapsed.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)} s: {string.Join(", ", counts)}\n");
    }

    internal static string StateName(PortState state) => state switch
    {
        PortState.Open => "open",
        PortState.Closed => "closed",
        PortState.Timeout => "timeout",
        _ => "unreachable",
    };
}
