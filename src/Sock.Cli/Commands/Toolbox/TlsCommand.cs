using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Serialization;
using Sock.Tls;

namespace Sock.Cli.Commands.Toolbox;

/// <summary>`sock tls HOST[:PORT]`: a TLS handshake shown as `openssl s_client -showcerts` would, and why a chain fails.</summary>
internal static class TlsCommand
{
    public static Command Create()
    {
        var target = new Argument<string>("target") { Description = "HOST or HOST:PORT ([ADDR]:PORT for IPv6); port 443, or the --starttls protocol's" };
        var sni = new Option<string?>("--sni") { Description = "Server name to send (SNI) and verify, instead of HOST", HelpName = "NAME" };
        var alpn = new Option<string?>("--alpn") { Description = "ALPN protocols to offer, comma-separated (h2,http/1.1)", HelpName = "LIST" };
        var ca = new Option<string?>("--ca") { Description = "Verify against only the CAs in this PEM file, not the system's", HelpName = "FILE" };
        var startTls = new Option<string?>("--starttls") { Description = "Upgrade a clear-text protocol first: smtp, imap, pop3, ftp, irc, xmpp, postgres", HelpName = "PROTO" };
        var timeout = new Option<double>("--timeout") { Description = "Seconds for connect, STARTTLS and handshake together", DefaultValueFactory = _ => 10 };
        var ipv4 = new Option<bool>("-4") { Description = "IPv4 only" };
        var ipv6 = new Option<bool>("-6") { Description = "IPv6 only" };
        var json = CommonOptions.Json();
        var command = new Command("tls", "Show a server's TLS handshake and certificate chain, and whether (and why not) it verifies; exit 1 when it does not")
        {
            target, sni, alpn, ca, startTls, timeout, ipv4, ipv6, json,
        };
        command.WithExamples("sock tls example.net", "sock tls 127.0.0.1:8443 --sni test.local --ca ca.pem", "sock tls mail.example.net:587 --starttls smtp",
            "sock tls example.net --alpn h2,http/1.1 --json");
        command.SetHandler(async (parse, ct) =>
        {
            StartTlsProtocol? protocol = null;
            if (parse.GetValue(startTls) is { } name)
            {
                if (!StartTls.TryParse(name, out var p))
                    throw new UsageException($"tls: --starttls {name}: not one of smtp, imap, pop3, ftp, irc, xmpp, postgres");
                protocol = p;
            }
            var (host, port) = SplitTarget(parse.GetValue(target)!, protocol is { } pr ? StartTls.DefaultPort(pr) : 443);
            var seconds = parse.GetValue(timeout);
            if (!(seconds > 0) || seconds > 3600)
                throw new UsageException($"tls: --timeout {seconds.ToString(CultureInfo.InvariantCulture)} must be between 0 and 3600 seconds");
            if (parse.GetValue(ipv4) && parse.GetValue(ipv6)) throw new UsageException("tls: -4 and -6 exclude each other");
            var alpnList = parse.GetValue(alpn)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (alpnList is { Length: 0 }) throw new UsageException("tls: --alpn needs at least one protocol name");
            var options = new TlsInspectOptions(host, port)
            {
                Sni = parse.GetValue(sni),
                Alpn = alpnList,
                Ca = parse.GetValue(ca) is { } caFile ? TlsCertificates.LoadCaBundle(caFile) : null,
                StartTls = protocol,
                Timeout = TimeSpan.FromSeconds(seconds),
                Family = parse.GetValue(ipv4) ? AddressFamily.InterNetwork : parse.GetValue(ipv6) ? AddressFamily.InterNetworkV6 : AddressFamily.Unspecified,
            };
            var report = await TlsInspector.InspectAsync(options, ct);
            if (parse.GetValue(json)) Output.WriteJson(report, TlsJsonContext.Default.TlsReport);
            else Output.WriteStdout(TlsText.Render(report));
            return report.Verified ? CommandRunner.Ok : CommandRunner.Failure;
        });
        return command;
    }

    /// <summary>HOST, HOST:PORT, [V6]:PORT, or a bare IPv6 address (its colons are not a port).</summary>
    internal static (string Host, int Port) SplitTarget(string text, int defaultPort)
    {
        if (text.Length == 0) throw new UsageException("tls: empty target");
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0) throw new UsageException($"tls: '{text}' has no closing ]");
            var rest = text[(close + 1)..];
            if (rest.Length == 0) return (text[1..close], defaultPort);
            if (rest[0] != ':') throw new UsageException($"tls: '{text}' is not [ADDR]:PORT");
            return (text[1..close], Port(rest[1..], text));
        }
        if (text.Count(c => c == ':') > 1 && IPAddress.TryParse(text, out _)) return (text, defaultPort);
        var colon = text.LastIndexOf(':');
        return colon < 0 ? (text, defaultPort) : (text[..colon], Port(text[(colon + 1)..], text));
    }

    private static int Port(string text, string whole) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 1 and <= 65535
            ? port
            : throw new UsageException($"tls: '{whole}': port '{text}' is not 1-65535");
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(TlsReport))]
internal sealed partial class TlsJsonContext : JsonSerializerContext;
