using System.Globalization;
using System.Text;

namespace Sock.Chat.Irc;

/// <summary>
/// IRCv3 draft/multiline: <c>BATCH +id draft/multiline target</c>, PRIVMSG/NOTICE lines tagged
/// <c>batch=id</c> (<c>draft/multiline-concat</c> joins a line to the one before), <c>BATCH -id</c> sends
/// them as one message. Limits from <see cref="ChatServerOptions.MultilineMaxBytes"/> and
/// <see cref="ChatServerOptions.MultilineMaxLines"/>; a broken batch is a <c>FAIL BATCH MULTILINE_*</c>
/// and the rest of it is dropped. Receivers with the cap get the batch; others each non-blank line.
/// </summary>
public sealed partial class IrcSession
{
    private const string MultilineType = "draft/multiline", ConcatTag = "draft/multiline-concat";

    /// <summary>A batch being received: where it goes, what it carries so far.</summary>
    private sealed class MultilineBatch(string id, string target, string? clientTags, string? label)
    {
        public string Id { get; } = id;
        public string Target { get; } = target;
        public string? ClientTags { get; } = clientTags;
        /// <summary>The opening BATCH's label: the reply (the echo) carries it when the batch closes.</summary>
        public string? Label { get; } = label;
        public List<MessageLine> Lines { get; } = [];
        public string? Command { get; set; }
        public int Bytes { get; set; }
    }

    internal void BatchCommand(IrcMessage m)
    {
        var reference = m.Param(0);
        if (reference.Length < 2 || reference[0] is not ('+' or '-'))
        {
            Fail("BATCH", "MULTILINE_INVALID", "Expected BATCH +id draft/multiline target or BATCH -id");
            return;
        }
        var id = reference[1..];
        if (reference[0] == '-') { CloseBatch(id, m); return; }
        if (!Has(IrcCap.Multiline) || m.Param(1) != MultilineType)
        {
            Fail("BATCH", "MULTILINE_INVALID", "Only draft/multiline batches are taken, once the cap is negotiated");
            return;
        }
        if (m.Params.Count < 3 || m.Param(2).Length == 0) { Reply(Err.NeedMoreParams, "BATCH", "Not enough parameters"); return; }
        if (OpenMultiline is not null)
        {
            Abandon("MULTILINE_INVALID", "A multiline batch is already open");
            return;
        }
        var label = m.Tags?.GetValueOrDefault("label") is { Length: > 0 and <= 64 } l ? l : null;
        OpenMultiline = new MultilineBatch(id, m.Param(2), Has(IrcCap.MessageTags) ? ClientTags(m) : null, label);
        AbandonedBatch = null;
    }

    /// <summary>
    /// A line tagged <c>batch=…</c>: taken into the open multiline batch (true), or refused when it does
    /// not belong there (true: handled). Lines without the tag go on as usual (false).
    /// </summary>
    private bool TakeBatched(IrcMessage m)
    {
        if (m.Tags?.GetValueOrDefault("batch") is not { } id || m.Command == "BATCH") return false;
        if (id == AbandonedBatch) return true;
        var b = OpenMultiline;
        if (b is null || b.Id != id) { Abandon("MULTILINE_INVALID", "Line for a batch that is not open"); return true; }
        if (m.Command is not ("PRIVMSG" or "NOTICE") || (b.Command is not null && b.Command != m.Command))
        {
            Abandon("MULTILINE_INVALID", "A multiline batch holds PRIVMSG or NOTICE lines, not both");
            return true;
        }
        if (!string.Equals(m.Param(0), b.Target, StringComparison.OrdinalIgnoreCase))
        {
            Abandon("MULTILINE_INVALID_TARGET", Word(b.Target), Word(m.Param(0)), "Every line of a batch goes to its target");
            return true;
        }
        var text = m.Param(1);
        var concat = m.Tags.ContainsKey(ConcatTag);
        if (concat && text.Length == 0) { Abandon("MULTILINE_INVALID", "A blank line cannot be concatenated"); return true; }
        var bytes = b.Bytes + Encoding.UTF8.GetByteCount(text) + (b.Lines.Count > 0 && !concat ? 1 : 0); // with its line break
        if (bytes > Options.MultilineMaxBytes)
        {
            Abandon("MULTILINE_MAX_BYTES", Options.MultilineMaxBytes.ToString(CultureInfo.InvariantCulture), "Multiline batch too long");
            return true;
        }
        if (b.Lines.Count + 1 > Options.MultilineMaxLines)
        {
            Abandon("MULTILINE_MAX_LINES", Options.MultilineMaxLines.ToString(CultureInfo.InvariantCulture), "Too many lines in the batch");
            return true;
        }
        b.Command = m.Command;
        b.Bytes = bytes;
        b.Lines.Add(new MessageLine(text, concat));
        return true;
    }

