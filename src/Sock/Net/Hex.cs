using System.Globalization;

namespace Sock.Net;

/// <summary>Hex text for packed addresses: "7f000001" out; in, an optional 0x and ':' '-' ' ' separators.</summary>
public static class Hex
{
    /// <summary>Lower-case hex, no separators.</summary>
    public static string Format(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    /// <summary>Parses "7f000001", "0x7F000001", "7f:00:00:01", "7f 00 00 01".</summary>
    /// <exception cref="FormatException">Odd number of digits or a non-hex character, naming the input.</exception>
    public static byte[] Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var s = text.Trim();
        if (s.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) s = s[2..];
        var digits = new System.Text.StringBuilder(s.Length);
        foreach (var c in s)
        {
            if (c is ':' or '-' or ' ' or '_') continue;
            if (!char.IsAsciiHexDigit(c))
                throw new FormatException($"not hex: '{text}' ('{c}' is not a hex digit)");
            digits.Append(c);
        }
        if (digits.Length == 0)
            throw new FormatException($"not hex: '{text}' (no digits)");
        if (digits.Length % 2 != 0)
            throw new FormatException($"not hex: '{text}' (odd number of digits)");
        var bytes = new byte[digits.Length / 2];
        for (var i = 0; i < bytes.Length; i++)
            bytes[i] = byte.Parse(digits.ToString(i * 2, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        return bytes;
    }
}
