using System.Text;

namespace Sock.Net.Proxy;

/// <summary>What one proxy reply says, as far as the bytes so far tell.</summary>
public enum ProxyReplyStatus
{
    /// <summary>Not enough bytes yet: <see cref="ProxyReply.Length"/> is how many the reply needs at least.</summary>
    Incomplete,
    /// <summary>The proxy agreed; <see cref="ProxyReply.Length"/> bytes are the reply.</summary>
    Accepted,
    /// <summary>A well-formed refusal; <see cref="ProxyReply.Message"/> says why, <see cref="ProxyReply.Code"/> is the proxy's code.</summary>
    Refused,
    /// <summary>Not the protocol we spoke (garbage, wrong version, an oversized header).</summary>
    Malformed,
}

/// <summary>
/// The verdict on one proxy reply. <see cref="Code"/> is the reply's own number (SOCKS5 REP,
/// SOCKS4 CD, HTTP status, or the chosen SOCKS5 method).
/// </summary>
public readonly record struct ProxyReply(ProxyReplyStatus Status, int Length, int Code = 0, string Message = "")
{
    public static ProxyReply Need(int length) => new(ProxyReplyStatus.Incomplete, length);
}

/// <summary>Which reply of which handshake a buffer holds (the fuzz harness picks one from its first byte).</summary>
public enum ProxyReplyKind { Socks5Method, Socks5Auth, Socks5Connect, Socks4Connect, HttpConnect }

/// <summary>
/// Pure parsers for every reply a SOCKS5 (RFC 1928/1929), SOCKS4/4a or HTTP CONNECT proxy sends:
/// bytes in, a verdict out, no I/O and no exceptions for any input, so the handshake reads exactly
/// what a reply needs and a fuzzer can drive them directly.
/// </summary>
public static class ProxyReplies
{
    /// <summary>Largest HTTP CONNECT response header we read before calling it malformed.</summary>
    public const int MaxHttpHeader = 16 * 1024;

    public static ProxyReply Parse(ProxyReplyKind kind, ReadOnlySpan<byte> data) => kind switch
    {
        ProxyReplyKind.Socks5Method => Socks5Method(data, offeredPassword: true),
        ProxyReplyKind.Socks5Auth => Socks5Auth(data),
        ProxyReplyKind.Socks5Connect => Socks5Connect(data),
        ProxyReplyKind.Socks4Connect => Socks4Connect(data),
        _ => HttpConnect(data),
    };

    /// <summary>SOCKS5 method selection: VER=5, METHOD (0 none, 2 user/password, 0xFF none acceptable).</summary>
    public static ProxyReply Socks5Method(ReadOnlySpan<byte> data, bool offeredPassword)
    {
        if (data.Length < 2) return ProxyReply.Need(2);
        if (data[0] != 5) return Malformed(WrongVersion("SOCKS5", data[0], 5), data);
        return data[1] switch
        {
            0 => new(ProxyReplyStatus.Accepted, 2, 0),
            2 when offeredPassword => new(ProxyReplyStatus.Accepted, 2, 2),
            0xFF => new(ProxyReplyStatus.Refused, 2, 0xFF, offeredPassword
                ? "no acceptable authentication method (SOCKS5 method 0xFF)"
                : "authentication required (SOCKS5 method 0xFF): give --proxy-auth USER:PASS"),
            var m => new(ProxyReplyStatus.Malformed, 2, m, $"SOCKS5 proxy chose method {m}, which we did not offer"),
        };
    }

    /// <summary>RFC 1929 user/password status: VER=1, STATUS (0 success).</summary>
    public static ProxyReply Socks5Auth(ReadOnlySpan<byte> data)
    {
        if (data.Length < 2) return ProxyReply.Need(2);
        // Some proxies answer the sub-negotiation with version 5; the status byte is what counts.
        if (data[0] is not (1 or 5)) return Malformed($"SOCKS5 authentication reply has version {data[0]}, expected 1", data);
        return data[1] == 0
            ? new(ProxyReplyStatus.Accepted, 2)
            : new(ProxyReplyStatus.Refused, 2, data[1], $"authentication failed: user or password rejected (SOCKS5 auth status {data[1]})");
    }

    /// <summary>SOCKS5 CONNECT reply: VER REP RSV ATYP BND.ADDR BND.PORT.</summary>
    public static ProxyReply Socks5Connect(ReadOnlySpan<byte> data)
    {
        if (data.Length < 2) return ProxyReply.Need(2);
        if (data[0] != 5) return Malformed(WrongVersion("SOCKS5", data[0], 5), data);
        var rep = data[1];
        // A refusal is final whatever follows: some proxies send REP and hang up without the address.
        if (rep != 0)
            return new(ProxyReplyStatus.Refused, Math.Min(data.Length, 2), rep, $"refused: {Socks5Reason(rep)} (SOCKS5 reply {rep})");
        if (data.Length < 5) return ProxyReply.Need(5);
        var length = data[3] switch
        {
            1 => 4 + 4 + 2,
            4 => 4 + 16 + 2,
            3 => 4 + 1 + data[4] + 2,
            _ => -1,
        };
        if (length < 0) return new(ProxyReplyStatus.Malformed, 4, data[3], $"SOCKS5 reply has address type {data[3]}, expected 1, 3 or 4");
        return data.Length < length ? ProxyReply.Need(length) : new(ProxyReplyStatus.Accepted, length);
    }

