using System.Buffers.Binary;
using System.Text;

namespace Sock.Tls;

/// <summary>Protocols that begin in clear text and upgrade to TLS on request (<c>openssl s_client -starttls</c>).</summary>
public enum StartTlsProtocol { Smtp, Imap, Pop3, Ftp, Irc, Xmpp, Postgres }

/// <summary>
/// The clear-text dialogue before the handshake, one per protocol, as OpenSSL's s_client speaks it.
/// Replies are read a byte at a time so that nothing of the TLS handshake that follows is consumed.
/// </summary>
public static class StartTls
{
    /// <summary>Longest reply line read; a server that talks past it is not the protocol asked for.</summary>
    private const int MaxLine = 4096;

    /// <summary>Most lines read while waiting for one reply (an IRC server's notices, SMTP's EHLO list).</summary>
    private const int MaxLines = 200;

    public static bool TryParse(string name, out StartTlsProtocol protocol) =>
        Enum.TryParse(name, ignoreCase: true, out protocol) && Enum.IsDefined(protocol) && !int.TryParse(name, out _);

    public static string Name(StartTlsProtocol protocol) => protocol.ToString().ToLowerInvariant();

    /// <summary>The protocol's usual clear-text port.</summary>
    public static int DefaultPort(StartTlsProtocol protocol) => protocol switch
    {
        StartTlsProtocol.Smtp => 25,
        StartTlsProtocol.Imap => 143,
        StartTlsProtocol.Pop3 => 110,
        StartTlsProtocol.Ftp => 21,
        StartTlsProtocol.Irc => 6667,
        StartTlsProtocol.Xmpp => 5222,
        _ => 5432,
    };

    /// <summary>Runs the dialogue; on return the next byte from the server is its first TLS record.</summary>
    /// <exception cref="SockException">The server did not agree (its reply quoted), or closed.</exception>
    public static async Task NegotiateAsync(Stream stream, StartTlsProtocol protocol, string host, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var name = Name(protocol);
        switch (protocol)
        {
            case StartTlsProtocol.Smtp:
                await ExpectReplyAsync(stream, "220", name, ct);
                await SendAsync(stream, "EHLO sock.invalid\r\n", ct);
                await ExpectReplyAsync(stream, "250", name, ct);
                await SendAsync(stream, "STARTTLS\r\n", ct);
                await ExpectReplyAsync(stream, "220", name, ct);
                break;
            case StartTlsProtocol.Ftp:
                await ExpectReplyAsync(stream, "220", name, ct);
                await SendAsync(stream, "AUTH TLS\r\n", ct);
                await ExpectReplyAsync(stream, "234", name, ct);
                break;
            case StartTlsProtocol.Imap:
                await ExpectLineAsync(stream, l => l.StartsWith("* ", StringComparison.Ordinal), l => l.StartsWith("* OK", StringComparison.OrdinalIgnoreCase), name, ct);
                await SendAsync(stream, ". STARTTLS\r\n", ct);
                await ExpectLineAsync(stream, l => l.StartsWith(". ", StringComparison.Ordinal), l => l.StartsWith(". OK", StringComparison.OrdinalIgnoreCase), name, ct);
                break;
            case StartTlsProtocol.Pop3:
                await ExpectLineAsync(stream, _ => true, l => l.StartsWith("+OK", StringComparison.Ordinal), name, ct);
                await SendAsync(stream, "STLS\r\n", ct);
                await ExpectLineAsync(stream, _ => true, l => l.StartsWith("+OK", StringComparison.Ordinal), name, ct);
                break;
            case StartTlsProtocol.Irc:
                // IRCv3 STARTTLS: 670 RPL_STARTTLS goes ahead; 691 ERR_STARTTLS, or 421/451 from a server without it, does not.
                // CAP LS first, as the IRCv3 spec has clients do: a server that also speaks other protocols
                // on the port (sock's chat server) then knows this is IRC.
                await SendAsync(stream, "CAP LS 302\r\nSTARTTLS\r\n", ct);
                await ExpectLineAsync(stream, l => IrcNumeric(l) is "670" or "691" or "421" or "451", l => IrcNumeric(l) == "670", name, ct);
                break;
            case StartTlsProtocol.Xmpp:
                await SendAsync(stream, $"<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='{host}' version='1.0'>", ct);
                await ReadUntilAsync(stream, "<starttls", name, ct);
                await ReadUntilAsync(stream, "</stream:features>", name, ct);
                await SendAsync(stream, "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>", ct);
                var answer = await ReadUntilAnyAsync(stream, ["<proceed", "<failure"], name, ct);
                if (answer != "<proceed") throw new SockException("starttls xmpp: the server refused STARTTLS (<failure/>)");
                await ReadUntilAsync(stream, ">", name, ct);
                break;
            case StartTlsProtocol.Postgres:
                // SSLRequest: length 8, code 80877103; the answer is one byte, 'S' to go ahead or 'N'.
                var request = new byte[8];
                BinaryPrimitives.WriteInt32BigEndian(request, 8);
                BinaryPrimitives.WriteInt32BigEndian(request.AsSpan(4), 80877103);
                await stream.WriteAsync(request, ct);
                var one = new byte[1];
                if (await stream.ReadAsync(one, ct) == 0) throw new SockException("starttls postgres: the server closed the connection");
                if (one[0] != (byte)'S')
                    throw new SockException($"starttls postgres: the server refused SSL (answered '{(char)one[0]}')");
                break;
        }
    }

