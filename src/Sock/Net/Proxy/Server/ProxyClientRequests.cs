using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace Sock.Net.Proxy.Server;

/// <summary>What a proxy client's bytes so far say: need more, a complete request, or garbage.</summary>
public enum ClientRequestStatus { Incomplete, Complete, Malformed }

/// <summary>What the client asks of the proxy.</summary>
public enum ProxyVerb { Connect, UdpAssociate, Bind, Other }

/// <summary>
/// One parsed piece of a proxy client's handshake. <see cref="Length"/> is how many bytes it took
/// (or, when incomplete, how many are needed at least); <see cref="Error"/> says what was wrong.
/// </summary>
public readonly record struct ClientRequest(ClientRequestStatus Status, int Length, string Error = "")
{
    public ProxyVerb Command { get; init; }
    public string Host { get; init; } = "";
    public int Port { get; init; }
    /// <summary>SOCKS5 methods offered, RFC 1929 user, SOCKS4 user id, or the HTTP Basic user.</summary>
    public string? User { get; init; }
    public string? Password { get; init; }
    /// <summary>SOCKS5 greeting: the client offered "no authentication" / "user/password".</summary>
    public bool OffersNone { get; init; }
    public bool OffersPassword { get; init; }
    /// <summary>HTTP: the method, when it is not CONNECT.</summary>
    public string? Method { get; init; }

    public static ClientRequest Need(int length) => new(ClientRequestStatus.Incomplete, length);
    public static ClientRequest Bad(int length, string error) => new(ClientRequestStatus.Malformed, length, error);
}

/// <summary>
/// Pure parsers for what proxy clients send: the SOCKS5 greeting, RFC 1929 user/password, the SOCKS5
/// request, the SOCKS4/4a request and an HTTP CONNECT request head. Bytes in, a verdict out, no I/O
/// and no exception for any input, so the server reads exactly what each step needs and a fuzzer can
/// drive them directly. Every length is bounded (names 255 bytes, HTTP head 16 KiB).
/// </summary>
public static class ProxyClientRequests
{
    /// <summary>Largest HTTP request head (request line and headers) a client may send.</summary>
    public const int MaxHttpHead = 16 * 1024;

    /// <summary>SOCKS4 user id and SOCKS4a host name: at most this many bytes before the NUL.</summary>
    public const int MaxSocks4Field = 255;

    /// <summary>VER=5 NMETHODS METHODS.</summary>
    public static ClientRequest Socks5Greeting(ReadOnlySpan<byte> data)
    {
        if (data.Length < 2) return ClientRequest.Need(2);
        if (data[0] != 5) return ClientRequest.Bad(1, $"SOCKS5 greeting has version {data[0]}");
        var n = data[1];
        if (n == 0) return ClientRequest.Bad(2, "SOCKS5 greeting offers no authentication method");
        if (data.Length < 2 + n) return ClientRequest.Need(2 + n);
        var methods = data.Slice(2, n);
        return new ClientRequest(ClientRequestStatus.Complete, 2 + n)
        {
            OffersNone = methods.IndexOf((byte)0) >= 0,
            OffersPassword = methods.IndexOf((byte)2) >= 0,
            Host = "",
        };
    }

    /// <summary>RFC 1929: VER=1 ULEN UNAME PLEN PASSWD.</summary>
    public static ClientRequest Socks5Auth(ReadOnlySpan<byte> data)
    {
        if (data.Length < 2) return ClientRequest.Need(2);
        if (data[0] != 1) return ClientRequest.Bad(1, $"SOCKS5 user/password request has version {data[0]}, expected 1");
        var ulen = data[1];
        if (data.Length < 3 + ulen) return ClientRequest.Need(3 + ulen);
        var plen = data[2 + ulen];
        var length = 3 + ulen + plen;
        if (data.Length < length) return ClientRequest.Need(length);
        return new ClientRequest(ClientRequestStatus.Complete, length)
        {
            User = Encoding.UTF8.GetString(data.Slice(2, ulen)),
            Password = Encoding.UTF8.GetString(data.Slice(3 + ulen, plen)),
            Host = "",
        };
    }

