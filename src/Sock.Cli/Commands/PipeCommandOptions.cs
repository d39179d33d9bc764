using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using Microsoft.Win32.SafeHandles;
using Sock.Pipes;

namespace Sock.Cli.Commands;

/// <summary>Flags `connect` and `listen` share, and the glue both need (stdio streams, status lines).</summary>
internal sealed class PipeCommandOptions
{
    public Option<bool> Udp { get; } = new("--udp", "-u") { Description = "UDP: each input chunk is one datagram" };
    public Option<string?> Unix { get; } = new("--unix", "-U") { Description = "Unix socket at PATH (@name: Linux abstract namespace) instead of TCP", HelpName = "PATH" };
    public Option<bool> Dgram { get; } = new("--dgram") { Description = "With -U: a datagram socket (SOCK_DGRAM)" };
    public Option<bool> SeqPacket { get; } = new("--seqpacket") { Description = "With -U: a sequenced-packet socket (SOCK_SEQPACKET): each chunk one record" };
    public Option<bool> Ipv4 { get; } = new("-4") { Description = "IPv4 only" };
    public Option<bool> Ipv6 { get; } = new("-6") { Description = "IPv6 only" };
    public Option<bool> Tls { get; } = new("--tls") { Description = "TLS 1.2/1.3 over TCP" };
    public Option<double?> IdleTimeout { get; } = new("--idle-timeout") { Description = "Fail when no data moves for S seconds", HelpName = "S" };
    public Option<bool> Crlf { get; } = new("--crlf") { Description = "Send LF from the input as CRLF (SMTP, HTTP by hand)" };
    public Option<bool> SendOnly { get; } = new("--send-only") { Description = "Only send: discard what the peer sends; end when the input ends" };
    public Option<bool> RecvOnly { get; } = new("--recv-only") { Description = "Only receive: never read the input" };
    public Option<double?> Delay { get; } = new("--delay", "-d") { Description = "Wait S seconds after each chunk sent", HelpName = "S" };
    public Option<string?> LogFile { get; } = new("--output", "-o") { Description = "Also write both directions' bytes to FILE", HelpName = "FILE" };
    public Option<string?> HexFile { get; } = new("--hex-dump", "-x") { Description = "Also write both directions as a hex dump (ncat's layout) to FILE", HelpName = "FILE" };

    public void AddTo(Command command)
    {
        foreach (var o in new Option[] { Udp, Unix, Dgram, SeqPacket, Ipv4, Ipv6, Tls, IdleTimeout, Crlf, SendOnly, RecvOnly, Delay, LogFile, HexFile }) command.Options.Add(o);
    }

    public AddressFamily Family(ParseResult parse)
    {
        var (v4, v6) = (parse.GetValue(Ipv4), parse.GetValue(Ipv6));
        if (v4 && v6) throw new UsageException("-4 and -6 exclude each other");
        return v4 ? AddressFamily.InterNetwork : v6 ? AddressFamily.InterNetworkV6 : AddressFamily.Unspecified;
    }

    public PumpSettings Pump(ParseResult parse)
    {
        if (parse.GetValue(SendOnly) && parse.GetValue(RecvOnly)) throw new UsageException("--send-only and --recv-only exclude each other");
        var (raw, hex) = (parse.GetValue(LogFile), parse.GetValue(HexFile));
        return new()
        {
            IdleTimeout = Seconds(parse.GetValue(IdleTimeout), "--idle-timeout"),
            Crlf = parse.GetValue(Crlf),
            FinishInputAfterPeerClose = InputIsRegularFile(),
            SendOnly = parse.GetValue(SendOnly),
            RecvOnly = parse.GetValue(RecvOnly),
            Delay = Seconds(parse.GetValue(Delay), "--delay"),
            Log = raw is null && hex is null ? null : new TrafficLog(raw, hex),
        };
    }

