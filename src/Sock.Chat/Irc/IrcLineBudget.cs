using System.Text;

namespace Sock.Chat.Irc;

/// <summary>
/// The IRC line: 512 bytes with its CRLF, tags apart (RFC 1459 2.3; modern.ircdocs.horse), as LINELEN
/// says. A message line sock sends is never longer. A PRIVMSG or NOTICE that would pass it once relayed
/// with the sender's prefix is refused with 417 (ERR_INPUTTOOLONG, in its original sense) rather than
/// cut; a longer message from elsewhere (a plain user's line, up to --max-line) goes out in parts that
/// each fit, joined again with draft/multiline-concat for receivers with draft/multiline. Nothing is cut
/// off, and a client with a 512-byte buffer reads every message. Other input lines, which are not
/// relayed, may be as long as --max-line (a long password to NickServ, a long MODE).
/// </summary>
public static class IrcLineBudget
{
    /// <summary>Bytes of a line without its CRLF.</summary>
    public const int MaxBytes = 510;

    /// <summary>True when the text is at most <paramref name="budget"/> bytes of UTF-8. A short one is not counted: a UTF-16 unit is at most 3 bytes.</summary>
    public static bool Fits(string text, int budget) => text.Length * 3 <= budget || Encoding.UTF8.GetByteCount(text) <= budget;

    /// <summary>
    /// True when the message line <c>:prefix VERB target :text</c> (and <paramref name="extraBytes"/>, a CTCP
    /// wrapper) fits. The parts are counted, not joined, and a short line not even counted: the fan-out asks
    /// this of every message it encodes, and IRC clients of every message they send.
    /// </summary>
    public static bool FitsMessage(string prefix, string verb, string target, string text, int extraBytes = 0)
    {
        const int punctuation = 5; // ':' before the prefix, two spaces, " :" before the text
        if ((prefix.Length + verb.Length + target.Length + text.Length + punctuation) * 3 + extraBytes <= MaxBytes) return true;
        var bytes = Encoding.UTF8.GetByteCount(prefix) + Encoding.UTF8.GetByteCount(verb) + Encoding.UTF8.GetByteCount(target) + Encoding.UTF8.GetByteCount(text);
        return bytes + punctuation + extraBytes <= MaxBytes;
    }

    /// <summary>
    /// The text in parts of at most <paramref name="budget"/> bytes of UTF-8, cut between characters and,
    /// when a space is near the end of a part, after that space (so a reader without draft/multiline sees
    /// whole words). Concatenated, the parts are the text again.
    /// </summary>
    public static List<string> Pieces(string text, int budget)
    {
        budget = Math.Max(budget, 64); // heads are bounded (NICKLEN, CHANNELLEN, HOSTLEN): this only guards progress
        var pieces = new List<string>();
        int start = 0, bytes = 0, lastSpace = -1;
        for (var i = 0; i < text.Length;)
        {
            Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out var units);
            var size = rune.Utf8SequenceLength;
            if (bytes + size > budget && i > start)
            {
                var cut = lastSpace >= start + (i - start) * 3 / 4 ? lastSpace + 1 : i;
                pieces.Add(text[start..cut]);
                bytes = Encoding.UTF8.GetByteCount(text.AsSpan(cut, i - cut));
                (start, lastSpace) = (cut, -1);
            }
            if (rune.Value == ' ') lastSpace = i;
            bytes += size;
            i += units;
        }
        pieces.Add(text[start..]);
        return pieces;
    }
}
