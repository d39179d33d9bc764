namespace Sock.Chat;

/// <summary>Nick and room name rules (advertised in ISUPPORT and enforced for every protocol).</summary>
public static class ChatNames
{
    private const string Special = "[]\\`_^{|}";

    /// <summary>The comparison form of a nick or room (CASEMAPPING=ascii).</summary>
    public static string Fold(string name) => name.ToLowerInvariant();

    public static bool IsChannel(string name) => name.Length > 0 && name[0] == '#';

    /// <summary>RFC 2812 nicks: a letter or special first, then letters, digits, specials or '-'.</summary>
    public static bool IsValidNick(string nick, int maxLength)
    {
        if (nick.Length == 0 || nick.Length > maxLength) return false;
        if (!(char.IsAsciiLetter(nick[0]) || Special.Contains(nick[0]))) return false;
        foreach (var c in nick)
            if (!(char.IsAsciiLetterOrDigit(c) || Special.Contains(c) || c == '-')) return false;
        return true;
    }

    /// <summary>'#' then up to maxLength-1 characters, none of space, comma, BEL, NUL, CR, LF or ':'.</summary>
    public static bool IsValidChannel(string name, int maxLength)
    {
        if (name.Length < 2 || name.Length > maxLength || name[0] != '#') return false;
        foreach (var c in name)
            if (c is ' ' or ',' or '\a' or '\0' or '\r' or '\n' or ':') return false;
        return true;
    }
}
