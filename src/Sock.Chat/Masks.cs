namespace Sock.Chat;

/// <summary>nick!user@host masks with * and ? wildcards, compared without regard to ASCII case.</summary>
public static class Masks
{
    /// <summary>The longest mask kept (a 10 KiB mask is refused, not stored).</summary>
    public const int MaxLength = 200;

    /// <summary>Completes a partial mask the way IRC servers do: <c>nick</c> → <c>nick!*@*</c>, <c>user@host</c> → <c>*!user@host</c>.</summary>
    public static string Normalize(string mask)
    {
        if (mask.StartsWith('$')) return mask; // extended bans ($a:account) are kept as given
        var bang = mask.IndexOf('!', StringComparison.Ordinal);
        var at = mask.IndexOf('@', StringComparison.Ordinal);
        if (bang < 0 && at < 0) return mask + "!*@*";
        if (bang < 0) return "*!" + mask;
        if (at < 0) return mask + "@*";
        return mask;
    }

    /// <summary>Glob match; iterative with one backtrack point, so a mask of many stars stays linear.</summary>
    public static bool Match(string mask, string text)
    {
        int m = 0, t = 0, star = -1, mark = 0;
        while (t < text.Length)
        {
            if (m < mask.Length && mask[m] == '*') { star = m++; mark = t; }
            else if (m < mask.Length && (mask[m] == '?' || Same(mask[m], text[t]))) { m++; t++; }
            else if (star >= 0) { m = star + 1; t = ++mark; }
            else return false;
        }
        while (m < mask.Length && mask[m] == '*') m++;
        return m == mask.Length;
    }

    private static bool Same(char a, char b) => a == b || char.ToLowerInvariant(a) == char.ToLowerInvariant(b);
}
