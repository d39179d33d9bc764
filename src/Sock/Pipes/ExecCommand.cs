namespace Sock.Pipes;

/// <summary>
/// A program to run on a socket (ncat <c>-e</c> / <c>-c</c>): its stdin and stdout are the connection,
/// its stderr stays ours. <see cref="Parse"/> splits like a shell would for plain words and quotes, but
/// expands nothing; <see cref="Shell"/> hands the line to <c>/bin/sh -c</c>.
/// </summary>
public sealed record ExecCommand(string FileName, IReadOnlyList<string> Arguments)
{
    /// <summary>Run on a pseudo-terminal of its own (<see cref="PtySession"/>) instead of pipes.</summary>
    public bool Pty { get; init; }

    public static ExecCommand Shell(string script) => new("/bin/sh", ["-c", script]);

    /// <summary>Splits <c>"prog arg 'two words' \"x\""</c> into words; an ArgumentException for an unclosed quote or nothing.</summary>
    public static ExecCommand Parse(string commandLine)
    {
        ArgumentNullException.ThrowIfNull(commandLine);
        var words = new List<string>();
        var word = new System.Text.StringBuilder();
        var inWord = false;
        char quote = '\0';
        for (var i = 0; i < commandLine.Length; i++)
        {
            var c = commandLine[i];
            if (quote != '\0')
            {
                if (c == quote) quote = '\0';
                else if (c == '\\' && quote == '"' && i + 1 < commandLine.Length) word.Append(commandLine[++i]);
                else word.Append(c);
            }
            else if (c is '\'' or '"')
            {
                quote = c;
                inWord = true;
            }
            else if (c == '\\' && i + 1 < commandLine.Length)
            {
                word.Append(commandLine[++i]);
                inWord = true;
            }
            else if (char.IsWhiteSpace(c))
            {
                if (inWord) words.Add(word.ToString());
                word.Clear();
                inWord = false;
            }
            else
            {
                word.Append(c);
                inWord = true;
            }
        }
        if (quote != '\0') throw new ArgumentException($"--exec '{commandLine}': unclosed {quote}");
        if (inWord) words.Add(word.ToString());
        if (words.Count == 0) throw new ArgumentException("--exec needs a program");
        return new ExecCommand(words[0], words[1..]);
    }

    public override string ToString() => string.Join(' ', [FileName, .. Arguments]);
}