    private void CloseBatch(string id, IrcMessage end)
    {
        if (id == AbandonedBatch) { AbandonedBatch = null; return; }
        var b = OpenMultiline;
        if (b is null || b.Id != id) { Fail("BATCH", "MULTILINE_INVALID", "No such batch is open"); return; }
        OpenMultiline = null;
        if (b.Lines.All(l => l.Text.Length == 0)) { Fail("BATCH", "MULTILINE_INVALID", "The batch has no text"); return; }
        var kind = b.Command == "NOTICE" ? ChatEventKind.Notice : ChatEventKind.Message;
        var label = b.Label ?? (Has(IrcCap.LabeledResponse) ? end.Tags?.GetValueOrDefault("label") : null);
        if (label is null || !Has(IrcCap.LabeledResponse)) Send(b.Target, kind, "", b.ClientTags, b.Lines);
        else Labeled(label, () => Send(b.Target, kind, "", b.ClientTags, b.Lines));
    }

    /// <summary>FAIL BATCH code …, and the open batch (if any) is dropped with the rest of its lines.</summary>
    private void Abandon(string code, params string[] contextAndDescription)
    {
        Fail("BATCH", code, contextAndDescription);
        if (OpenMultiline is { } b) AbandonedBatch = b.Id;
        OpenMultiline = null;
    }

    /// <summary>
    /// A multi-line message for one receiver: with <see cref="FormMultiline"/> the batch (its tags on the
    /// opening BATCH, each line tagged with the batch), else each non-blank line as its own message, the
    /// first with the msgid. A line too long for the 512-byte IRC line goes out in concatenated parts
    /// (<see cref="IrcLineBudget"/>); a single line too long is such a message too. An ACTION is never
    /// batched: each part is an ACTION. <paramref name="outerBatch"/>: the history batch this one sits in.
    /// Lines joined by CRLF.
    /// </summary>
    private static string MultilineText(ChatEvent e, int form, string? outerBatch)
    {
        var head = MessageHead(e);
        var (open, close) = e.Kind == ChatEventKind.Action ? ("\u0001ACTION ", "\u0001") : ("", "");
        var budget = IrcLineBudget.MaxBytes - Encoding.UTF8.GetByteCount(head) - ActionBytes(e);
        var sb = new StringBuilder(256);
        static string Tagged(params string?[] tags) =>
            string.Join(';', tags.Where(t => !string.IsNullOrEmpty(t))) is { Length: > 0 } all ? "@" + all + " " : "";
        var outer = outerBatch is null ? null : "batch=" + outerBatch;
        if ((form & FormMultiline) != 0)
        {
            // The id is the event's: the same bytes serve every receiver (ids only need to be unique per connection).
            var id = "ml" + e.Sequence.ToString("x", CultureInfo.InvariantCulture);
            sb.Append(Tagged(outer, Tags(e, form))).Append($":{e.FromPrefix} BATCH +{id} {MultilineType} {MessageTarget(e)}");
            foreach (var line in WireLines(e, budget))
                sb.Append("\r\n").Append(Tagged("batch=" + id, line.Concat ? ConcatTag : null)).Append(head).Append(line.Text);
            sb.Append("\r\n").Append(Tagged(outer)).Append($":{e.FromPrefix} BATCH -{id}");
            return sb.ToString();
        }
        var first = true;
        foreach (var line in WireLines(e, budget))
        {
            if (line.Text.Length == 0) continue; // a blank line is not a message on its own
            if (!first) sb.Append("\r\n");
            sb.Append(Tagged(outer, Tags(e, form, withMsgId: first))).Append(head).Append(open).Append(line.Text).Append(close);
            first = false;
        }
        return sb.ToString();
    }

    /// <summary>The message's lines as sent: each cut into concatenated parts of at most <paramref name="budget"/> bytes.</summary>
    private static IEnumerable<MessageLine> WireLines(ChatEvent e, int budget)
    {
        foreach (var line in e.Lines ?? [new MessageLine(e.Text, false)])
        {
            if (IrcLineBudget.Fits(line.Text, budget)) { yield return line; continue; }
            var concat = line.Concat;
            foreach (var piece in IrcLineBudget.Pieces(line.Text, budget))
            {
                yield return new MessageLine(piece, concat);
                concat = true;
            }
        }
    }

    /// <summary>The BATCH id a line opens (<c>BATCH +id</c>), or null.</summary>
    private static string? OpenedBatch(string line) => BatchReference(line, '+');

    private static string? BatchReference(string line, char sign)
    {
        var at = line.IndexOf(" BATCH " + sign, StringComparison.Ordinal);
        if (at < 0) return null;
        var start = at + 8;
        var end = line.IndexOf(' ', start);
        return end < 0 ? line[start..] : line[start..end];
    }

    /// <summary>True when the lines are exactly one batch: the label then goes on its opening line (labeled-response).</summary>
    private static bool IsOneBatch(List<string> lines) =>
        lines.Count >= 2 && OpenedBatch(lines[0]) is { } id && BatchReference(lines[^1], '-') == id;
}
