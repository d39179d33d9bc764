using System.CommandLine;
using System.Globalization;
using System.Net.Sockets;
using Sock.Net.Ping;

namespace Sock.Cli.Commands.Toolbox;

/// <summary>`sock ping HOST`: ICMP echo with iputils' output, or one JSON document.</summary>
internal static class PingCommand
{
    public static Command Create()
    {
        var defaults = new PingOptions();
        var host = new Argument<string>("HOST") { Description = "Host name or address" };
        var count = new Option<int>("--count", "-c") { Description = "Echo requests to send", DefaultValueFactory = _ => defaults.Count };
        var interval = new Option<double>("--interval", "-i") { Description = "Seconds between requests", DefaultValueFactory = _ => defaults.Interval.TotalSeconds };
        var size = new Option<int>("--size", "-s") { Description = "Payload bytes per request", DefaultValueFactory = _ => defaults.PayloadSize };
        var wait = new Option<double>("--timeout", "-W") { Description = "Seconds to wait for replies after the last request", DefaultValueFactory = _ => defaults.Timeout.TotalSeconds };
        var ipv4 = new Option<bool>("-4") { Description = "IPv4 only" };
        var ipv6 = new Option<bool>("-6") { Description = "IPv6 only" };
        var json = CommonOptions.Json();
        var command = new Command("ping", "ICMP echo (raw socket as root, else the unprivileged ICMP socket where allowed), summarised like iputils ping")
        {
            host, count, interval, size, wait, ipv4, ipv6, json,
        }.WithExamples("sock ping 127.0.0.1 -c 3", "sock ping -6 ::1 -i 0.2 -c 5 --json");
        command.SetHandler(async (parse, ct) =>
        {
            var n = parse.GetValue(count);
            if (n is < 1 or > 100000) throw new UsageException($"ping: --count {n} must be 1-100000");
            var every = parse.GetValue(interval);
            if (!(every >= 0.01) || every > 3600) throw new UsageException("ping: --interval must be 0.01-3600 seconds");
            var bytes = parse.GetValue(size);
            if (bytes is < 0 or > 65500) throw new UsageException($"ping: --size {bytes} must be 0-65500");
            var timeout = parse.GetValue(wait);
            if (!(timeout > 0) || timeout > 3600) throw new UsageException("ping: --timeout must be 0-3600 seconds");
            if (parse.GetValue(ipv4) && parse.GetValue(ipv6)) throw new UsageException("ping: -4 and -6 exclude each other");
            var options = new PingOptions
            {
                Count = n,
                Interval = TimeSpan.FromSeconds(every),
                PayloadSize = bytes,
                Timeout = TimeSpan.FromSeconds(timeout),
                Family = parse.GetValue(ipv4) ? AddressFamily.InterNetwork : parse.GetValue(ipv6) ? AddressFamily.InterNetworkV6 : AddressFamily.Unspecified,
            };
            var asJson = parse.GetValue(json);
            var name = parse.GetValue(host)!;
            // One stream for every line: each reply is written as it arrives, at the file's current end.
            using var stdout = Console.OpenStandardOutput();
            void Print(string text)
            {
                try { stdout.Write(System.Text.Encoding.UTF8.GetBytes(text)); }
                catch (IOException) { } // a reader that went away (`| head -3`)
            }
            var summary = await Pinger.RunAsync(name, options,
                asJson ? null : r => Print($"{r.Bytes} bytes from {Shown(name)}: icmp_seq={r.Seq}{(r.Ttl is { } t ? $" ttl={t}" : "")} time={Ms(r.Ms)} ms\n"),
                ct,
                asJson ? null : (h, a, _) => Print(a.AddressFamily == AddressFamily.InterNetwork
                    ? $"PING {h} ({a}) {bytes}({bytes + 28}) bytes of data.\n"
                    : $"PING {Shown(h)}({a}) {bytes} data bytes\n")); // iputils' two header forms
            if (asJson)
            {
                Output.WriteJson(new PingJson(summary.Host, summary.Address, summary.Transmitted, summary.Received, summary.Loss,
                    summary.Received == 0 ? null : new RttJson(R(summary.Min), R(summary.Avg), R(summary.Max), R(summary.Mdev)),
                    summary.Replies.Select(r => new PingReplyJson(r.Seq, r.Bytes, r.Ttl, r.Ms)).ToList()), PingJsonContext.Default.PingJson);
            }
            else
            {
                var text = $"\n--- {name} ping statistics ---\n"
                    + $"{summary.Transmitted} packets transmitted, {summary.Received} received, {summary.Loss.ToString("0.#", CultureInfo.InvariantCulture)}% packet loss, time {(long)summary.Elapsed.TotalMilliseconds}ms\n";
                if (summary.Received > 0)
                    text += $"rtt min/avg/max/mdev = {Ms(summary.Min)}/{Ms(summary.Avg)}/{Ms(summary.Max)}/{Ms(summary.Mdev)} ms\n";
                Print(text);
            }
            return summary.Received > 0 ? CommandRunner.Ok : CommandRunner.Failure;
        });
        return command;
    }

    private static string Shown(string host) => host.Trim('[', ']');
    private static string Ms(double ms) => ms.ToString("0.000", CultureInfo.InvariantCulture);
    private static double R(double ms) => Math.Round(ms, 3);
}

internal sealed record RttJson(double Min, double Avg, double Max, double Mdev);

internal sealed record PingReplyJson(int Seq, int Bytes, int? Ttl, double Ms);

internal sealed record PingJson(string Host, string Address, int Transmitted, int Received, double Loss,
    [property: System.Text.Json.Serialization.JsonPropertyName("rtt_ms")] RttJson? RttMs, IReadOnlyList<PingReplyJson> Replies);

[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.SnakeCaseLower)]
[System.Text.Json.Serialization.JsonSerializable(typeof(PingJson))]
internal sealed partial class PingJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
