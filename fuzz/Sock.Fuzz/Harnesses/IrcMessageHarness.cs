using System.Text;
using Sock.Chat.Irc;

namespace Sock.Fuzz;

/// <summary>
/// IRC message framing (<see cref="IrcMessage.Parse"/>) on every line of the input, decoded the
/// way ChatConnection decodes a received line (UTF-8 with U+FFFD, NULs removed). A parsed message
/// must format and its formatted form must parse again.
/// </summary>
public static class IrcMessageHarness
{
    public static void Run(byte[] input)
    {
        foreach (var raw in input.AsSpan().Split((byte)'\n'))
        {
            var line = Encoding.UTF8.GetString(input.AsSpan()[raw]).Replace("\0", "", StringComparison.Ordinal);
            var m = IrcMessage.Parse(line);
            if (m is null) continue;
            _ = m.SourceNick;
            _ = m.Param(0);
            var again = IrcMessage.Parse(m.Format());
            if (again is null || again.Command != m.Command)
                throw new FuzzFindingException($"'{line}' parsed to {m.Command}, formatted as '{m.Format()}', which parses to {again?.Command ?? "nothing"}");
            _ = m.Format(forceTrailing: true);
            foreach (var value in m.Tags?.Values ?? []) _ = IrcMessage.EscapeTag(value);
        }
    }
}
