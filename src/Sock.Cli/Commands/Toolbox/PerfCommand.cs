using System.CommandLine;
using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Serialization;
using Sock.Perf;

namespace Sock.Cli.Commands.Toolbox;

/// <summary>`sock perf`: iperf3's client and server, on iperf3's wire protocol, with iperf3's report lines.</summary>
internal static class PerfCommand
{
    public static Command Create()
    {
        var server = new Option<bool>("--server", "-s") { Description = "Run as a server (iperf3 -s): one test at a time" };
        var client = new Option<string?>("--client", "-c") { Description = "Run a test against HOST (an iperf3 or sock perf server)" };
        var port = new Option<int>("--port", "-p") { Description = "Server port", DefaultValueFactory = _ => PerfLimits.DefaultPort };
        var udp = new Option<bool>("--udp", "-u") { Description = "UDP instead of TCP (default bitrate 1 Mbit/s, as iperf3)" };
        var parallel = new Option<int>("--parallel", "-P") { Description = "Parallel streams", DefaultValueFactory = _ => 1 };
        var reverse = new Option<bool>("--reverse", "-R") { Description = "The server sends, the client receives" };
        var time = new Option<double>("--time", "-t") { Description = "Seconds to transmit", DefaultValueFactory = _ => 10 };
        var bytes = new Option<string?>("--bytes", "-n") { Description = "Bytes to transmit instead of a duration (K/M/G = 1024-based)" };
        var length = new Option<string?>("--length", "-l") { Description = "Bytes per write (TCP, default 128K) or per datagram (UDP, default 1460)" };
        var bitrate = new Option<string?>("--bitrate", "-b") { Description = "Bits/s per stream (K/M/G = 1000-based); 0 = unlimited" };
        var interval = new Option<double>("--interval", "-i") { Description = "Seconds between interval reports (0: none)", DefaultValueFactory = _ => 1 };
        var oneOff = new Option<bool>("--one-off", "-1") { Description = "Server: handle one test, then exit (its status is the exit code)" };
        var bind = new Option<string?>("--bind", "-B") { Description = "Server: address to listen on (default: all, IPv4 and IPv6)" };
        var ipv4 = new Option<bool>("-4") { Description = "Client: IPv4 only" };
        var ipv6 = new Option<bool>("-6") { Description = "Client: IPv6 only" };
        var json = CommonOptions.Json();
        var command = new Command("perf", "Throughput and loss, TCP and UDP, on iperf3's protocol: works with iperf3 -s and iperf3 -c")
        {
            server, client, port, udp, parallel, reverse, time, bytes, length, bitrate, interval, oneOff, bind, ipv4, ipv6, json,
        }.WithExamples("sock perf -s -1", "sock perf -c 127.0.0.1 -t 5 -P 4", "sock perf -c 127.0.0.1 -u -b 100M -R --json", "iperf3 -c 127.0.0.1   # against `sock perf -s`");
        command.SetHandler(async (parse, ct) =>
        {
            var asJson = parse.GetValue(json);
            var host = parse.GetValue(client);
            var isServer = parse.GetValue(server);
            if (isServer == (host is not null)) throw new UsageException("perf: give either -s (server) or -c HOST (client)");
            var p = parse.GetValue(port);
            if (p is < 1 or > 65535) throw new UsageException($"perf: port {p} must be 1-65535");
            var every = parse.GetValue(interval);
            if (!(every >= 0) || every > 3600) throw new UsageException("perf: --interval must be 0-3600 seconds");
            var text = new PerfText(asJson, parse.GetValue(oneOff));
            var events = text.Events();
            if (isServer)
            {
                var options = new PerfServerOptions
                {
                    Port = p,
                    Bind = parse.GetValue(bind),
                    OneOff = parse.GetValue(oneOff),
                    Interval = TimeSpan.FromSeconds(every),
                };
                var result = await PerfServer.RunAsync(options, events, ct);
                if (options.OneOff && asJson && result is not null) Output.WriteJson(result, PerfJsonContext.Default.PerfResult);
                return CommandRunner.Ok;
            }
            var seconds = parse.GetValue(time);
            if (!(seconds > 0) || seconds > PerfLimits.MaxSeconds) throw new UsageException($"perf: --time must be more than 0 and at most {PerfLimits.MaxSeconds} seconds");
            if (parse.GetValue(ipv4) && parse.GetValue(ipv6)) throw new UsageException("perf: -4 and -6 exclude each other");
            var clientOptions = new PerfOptions
            {
                Udp = parse.GetValue(udp),
                Parallel = parse.GetValue(parallel),
                Reverse = parse.GetValue(reverse),
                Duration = TimeSpan.FromSeconds(seconds),
                Bytes = Size(parse.GetValue(bytes), "--bytes", binary: true),
                Length = (int)Math.Min(int.MaxValue, Size(parse.GetValue(length), "--length", binary: true)),
                Bandwidth = Size(parse.GetValue(bitrate), "--bitrate", binary: false),
                Interval = TimeSpan.FromSeconds(every),
                Family = parse.GetValue(ipv4) ? AddressFamily.InterNetwork : parse.GetValue(ipv6) ? AddressFamily.InterNetworkV6 : AddressFamily.Unspecified,
            };
            text.Connecting(host!, p, clientOptions.Reverse);
            var done = await PerfClient.RunAsync(host!, p, clientOptions, events, ct);
            if (asJson) Output.WriteJson(done, PerfJsonContext.Default.PerfResult);
            else PerfText.Summary(done);
            return CommandRunner.Ok;
        });
        return command;
    }

