using Sock.Chat;
using Sock.Chat.Irc;

namespace Sock.Fuzz;

/// <summary>
/// IRC message framing (<see cref="IrcMessage.Parse"/>) on every LF-separated line of the input,
/// decoded by the server's own line decoder (<see cref="ChatConnection.Decode"/>). A message with
/// a well-formed command (letters or digits, as every command a server sends is) must survive
/// <see cref="IrcMessage.Format"/> and a second parse with its source, command and parameters
/// unchanged: that is what makes the server's relayed lines say what it meant. (A "command" made
/// of other characters only ever meets ERR_UNKNOWNCOMMAND, so its round trip is not a promise.)
/// </summary>
public static class IrcMessageHarness
{
    public static void Run(byte[] input)
    {
        foreach (var raw in input.AsSpan().Split((byte)'\n'))
        {
            var line = ChatConnection.Decode(input.AsSpan()[raw]);
            var m = IrcMessage.Parse(line);
            if (m is null) continue;
            _ = m.SourceNick;
            _ = m.Format(forceTrailing: true);
            foreach (var value in m.Tags?.Values ?? []) _ = IrcMessage.EscapeTag(value);
            if (!m.Command.All(char.IsAsciiLetterOrDigit)) continue;
            var formatted = m.Format();
            var again = IrcMessage.Parse(formatted);
            if (again is null || again.Command != m.Command || again.Source != m.Source || !again.Params.SequenceEqual(m.Params))
                throw new FuzzFindingException($"'{line}' formatted as '{formatted}' parses differently: {again?.Format() ?? "nothing"}");
        }
    }
}