    /// <summary>VER=5 CMD RSV ATYP DST.ADDR DST.PORT.</summary>
    public static ClientRequest Socks5Request(ReadOnlySpan<byte> data)
    {
        if (data.Length < 4) return ClientRequest.Need(4);
        if (data[0] != 5) return ClientRequest.Bad(1, $"SOCKS5 request has version {data[0]}");
        var address = Socks5Address(data[3..], out var used);
        if (address.Status != ClientRequestStatus.Complete)
            return address with { Length = address.Length + 3 };
        return address with
        {
            Length = 3 + used,
            Command = data[1] switch { 1 => ProxyVerb.Connect, 2 => ProxyVerb.Bind, 3 => ProxyVerb.UdpAssociate, _ => ProxyVerb.Other },
        };
    }

    /// <summary>ATYP ADDR PORT, as in a SOCKS5 request and the UDP datagram header.</summary>
    public static ClientRequest Socks5Address(ReadOnlySpan<byte> data, out int used)
    {
        used = 0;
        if (data.Length < 2) return ClientRequest.Need(2);
        int length;
        switch (data[0])
        {
            case 1: length = 1 + 4 + 2; break;
            case 4: length = 1 + 16 + 2; break;
            case 3:
                if (data[1] == 0) return ClientRequest.Bad(2, "SOCKS5 request has an empty host name");
                length = 1 + 1 + data[1] + 2;
                break;
            default: return ClientRequest.Bad(1, $"SOCKS5 address type {data[0]} is not 1, 3 or 4");
        }
        if (data.Length < length) return ClientRequest.Need(length);
        string host = data[0] switch
        {
            1 => new IPAddress(data.Slice(1, 4)).ToString(),
            4 => new IPAddress(data.Slice(1, 16)).ToString(),
            _ => Encoding.ASCII.GetString(data.Slice(2, data[1])),
        };
        if (data[0] == 3 && !IsHostName(host)) return ClientRequest.Bad(length, "SOCKS5 host name has characters no host name has");
        used = length;
        return new ClientRequest(ClientRequestStatus.Complete, length) { Host = host, Port = BinaryPrimitives.ReadUInt16BigEndian(data.Slice(length - 2, 2)) };
    }

    /// <summary>VN=4 CD DSTPORT DSTIP USERID NUL, and for 4a (DSTIP 0.0.0.x, x≠0) HOST NUL.</summary>
    public static ClientRequest Socks4Request(ReadOnlySpan<byte> data)
    {
        if (data.Length < 9) return ClientRequest.Need(9);
        if (data[0] != 4) return ClientRequest.Bad(1, $"SOCKS4 request has version {data[0]}");
        var userEnd = data[8..].IndexOf((byte)0);
        if (userEnd < 0)
            return data.Length - 8 > MaxSocks4Field ? ClientRequest.Bad(data.Length, "SOCKS4 user id is longer than 255 bytes") : ClientRequest.Need(data.Length + 1);
        if (userEnd > MaxSocks4Field) return ClientRequest.Bad(data.Length, "SOCKS4 user id is longer than 255 bytes");
        var user = Encoding.UTF8.GetString(data.Slice(8, userEnd));
        var length = 8 + userEnd + 1;
        var port = BinaryPrimitives.ReadUInt16BigEndian(data.Slice(2, 2));
        var command = data[1] switch { 1 => ProxyVerb.Connect, 2 => ProxyVerb.Bind, _ => ProxyVerb.Other };
        string host;
        if (data[4] == 0 && data[5] == 0 && data[6] == 0 && data[7] != 0)
        {
            var rest = data[length..];
            var nameEnd = rest.IndexOf((byte)0);
            if (nameEnd < 0)
                return rest.Length > MaxSocks4Field ? ClientRequest.Bad(data.Length, "SOCKS4a host name is longer than 255 bytes") : ClientRequest.Need(data.Length + 1);
            if (nameEnd is 0 or > MaxSocks4Field) return ClientRequest.Bad(length + nameEnd + 1, "SOCKS4a host name is empty or longer than 255 bytes");
            host = Encoding.ASCII.GetString(rest[..nameEnd]);
            if (!IsHostName(host)) return ClientRequest.Bad(length + nameEnd + 1, "SOCKS4a host name has characters no host name has");
            length += nameEnd + 1;
        }
        else host = new IPAddress(data.Slice(4, 4)).ToString();
        return new ClientRequest(ClientRequestStatus.Complete, length) { Command = command, Host = host, Port = port, User = user };
    }

