using System.Text;

namespace Sock.Chat;

/// <summary>
/// One line of a multi-line message (IRCv3 draft/multiline) as its sender split it. <see cref="Concat"/>:
/// it continues the previous line without a line break (a long line cut to fit the wire).
/// </summary>
public readonly record struct MessageLine(string Text, bool Concat)
{
    /// <summary>The message as a reader sees it: lines joined with '\n', concatenated parts without.</summary>
    public static string Join(IReadOnlyList<MessageLine> lines)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < lines.Count; i++)
        {
            if (i > 0 && !lines[i].Concat) sb.Append('\n');
            sb.Append(lines[i].Text);
        }
        return sb.ToString();
    }

    /// <summary>
    /// Lines again from a joined text (history read back from disk keeps only the text): a line at each
    /// '\n', and a line longer than <paramref name="maxBytes"/> of UTF-8 cut into concatenated parts.
    /// Where the sender cut its long lines is a detail of the wire; what the reader sees is the same.
    /// </summary>
    public static MessageLine[] Split(string text, int maxBytes)
    {
        var lines = new List<MessageLine>();
        foreach (var line in text.Split('\n'))
        {
            var concat = false;
            var part = new StringBuilder();
            var bytes = 0;
            foreach (var rune in line.EnumerateRunes())
            {
                if (bytes + rune.Utf8SequenceLength > maxBytes)
                {
                    lines.Add(new(part.ToString(), concat));
                    (concat, bytes) = (true, 0);
                    part.Clear();
                }
                part.Append(rune.ToString());
                bytes += rune.Utf8SequenceLength;
            }
            lines.Add(new(part.ToString(), concat));
        }
        return [.. lines];
    }
}
