using System.Text;

namespace Sock.Chat.Transport;

/// <summary>
/// Tells an HTTP/1.x request line ("GET / HTTP/1.1") from chat, so a browser pointed at the chat
/// port (or a hostile page making one POST here) never has its headers said to a room.
/// </summary>
public static class HttpRequestLine
{
    /// <summary>Request lines longer than this are Kestrel's to refuse (414), not ours to wait for.</summary>
    public const int MaxLength = 8 * 1024;

    private static readonly string[] Methods = ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "CONNECT", "TRACE"];

    public enum Verdict { No, Yes, NeedMore }

    /// <summary>Yes for a whole request line; NeedMore while the bytes could still become one.</summary>
    public static Verdict Classify(ReadOnlySpan<byte> seen)
    {
        var space = seen.IndexOf((byte)' ');
        var word = seen[..(space < 0 ? seen.Length : space)];
        if (space < 0) return word.Length < 8 && AnyMethod(word, prefix: true) ? Verdict.NeedMore : Verdict.No;
        if (!AnyMethod(word, prefix: false)) return Verdict.No;
        var nl = seen.IndexOf((byte)'\n');
        if (nl < 0)
        {
            if (!CouldBeRequestLine(seen)) return Verdict.No;
            return seen.Length > MaxLength ? Verdict.Yes : Verdict.NeedMore;
        }
        return IsRequestLine(seen[..nl]) ? Verdict.Yes : Verdict.No;
    }

    /// <summary>
    /// For a sender that stalls before its newline: "GET / HTT" is an HTTP client that is slow (or a
    /// slowloris, which Kestrel's header timeout then handles); "GET me a coffee" is a person.
    /// </summary>
    public static bool CouldBeRequestLine(ReadOnlySpan<byte> seen)
    {
        var s = Encoding.ASCII.GetString(seen).TrimEnd('\r');
        var parts = s.Split(' ');
        if (parts.Length < 2 || !Methods.Contains(parts[0]) || !LooksLikeTarget(parts[1])) return false;
        return parts.Length == 2 || (parts.Length == 3 && ("HTTP/1.1".StartsWith(parts[2], StringComparison.Ordinal) || "HTTP/1.0".StartsWith(parts[2], StringComparison.Ordinal)));
    }

    private static bool IsRequestLine(ReadOnlySpan<byte> line)
    {
        var s = Encoding.ASCII.GetString(line).TrimEnd('\r');
        var parts = s.Split(' ');
        return parts.Length == 3 && Methods.Contains(parts[0]) && LooksLikeTarget(parts[1]) && parts[2] is "HTTP/1.1" or "HTTP/1.0";
    }

    // origin-form, absolute-form, authority-form (CONNECT) or "*" (OPTIONS): never empty, no controls.
    private static bool LooksLikeTarget(string t) => t.Length > 0 && t.All(c => c > ' ' && c < 0x7f);

    private static bool AnyMethod(ReadOnlySpan<byte> word, bool prefix)
    {
        foreach (var m in Methods)
            if (prefix ? StartsWith(m, word) : Equal(m, word)) return true;
        return false;
    }

    private static bool StartsWith(string method, ReadOnlySpan<byte> word)
    {
        if (word.Length > method.Length) return false;
        for (var i = 0; i < word.Length; i++) if (word[i] != method[i]) return false;
        return true;
    }

    private static bool Equal(string method, ReadOnlySpan<byte> word) => word.Length == method.Length && StartsWith(method, word);
}