    /// <summary>
    /// `sock connect … &lt; file`: a file is finite and fully ours, so it is delivered whole even if the
    /// peer finishes its side first. A pipe or terminal ends with the peer, like ncat.
    /// </summary>
    private static bool InputIsRegularFile()
    {
        try
        {
            using var stream = new FileStream(new SafeFileHandle(0, ownsHandle: false), FileAccess.Read, bufferSize: 0);
            return stream.CanSeek;
        }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Checks the transport flags agree: -U excludes -u, a host and -4/-6; TLS needs TCP.</summary>
    public void Validate(ParseResult parse)
    {
        var unix = parse.GetValue(Unix) is not null;
        if (unix && parse.GetValue(Udp)) throw new UsageException("-U (Unix stream socket) and -u (UDP) exclude each other");
        if (parse.GetValue(Tls) && parse.GetValue(Udp)) throw new UsageException("--tls works over TCP or Unix sockets, not UDP");
        if (unix && (parse.GetValue(Ipv4) || parse.GetValue(Ipv6))) throw new UsageException("-4/-6 do not apply to a Unix socket");
        if ((parse.GetValue(Dgram) || parse.GetValue(SeqPacket)) && !unix) throw new UsageException("--dgram and --seqpacket are Unix socket types: give -U PATH (for UDP, -u)");
        if (parse.GetValue(Dgram) && parse.GetValue(SeqPacket)) throw new UsageException("--dgram and --seqpacket exclude each other");
        if (parse.GetValue(Dgram) && parse.GetValue(Tls)) throw new UsageException("--tls needs a stream socket, not --dgram");
    }

    public SocketType UnixType(ParseResult parse) =>
        parse.GetValue(Dgram) ? SocketType.Dgram : parse.GetValue(SeqPacket) ? SocketType.Seqpacket : SocketType.Stream;

    public static TimeSpan? Seconds(double? value, string flag) => value switch
    {
        null => null,
        <= 0 or double.NaN or > 1e6 => throw new UsageException($"{flag} wants a positive number of seconds, not {value}"),
        var s => TimeSpan.FromSeconds(s.Value),
    };

    public static int ParsePort(string text, bool allowZero)
    {
        if (int.TryParse(text, out var port) && port >= (allowZero ? 0 : 1) && port <= 65535) return port;
        throw new UsageException($"'{text}' is not a port number ({(allowZero ? 0 : 1)}-65535)");
    }

    public static IPEndPoint ParseSource(string text)
    {
        if (IPAddress.TryParse(text.Trim('[', ']'), out var bare)) return new IPEndPoint(bare, 0);
        if (IPEndPoint.TryParse(text, out var endPoint)) return endPoint;
        throw new UsageException($"--source '{text}' is not ADDR or ADDR:PORT (IPv6 as [ADDR]:PORT)");
    }

    /// <summary>
    /// Raw stdin/stdout, unbuffered and binary-safe. Pipes, sockets and terminals get a FileStream
    /// over the descriptor (its async reads/writes go straight to read(2)/write(2)); a regular file
    /// or device keeps the console stream, because a FileStream would track its own offset and
    /// overwrite what other processes append to a shared file (`(sock …; echo) >> log`).
    /// </summary>
    public static (Stream Input, Stream Output) OpenStdio() =>
        (Open(0, FileAccess.Read) ?? Console.OpenStandardInput(), Open(1, FileAccess.Write) ?? Console.OpenStandardOutput());

    private static FileStream? Open(int fd, FileAccess access)
    {
        try
        {
            var stream = new FileStream(new SafeFileHandle(fd, ownsHandle: false), access, bufferSize: 0);
            if (!stream.CanSeek) return stream;
            stream.Dispose();
        }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException)
        {
        }
        return null;
    }

    /// <summary>Reports that are part of the interface (connects, disconnects, fingerprints): always on stderr.</summary>
    public static void Report(string line) => Console.Error.WriteLine($"sock: {line}");

    /// <summary>Status meant for a person watching: only when stderr is a terminal.</summary>
    public static void Status(string line)
    {
        if (Output.StderrIsTerminal) Console.Error.WriteLine($"sock: {line}");
    }

    public static void Totals(PumpResult result) =>
        Status($"{result.BytesOut} bytes out, {result.BytesIn} bytes in");
}
