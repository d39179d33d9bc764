using System.Text;

namespace Sock.Chat.Irc;

/// <summary>
/// One IRC message (RFC 1459 / modern IRCv3 framing, without the line ending):
/// <c>[@tags] [:source] COMMAND [params…] [:trailing]</c>. Shared by the server and the client.
/// </summary>
public sealed record IrcMessage(string Command, IReadOnlyList<string> Params, string? Source = null,
    IReadOnlyDictionary<string, string>? Tags = null)
{
    public IrcMessage(string command, params string[] parameters) : this(command, (IReadOnlyList<string>)parameters) { }

    /// <summary>The i-th parameter, or "" when absent (handlers check counts first for ERR_NEEDMOREPARAMS).</summary>
    public string Param(int index) => index < Params.Count ? Params[index] : "";

    /// <summary>The nick part of <see cref="Source"/> (<c>nick!user@host</c> → <c>nick</c>).</summary>
    public string? SourceNick => Source is null ? null : Source.Split('!', '@')[0];

    /// <summary>
    /// Parses one line. Returns null for an empty or whitespace-only line (which IRC ignores) and
    /// for a line with tags or a source but no command. Commands are upper-cased.
    /// </summary>
    public static IrcMessage? Parse(ReadOnlySpan<char> line)
    {
        line = line.TrimEnd("\r\n").TrimStart(' ');
        Dictionary<string, string>? tags = null;
        if (line.StartsWith('@'))
        {
            var end = line.IndexOf(' ');
            if (end < 0) return null;
            tags = ParseTags(line[1..end]);
            line = line[(end + 1)..].TrimStart(' ');
        }
        string? source = null;
        if (line.StartsWith(':'))
        {
            var end = line.IndexOf(' ');
            if (end < 0) return null;
            source = line[1..end].ToString();
            line = line[(end + 1)..].TrimStart(' ');
        }
        var parameters = new List<string>();
        string? command = null;
        while (!line.IsEmpty)
        {
            if (command is not null && line.StartsWith(':'))
            {
                parameters.Add(line[1..].ToString());
                break;
            }
            var end = line.IndexOf(' ');
            var token = end < 0 ? line : line[..end];
            if (command is null) command = token.ToString().ToUpperInvariant();
            else parameters.Add(token.ToString());
            line = end < 0 ? [] : line[(end + 1)..].TrimStart(' ');
        }
        return command is null ? null : new IrcMessage(command, parameters, source, tags);
    }

    private static Dictionary<string, string> ParseTags(ReadOnlySpan<char> raw)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var range in raw.Split(';'))
        {
            var tag = raw[range];
            if (tag.IsEmpty) continue;
            var eq = tag.IndexOf('=');
            if (eq < 0) tags[tag.ToString()] = "";
            else tags[tag[..eq].ToString()] = UnescapeTagValue(tag[(eq + 1)..]);
        }
        return tags;
    }

    private static string UnescapeTagValue(ReadOnlySpan<char> value)
    {
        if (value.IndexOf('\\') < 0) return value.ToString();
        var sb = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] != '\\') { sb.Append(value[i]); continue; }
            if (++i >= value.Length) break; // a trailing lone backslash is dropped, per the spec
            sb.Append(value[i] switch { ':' => ';', 's' => ' ', 'r' => '\r', 'n' => '\n', var c => c });
        }
        return sb.ToString();
    }

    /// <summary>A tag value escaped for the wire (<c>;</c> → <c>\:</c>, space → <c>\s</c>…).</summary>
    public static string EscapeTag(string value)
    {
        if (value.AsSpan().IndexOfAny("; \\\r\n") < 0) return value;
        var sb = new StringBuilder(value.Length + 8);
        EscapeTagValue(sb, value);
        return sb.ToString();
    }

    private static void EscapeTagValue(StringBuilder sb, string value)
    {
        foreach (var c in value)
        {
            _ = c switch
            {
                ';' => sb.Append(@"\:"),
                ' ' => sb.Append(@"\s"),
                '\\' => sb.Append(@"\\"),
                '\r' => sb.Append(@"\r"),
                '\n' => sb.Append(@"\n"),
                _ => sb.Append(c),
            };
        }
    }

    /// <summary>
    /// Serializes without the line ending. The last parameter gets a ':' prefix when it needs one
    /// (empty, contains a space, or starts with ':'), or always when <paramref name="forceTrailing"/>.
    /// </summary>
    public string Format(bool forceTrailing = false)
    {
        var sb = new StringBuilder(64);
        if (Tags is { Count: > 0 })
        {
            sb.Append('@');
            var first = true;
            foreach (var (key, value) in Tags)
            {
                if (!first) sb.Append(';');
                first = false;
                sb.Append(key);
                if (value.Length > 0) { sb.Append('='); EscapeTagValue(sb, value); }
            }
            sb.Append(' ');
        }
        if (Source is not null) sb.Append(':').Append(Source).Append(' ');
        sb.Append(Command);
        for (var i = 0; i < Params.Count; i++)
        {
            var p = Params[i];
            sb.Append(' ');
            var last = i == Params.Count - 1;
            if (last && (forceTrailing || p.Length == 0 || p.Contains(' ') || p.StartsWith(':')))
                sb.Append(':');
            sb.Append(p);
        }
        return sb.ToString();
    }

    public override string ToString() => Format();
}