    /// <summary>iperf3's sizes: a number with an optional K, M, G or T (1024- or 1000-based).</summary>
    internal static long Size(string? value, string option, bool binary)
    {
        if (string.IsNullOrWhiteSpace(value)) return 0;
        var v = value.Trim();
        var scale = char.ToUpperInvariant(v[^1]) switch
        {
            'K' => binary ? 1024.0 : 1e3,
            'M' => binary ? 1024.0 * 1024 : 1e6,
            'G' => binary ? 1024.0 * 1024 * 1024 : 1e9,
            'T' => binary ? 1024.0 * 1024 * 1024 * 1024 : 1e12,
            _ => 1,
        };
        if (scale != 1) v = v[..^1];
        if (!double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) || !(n >= 0) || n * scale > 1e18)
            throw new UsageException($"perf: {option} '{value}' is not a size (like 100M)");
        return (long)(n * scale);
    }
}

/// <summary>iperf3's report lines: per-interval lines while the test runs, then sender and receiver totals.</summary>
internal sealed class PerfText(bool quiet, bool oneOff = false)
{
    private bool _headerShown;

    public PerfEvents Events() => new()
    {
        Log = quiet ? null : line => Write((line.StartsWith("Server listening", StringComparison.Ordinal)
            ? $"-----------------------------------------------------------\n{line}\n-----------------------------------------------------------\n" : line + "\n")),
        Connected = quiet ? null : s => Write($"[{Id(s.Id)}] local {s.LocalAddress} port {s.LocalPort} connected to {s.RemoteAddress} port {s.RemotePort}\n"),
        Started = quiet ? null : _ => _headerShown = false,
        Interval = quiet ? null : Interval,
        TestDone = r =>
        {
            if (quiet)
            {
                if (!oneOff) Output.WriteStdout(JsonSerializer.Serialize(r, PerfJsonContext.Compact.PerfResult) + "\n"); // one-off: the caller prints it indented
            }
            else
            {
                Summary(r);
                if (!oneOff) Write("-----------------------------------------------------------\nServer listening again\n-----------------------------------------------------------\n");
            }
        },
        TestFailed = e => Console.Error.WriteLine("sock: " + e),
    };

    public void Connecting(string host, int port, bool reverse)
    {
        if (quiet) return;
        Write($"Connecting to host {host}, port {port}\n" + (reverse ? $"Reverse mode, remote host {host} is sending\n" : ""));
    }

    private void Interval(PerfInterval interval)
    {
        var text = new System.Text.StringBuilder();
        var udp = interval.Sum.Packets is not null;
        if (!_headerShown)
        {
            text.Append(Header(udp, interval.Sender, summary: false));
            _headerShown = true;
        }
        foreach (var s in interval.Streams) text.Append(Line(s, udp, interval.Sender, "")).Append('\n');
        if (interval.Streams.Count > 1) text.Append(Line(interval.Sum, udp, interval.Sender, "")).Append('\n');
        Write(text.ToString());
    }