    private static string? IrcNumeric(string line)
    {
        var parts = line.Split(' ', 3);
        return parts.Length >= 2 && line.StartsWith(':') ? parts[1] : null;
    }

    private static Task SendAsync(Stream stream, string text, CancellationToken ct) => stream.WriteAsync(Encoding.ASCII.GetBytes(text), ct).AsTask();

    /// <summary>An SMTP/FTP reply: lines "CODE-…" continue, "CODE …" ends; the code must be <paramref name="code"/>.</summary>
    private static async Task ExpectReplyAsync(Stream stream, string code, string name, CancellationToken ct)
    {
        for (var i = 0; i < MaxLines; i++)
        {
            var line = await ReadLineAsync(stream, name, ct);
            if (line.Length >= 4 && line[3] == '-') continue;
            if (line.StartsWith(code, StringComparison.Ordinal)) return;
            throw new SockException($"starttls {name}: the server answered '{line}' (wanted {code})");
        }
        throw new SockException($"starttls {name}: no final reply line in {MaxLines} lines");
    }

    /// <summary>Skips lines until one <paramref name="final"/> says is the answer, which <paramref name="ok"/> must accept.</summary>
    private static async Task ExpectLineAsync(Stream stream, Func<string, bool> final, Func<string, bool> ok, string name, CancellationToken ct)
    {
        for (var i = 0; i < MaxLines; i++)
        {
            var line = await ReadLineAsync(stream, name, ct);
            if (!final(line)) continue;
            if (ok(line)) return;
            throw new SockException($"starttls {name}: the server refused STARTTLS: '{line}'");
        }
        throw new SockException($"starttls {name}: no answer to STARTTLS in {MaxLines} lines");
    }

    private static async Task<string> ReadLineAsync(Stream stream, string name, CancellationToken ct)
    {
        var line = new StringBuilder();
        var one = new byte[1];
        while (line.Length < MaxLine)
        {
            if (await stream.ReadAsync(one, ct) == 0)
                throw new SockException($"starttls {name}: the server closed the connection{(line.Length > 0 ? $" after '{line}'" : "")}");
            if (one[0] == '\n') return line.ToString().TrimEnd('\r');
            line.Append((char)one[0]);
        }
        throw new SockException($"starttls {name}: a reply line longer than {MaxLine} bytes");
    }

    private static async Task ReadUntilAsync(Stream stream, string marker, string name, CancellationToken ct) =>
        await ReadUntilAnyAsync(stream, [marker], name, ct);

    private static async Task<string> ReadUntilAnyAsync(Stream stream, string[] markers, string name, CancellationToken ct)
    {
        var seen = new StringBuilder();
        var one = new byte[1];
        while (seen.Length < 64 * 1024)
        {
            if (await stream.ReadAsync(one, ct) == 0) throw new SockException($"starttls {name}: the server closed the connection");
            seen.Append((char)one[0]);
            foreach (var m in markers)
                if (seen.Length >= m.Length && seen.ToString(seen.Length - m.Length, m.Length) == m) return m;
        }
        throw new SockException($"starttls {name}: no {markers[0]} in 64 KiB");
    }
}
