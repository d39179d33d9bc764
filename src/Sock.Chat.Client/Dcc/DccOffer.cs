using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Sock.Chat.Client.Dcc;

/// <summary>
/// A CTCP <c>DCC SEND name address port size [token]</c>: the address is a 32-bit integer for
/// IPv4 (the classic form) or an IPv6 literal; port 0 with a token is passive (reverse) DCC.
/// </summary>
public sealed record DccOffer(string From, string FileName, IPAddress Address, int Port, long Size, string? Token)
{
    /// <summary>Parses the text after "DCC "; throws <see cref="FormatException"/> with the reason.</summary>
    public static DccOffer Parse(string from, string text)
    {
        var rest = text.Trim();
        if (!rest.StartsWith("SEND ", StringComparison.OrdinalIgnoreCase))
            throw new FormatException($"unsupported DCC request '{FirstWord(rest)}' (only SEND is)");
        rest = rest[5..].TrimStart();
        string name;
        if (rest.StartsWith('"'))
        {
            var close = rest.IndexOf('"', 1);
            if (close < 0) throw new FormatException("unterminated quoted file name");
            name = rest[1..close];
            rest = rest[(close + 1)..];
        }
        else
        {
            // Unquoted: the last three words (address port size), or four with a passive token, are
            // the fields; the name is what precedes them. Four when the last three are numbers and
            // the word before them is an address.
            var words = rest.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var numbers = words.Length >= 5 && words[^3..].All(w => w.All(char.IsAsciiDigit)) && IsAddress(words[^4]) ? 4 : 3;
            if (words.Length < numbers + 1) throw new FormatException("missing address, port or size");
            name = string.Join(' ', words[..^numbers]);
            rest = string.Join(' ', words[^numbers..]);
        }
        var fields = rest.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 3) throw new FormatException("missing address, port or size");
        var address = ParseAddress(fields[0]);
        if (!int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
            throw new FormatException($"bad port '{fields[1]}'");
        if (!long.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var size))
            throw new FormatException($"bad size '{fields[2]}'");
        return new DccOffer(from, name, address, port, size, fields.Length > 3 ? fields[3] : null);
    }

    public bool IsPassive => Port == 0;

    private static bool IsAddress(string text) => TryParseAddress(text, out _);

    private static IPAddress ParseAddress(string text) =>
        TryParseAddress(text, out var address) ? address : throw new FormatException($"bad address '{text}'");

    /// <summary>An IPv4 address as a 32-bit integer (the classic form), or an IPv6 literal.</summary>
    private static bool TryParseAddress(string text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IPAddress? address)
    {
        address = null;
        if (uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var v4))
            address = new IPAddress([(byte)(v4 >> 24), (byte)(v4 >> 16), (byte)(v4 >> 8), (byte)v4]);
        else if (IPAddress.TryParse(text, out var any) && any.AddressFamily == AddressFamily.InterNetworkV6)
            address = any;
        return address is not null;
    }

    /// <summary>The address as an offer writes it.</summary>
    public static string FormatAddress(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (address.AddressFamily != AddressFamily.InterNetwork) return address.ToString();
        var b = address.GetAddressBytes();
        return ((uint)b[0] << 24 | (uint)b[1] << 16 | (uint)b[2] << 8 | b[3]).ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The CTCP body (without the \u0001 delimiters) offering a file. A token makes it passive DCC:
    /// port 0 asks the peer to listen, and the peer's answer repeats the token with its own port.
    /// </summary>
    public static string Format(string fileName, IPAddress address, int port, long size, string? token = null)
    {
        var name = fileName.Contains(' ', StringComparison.Ordinal) ? $"\"{fileName}\"" : fileName;
        var body = string.Create(CultureInfo.InvariantCulture, $"DCC SEND {name} {FormatAddress(address)} {port} {size}");
        return token is null ? body : body + " " + token;
    }

    private static string FirstWord(string s) => s.Split(' ')[0];
}
