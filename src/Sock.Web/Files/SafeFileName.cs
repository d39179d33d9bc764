using System.Text;

namespace Sock.Web.Files;

/// <summary>
/// A client's file name made safe to show and to offer for download: no directories, no control
/// characters, no leading dots, at most 100 characters; "file" when nothing is left.
/// </summary>
public static class SafeFileName
{
    public const int MaxLength = 100;

    public static string From(string? name)
    {
        var last = (name ?? "").Replace('\\', '/').Split('/')[^1];
        var sb = new StringBuilder(last.Length);
        foreach (var c in last.Normalize(NormalizationForm.FormC))
            sb.Append(char.IsControl(c) || c is '"' or '<' or '>' or ':' or '|' or '?' or '*' ? '_' : c);
        var safe = sb.ToString().Trim().TrimStart('.').Trim();
        if (safe.Length > MaxLength) safe = safe[..MaxLength];
        return safe.Length == 0 ? "file" : safe;
    }
}
