using System.Globalization;
using System.Text;

namespace Sock.Cli.Chat;

/// <summary>
/// How many terminal columns text takes: East Asian wide and fullwidth characters (中文, emoji)
/// take two, combining marks and zero-width format characters none, the rest one.
/// </summary>
internal static class TextWidth
{
    public static int Of(Rune rune)
    {
        var v = rune.Value;
        if (v == 0) return 0;
        var category = Rune.GetUnicodeCategory(rune);
        if (category is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark or UnicodeCategory.Format) return 0;
        if (v < 0x1100) return 1;
        return IsWide(v) ? 2 : 1;
    }

    public static int Of(string text)
    {
        var width = 0;
        foreach (var rune in text.EnumerateRunes()) width += Of(rune);
        return width;
    }

    private static bool IsWide(int v) =>
        v is >= 0x1100 and <= 0x115F            // Hangul Jamo initials
        or >= 0x2E80 and <= 0x303E              // CJK radicals, punctuation
        or >= 0x3041 and <= 0x33FF              // kana, CJK symbols
        or >= 0x3400 and <= 0x4DBF              // CJK extension A
        or >= 0x4E00 and <= 0x9FFF              // CJK unified ideographs
        or >= 0xA000 and <= 0xA4CF              // Yi
        or >= 0xAC00 and <= 0xD7A3              // Hangul syllables
        or >= 0xF900 and <= 0xFAFF              // CJK compatibility ideographs
        or >= 0xFE30 and <= 0xFE4F              // CJK compatibility forms
        or >= 0xFF00 and <= 0xFF60              // fullwidth forms
        or >= 0xFFE0 and <= 0xFFE6
        or >= 0x1F300 and <= 0x1F64F            // pictographs, emoticons
        or >= 0x1F900 and <= 0x1F9FF
        or >= 0x20000 and <= 0x3FFFD;           // CJK extensions B and later

    /// <summary>The longest prefix of <paramref name="text"/> that fits in <paramref name="columns"/>.</summary>
    public static string Fit(string text, int columns)
    {
        var sb = new StringBuilder();
        var used = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            var w = Of(rune);
            if (used + w > columns) break;
            used += w;
            sb.Append(rune.ToString());
        }
        return sb.ToString();
    }
}