    public static void Summary(PerfResult r)
    {
        var udp = r.Protocol == "UDP";
        var text = new System.Text.StringBuilder("- - - - - - - - - - - - - - - - - - - - - - - - -\n");
        text.Append(udp ? "[ ID] Interval           Transfer     Bitrate         Jitter    Lost/Total Datagrams\n"
            : "[ ID] Interval           Transfer     Bitrate         Retr\n");
        foreach (var s in r.Streams)
        {
            text.Append(Line(s.Sent, udp, sender: true, "sender", total: s.Received)).Append('\n');
            text.Append(Line(s.Received, udp, sender: false, "receiver")).Append('\n');
        }
        if (r.Streams.Count > 1)
        {
            text.Append(Line(r.SumSent, udp, sender: true, "sender", total: r.SumReceived)).Append('\n');
            text.Append(Line(r.SumReceived, udp, sender: false, "receiver")).Append('\n');
        }
        text.Append(CultureInfo.InvariantCulture, $"CPU Utilization: local/{((r.Role == "client") != r.Reverse ? "sender" : "receiver")} {r.LocalCpuPercent:0.0}%, remote {r.RemoteCpuPercent:0.0}%\n");
        if (r.Role == "client") text.Append("\nperf Done.\n");
        Write(text.ToString());
    }

    private static string Header(bool udp, bool sender, bool summary) => udp
        ? (sender && !summary ? "[ ID] Interval           Transfer     Bitrate         Total Datagrams\n"
            : "[ ID] Interval           Transfer     Bitrate         Jitter    Lost/Total Datagrams\n")
        : sender ? "[ ID] Interval           Transfer     Bitrate         Retr\n" : "[ ID] Interval           Transfer     Bitrate\n";

    /// <summary>One report line; a summary line of a UDP sender shows the receiver's loss, as iperf3 does.</summary>
    private static string Line(PerfSample s, bool udp, bool sender, string role, PerfSample? total = null)
    {
        var c = CultureInfo.InvariantCulture;
        var head = string.Format(c, "[{0}] {1,6:0.00}-{2,-6:0.00} sec  {3}  {4}", Id(s.Id), s.Start, s.End, Bytes(s.Bytes), Bits(s.BitsPerSecond));
        string tail;
        if (udp && role.Length == 0 && sender) tail = string.Format(c, "  {0}", s.Packets ?? 0);
        else if (udp)
        {
            var counts = total ?? s;
            var jitter = role == "sender" ? 0 : s.JitterMs ?? 0;
            tail = string.Format(c, "  {0,5:0.000} ms  {1}/{2} ({3:0.##}%)", jitter, counts.Lost ?? 0, counts.Packets ?? 0, counts.LostPercent ?? 0);
        }
        else tail = sender ? string.Format(c, "  {0,3}", s.Retransmits?.ToString(c) ?? "") : role.Length > 0 ? "     " : "";
        return head + tail + (role.Length > 0 ? "  " + role : "");
    }

    private static string Id(int id) => id == 0 ? "SUM" : id.ToString("0", CultureInfo.InvariantCulture).PadLeft(3);

    /// <summary>iperf3's unit_snprintf: three significant digits, K/M/G of 1024 for bytes.</summary>
    private static string Bytes(double n)
    {
        var (value, unit) = n >= 1L << 30 ? (n / (1L << 30), "GBytes") : n >= 1 << 20 ? (n / (1 << 20), "MBytes") : n >= 1 << 10 ? (n / 1024, "KBytes") : (n, "Bytes");
        return Number(value) + " " + unit;
    }

    /// <summary>Bits per second with K/M/G of 1000, as iperf3 prints them.</summary>
    private static string Bits(double n)
    {
        var (value, unit) = n >= 1e9 ? (n / 1e9, "Gbits/sec") : n >= 1e6 ? (n / 1e6, "Mbits/sec") : n >= 1e3 ? (n / 1e3, "Kbits/sec") : (n, "bits/sec");
        return Number(value) + " " + unit;
    }

    private static string Number(double v) => v < 9.995 ? v.ToString("0.00", CultureInfo.InvariantCulture).PadLeft(4)
        : v < 99.95 ? v.ToString("0.0", CultureInfo.InvariantCulture).PadLeft(4) : v.ToString("0", CultureInfo.InvariantCulture).PadLeft(4);

    private static void Write(string text) => Output.WriteStdout(text);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(PerfResult))]
internal sealed partial class PerfJsonContext : JsonSerializerContext
{
    /// <summary>One line per test, for a server's stream of results.</summary>
    public static PerfJsonContext Compact { get; } = new(new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull });
}