    /// <summary>
    /// "CONNECT host:port HTTP/1.1" and headers up to the empty line; Proxy-Authorization: Basic is
    /// decoded into User/Password. Another method is Complete with <see cref="ClientRequest.Method"/> set.
    /// </summary>
    public static ClientRequest HttpRequest(ReadOnlySpan<byte> data)
    {
        // The request line must look like HTTP from its first bytes: garbage is refused without waiting for 16 KiB.
        for (var i = 0; i < data.Length && i < 16; i++)
        {
            var b = data[i];
            if (b == ' ' && i > 0) break;
            if (!char.IsAsciiLetterUpper((char)b)) return ClientRequest.Bad(i + 1, "not a SOCKS or HTTP request");
        }
        var end = data.IndexOf("\r\n\r\n"u8);
        var endLength = 4;
        if (end < 0 && data.IndexOf("\n\n"u8) is var lf and >= 0) (end, endLength) = (lf, 2);
        if (end < 0)
            return data.Length >= MaxHttpHead ? ClientRequest.Bad(data.Length, $"HTTP request head is longer than {MaxHttpHead} bytes") : ClientRequest.Need(data.Length + 1);
        var length = end + endLength;
        var head = Encoding.Latin1.GetString(data[..end]);
        var lines = head.Split('\n');
        var parts = lines[0].TrimEnd('\r').Split(' ');
        if (parts.Length != 3 || !parts[2].StartsWith("HTTP/1.", StringComparison.Ordinal))
            return ClientRequest.Bad(length, "malformed HTTP request line");
        string? user = null, password = null;
        foreach (var raw in lines.AsSpan(1))
        {
            var line = raw.TrimEnd('\r');
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || !line[..colon].Trim().Equals("Proxy-Authorization", StringComparison.OrdinalIgnoreCase)) continue;
            var value = line[(colon + 1)..].Trim();
            if (!value.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase)) continue;
            try
            {
                var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(value[6..].Trim()));
                var sep = decoded.IndexOf(':', StringComparison.Ordinal);
                if (sep >= 0) (user, password) = (decoded[..sep], decoded[(sep + 1)..]);
            }
            catch (FormatException)
            {
                // Undecodable credentials are no credentials: the client gets 407.
            }
        }
        if (parts[0] != "CONNECT")
            return new ClientRequest(ClientRequestStatus.Complete, length) { Command = ProxyVerb.Other, Method = parts[0], Host = "", User = user, Password = password };
        var (host, port) = SplitAuthority(parts[1]);
        if (host is null) return ClientRequest.Bad(length, $"CONNECT target '{Printable(parts[1])}' is not HOST:PORT");
        return new ClientRequest(ClientRequestStatus.Complete, length) { Command = ProxyVerb.Connect, Host = host, Port = port, User = user, Password = password };
    }

    private static (string? Host, int Port) SplitAuthority(string authority)
    {
        var colon = authority.LastIndexOf(':');
        if (colon <= 0) return (null, 0);
        var host = authority[..colon];
        if (host.StartsWith('[') && host.EndsWith(']')) host = host[1..^1];
        if (!int.TryParse(authority.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port)
            || port is < 1 or > 65535 || host.Length is 0 or > 255 || !(IsHostName(host) || IPAddress.TryParse(host, out _)))
            return (null, 0);
        return (host, port);
    }

    /// <summary>Letters, digits, '-', '.', '_' (and ':' for IPv6 literals): enough to refuse control bytes and spaces.</summary>
    private static bool IsHostName(string host)
    {
        foreach (var c in host)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or ':')) return false;
        return true;
    }

    internal static string Printable(string s) => s.Length > 64 ? s[..64] + "…" : s;
}
