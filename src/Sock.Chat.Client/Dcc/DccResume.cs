using System.Globalization;

namespace Sock.Chat.Client.Dcc;

/// <summary>
/// A CTCP <c>DCC RESUME name port position [token]</c> (the receiver asks to continue at
/// <see cref="Position"/>) or its answer <c>DCC ACCEPT …</c> with the same fields. The port (or,
/// for passive DCC, port 0 and the token) names the offer; the name is only echoed, since mIRC
/// sends a placeholder there.
/// </summary>
public sealed record DccResume(string FileName, int Port, long Position, string? Token)
{
    /// <summary>Parses the text after "DCC RESUME " or "DCC ACCEPT "; throws <see cref="FormatException"/>.</summary>
    public static DccResume Parse(string text)
    {
        var words = text.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // Passive: "… 0 position token"; otherwise "… port position". The name is what precedes.
        var numbers = words.Length >= 4 && words[^3] == "0" && words[^3..].All(w => w.All(char.IsAsciiDigit)) ? 3 : 2;
        if (words.Length < numbers + 1) throw new FormatException("missing file name, port or position");
        var name = string.Join(' ', words[..^numbers]).Trim('"');
        if (!int.TryParse(words[^numbers], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
            throw new FormatException($"bad port '{words[^numbers]}'");
        if (!long.TryParse(words[^(numbers - 1)], NumberStyles.None, CultureInfo.InvariantCulture, out var position))
            throw new FormatException($"bad position '{words[^(numbers - 1)]}'");
        return new DccResume(name, port, position, numbers == 3 ? words[^1] : null);
    }

    /// <summary>The CTCP body (without the \u0001 delimiters): <paramref name="verb"/> is RESUME or ACCEPT.</summary>
    public string Format(string verb)
    {
        var name = FileName.Contains(' ', StringComparison.Ordinal) ? $"\"{FileName}\"" : FileName;
        var body = string.Create(CultureInfo.InvariantCulture, $"DCC {verb} {name} {Port} {Position}");
        return Token is null ? body : body + " " + Token;
    }

    /// <summary>True when this names <paramref name="port"/> (direct) or <paramref name="token"/> (passive).</summary>
    public bool Names(int port, string? token) => Token is not null ? Token == token : Port == port && port != 0;
}