    /// <summary>SOCKS4/4a reply: VN=0, CD (90 granted), DSTPORT, DSTIP.</summary>
    public static ProxyReply Socks4Connect(ReadOnlySpan<byte> data)
    {
        if (data.Length < 8) return ProxyReply.Need(8);
        if (data[0] != 0) return Malformed(WrongVersion("SOCKS4", data[0], 0), data);
        return data[1] switch
        {
            90 => new(ProxyReplyStatus.Accepted, 8, 90),
            91 => new(ProxyReplyStatus.Refused, 8, 91, "refused: request rejected or failed (SOCKS4 reply 91)"),
            92 => new(ProxyReplyStatus.Refused, 8, 92, "refused: cannot reach our identd (SOCKS4 reply 92)"),
            93 => new(ProxyReplyStatus.Refused, 8, 93, "refused: identd user mismatch (SOCKS4 reply 93)"),
            var cd => new(ProxyReplyStatus.Malformed, 8, cd, $"SOCKS4 reply has code {cd}, expected 90-93"),
        };
    }

    /// <summary>
    /// HTTP CONNECT response: a status line and headers up to the empty line. 2xx is a tunnel;
    /// anything else is a refusal naming the status (407: the proxy wants credentials).
    /// </summary>
    public static ProxyReply HttpConnect(ReadOnlySpan<byte> data)
    {
        const string prefix = "HTTP/1.";
        var check = Math.Min(data.Length, prefix.Length);
        for (var i = 0; i < check; i++)
            if (data[i] != prefix[i])
                return Malformed(data[0] is 5 or 0 ? "HTTP proxy reply is not HTTP (a SOCKS proxy? try --proxy-type socks5)" : "HTTP proxy reply is not HTTP", data);
        var end = data.IndexOf("\r\n\r\n"u8);
        var endLength = 4;
        if (end < 0)
        {
            end = data.IndexOf("\n\n"u8); // tolerated: some minimal proxies end lines with LF only
            endLength = 2;
        }
        if (end < 0)
            return data.Length >= MaxHttpHeader
                ? new(ProxyReplyStatus.Malformed, data.Length, 0, $"HTTP proxy reply header is longer than {MaxHttpHeader} bytes")
                : ProxyReply.Need(data.Length + 1);
        var lineEnd = data.IndexOfAny((byte)'\r', (byte)'\n');
        var line = data[..lineEnd];
        // "HTTP/1.1 200 Connection established": version, space, three digits, then an optional reason.
        if (line.Length < 12 || !char.IsAsciiDigit((char)line[7]) || line[8] != ' '
            || !char.IsAsciiDigit((char)line[9]) || !char.IsAsciiDigit((char)line[10]) || !char.IsAsciiDigit((char)line[11])
            || (line.Length > 12 && line[12] != ' '))
            return Malformed("HTTP proxy reply has a malformed status line", data);
        var status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
        var length = end + endLength;
        if (status is >= 200 and < 300) return new(ProxyReplyStatus.Accepted, length, status);
        var reason = line.Length > 13 ? Printable(line[13..]) : "";
        var shown = reason.Length > 0 ? $"HTTP {status} {reason}" : $"HTTP {status}";
        var why = status == 407 ? "authentication required or rejected" : status switch
        {
            403 => "forbidden",
            >= 500 => "could not connect",
            _ => "refused",
        };
        return new(ProxyReplyStatus.Refused, length, status, $"refused: {why} ({shown})");
    }

    /// <summary>RFC 1928 §6 reply field, in words.</summary>
    public static string Socks5Reason(int rep) => rep switch
    {
        1 => "general SOCKS server failure",
        2 => "connection not allowed by ruleset",
        3 => "network unreachable",
        4 => "host unreachable",
        5 => "connection refused",
        6 => "TTL expired",
        7 => "command not supported",
        8 => "address type not supported",
        _ => "unassigned reply code",
    };

    /// <summary>An "H" where a version byte belongs is an HTTP proxy answering a SOCKS request: say so.</summary>
    private static string WrongVersion(string protocol, byte got, int expected) =>
        got == (byte)'H'
            ? $"{protocol} reply is HTTP (an HTTP proxy? try --proxy-type http)"
            : $"{protocol} reply has version {got}, expected {expected}";

    private static ProxyReply Malformed(string what, ReadOnlySpan<byte> data) =>
        new(ProxyReplyStatus.Malformed, data.Length, 0, $"{what} (got {Preview(data)})");

    /// <summary>The first bytes, as text when printable, else hex: enough to recognise what answered.</summary>
    internal static string Preview(ReadOnlySpan<byte> data)
    {
        var head = data[..Math.Min(data.Length, 16)];
        foreach (var b in head)
            if (b is < 0x20 or > 0x7E && b is not ((byte)'\r' or (byte)'\n'))
                return Convert.ToHexString(head).ToLowerInvariant() + (data.Length > head.Length ? "…" : "");
        return "\"" + Printable(head) + (data.Length > head.Length ? "…" : "") + "\"";
    }

    private static string Printable(ReadOnlySpan<byte> text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var b in text.Length > 80 ? text[..80] : text)
            sb.Append(b is >= 0x20 and <= 0x7E ? (char)b : b is (byte)'\r' or (byte)'\n' ? ' ' : '?');
        return sb.ToString().Trim();
    }
}
