using System.Globalization;
using System.Text;

namespace Sock.Chat.Irc;

/// <summary>
/// IRCv3 CHATHISTORY: LATEST, BEFORE, AFTER, AROUND, BETWEEN with msgid= and timestamp= references,
/// for rooms the user is in and for their private conversations; TARGETS lists both. Answered as a
/// batch when the client took batches. Also the replay a room's joiner gets.
/// </summary>
public sealed partial class IrcSession
{
    private static readonly string[] HistorySubcommands = ["LATEST", "BEFORE", "AFTER", "AROUND", "BETWEEN", "TARGETS"];

    /// <summary>A point in history: a message (by msgid) or a moment.</summary>
    private readonly record struct HistoryRef(string? MsgId, DateTimeOffset? Time, bool Latest);

    internal void ChatHistoryCommand(IrcMessage m)
    {
        var sub = m.Param(0).ToUpperInvariant();
        if (!HistorySubcommands.Contains(sub))
        {
            Fail("CHATHISTORY", "INVALID_PARAMS", Word(m.Param(0)), "Supported: " + string.Join(", ", HistorySubcommands));
            return;
        }
        var needed = sub is "BETWEEN" or "TARGETS" ? 5 : 4;
        if (sub == "TARGETS") needed = 4;
        if (m.Params.Count < needed) { Fail("CHATHISTORY", "NEED_MORE_PARAMS", sub, "Not enough parameters"); return; }
        if (sub == "TARGETS") { HistoryTargets(m); return; }
        var target = m.Param(1);
        var limitText = m.Param(sub == "BETWEEN" ? 4 : 3);
        if (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) || limit < 1)
        {
            Fail("CHATHISTORY", "INVALID_PARAMS", sub, Word(limitText), "The limit must be a positive number");
            return;
        }
        limit = Math.Min(limit, Options.HistoryLength);
        if (!HistoryTargetAllowed(target))
        {
            Fail("CHATHISTORY", "INVALID_TARGET", sub, Word(target), "Messages could not be retrieved");
            return;
        }
        if (ParseRef(m.Param(2), allowLatest: sub == "LATEST") is not { } first)
        {
            Fail("CHATHISTORY", "INVALID_PARAMS", sub, Word(m.Param(2)), "Expected msgid=ID or timestamp=YYYY-MM-DDThh:mm:ss.sssZ" + (sub == "LATEST" ? " or *" : ""));
            return;
        }
        HistoryRef second = default;
        if (sub == "BETWEEN")
        {
            if (ParseRef(m.Param(3), allowLatest: false) is not { } s)
            {
                Fail("CHATHISTORY", "INVALID_PARAMS", sub, Word(m.Param(3)), "Expected msgid=ID or timestamp=YYYY-MM-DDThh:mm:ss.sssZ");
                return;
            }
            second = s;
        }
        var all = Hub.HistoryOf(Self, target);
        if (!Has(IrcCap.EventPlayback)) all = [.. all.Where(ChatHub.IsConversation)];
        var chosen = Select(all, sub, first, second, limit);
        var shownTarget = ChatNames.IsChannel(target) ? (Hub.FindRoom(target)?.Name ?? target) : target;
        SendHistoryBatch("chathistory", shownTarget, chosen);
    }

    /// <summary>A room the user is in, or any nick (their conversation with it, which may be empty).</summary>
    private bool HistoryTargetAllowed(string target) =>
        ChatNames.IsChannel(target) ? Hub.FindRoom(target) is { } r && Self.InRoom(r.Name) : ChatNames.IsValidNick(target, Options.NickLength);

    private static HistoryRef? ParseRef(string value, bool allowLatest)
    {
        if (value == "*") return allowLatest ? new HistoryRef(null, null, true) : null;
        if (value.StartsWith("msgid=", StringComparison.Ordinal) && value.Length > 6) return new HistoryRef(value[6..], null, false);
        if (value.StartsWith("timestamp=", StringComparison.Ordinal)
            && DateTimeOffset.TryParse(value[10..], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t))
            return new HistoryRef(null, t, false);
        return null;
    }

    /// <summary>
    /// Where a reference falls in the (oldest-first) list: the index of the message it names, or for a
    /// moment the first message at or after it. -1 for an unknown msgid.
    /// </summary>
    private static int Position(IReadOnlyList<ChatEvent> all, HistoryRef r, out bool exact)
    {
        exact = false;
        if (r.MsgId is { } id)
        {
            for (var i = 0; i < all.Count; i++) if (all[i].MsgId == id) { exact = true; return i; }
            return -1;
        }
        var ms = r.Time!.Value.ToUnixTimeMilliseconds(); // compared at the precision timestamps are sent with
        for (var i = 0; i < all.Count; i++)
        {
            var t = all[i].Time.ToUnixTimeMilliseconds();
            if (t == ms) { exact = true; return i; }
            if (t > ms) return i;
        }
        return all.Count;
    }

    private static List<ChatEvent> Select(IReadOnlyList<ChatEvent> all, string sub, HistoryRef first, HistoryRef second, int limit)
    {
        if (first.Latest) return [.. all.TakeLast(limit)];
        var at = Position(all, first, out var exact);
        if (at < 0) return [];
        var after = exact ? at + 1 : at; // exclusive of the reference itself
        switch (sub)
        {
            case "LATEST": return [.. all.Skip(after).TakeLast(limit)];
            case "AFTER": return [.. all.Skip(after).Take(limit)];
            case "BEFORE": return [.. all.Take(at).TakeLast(limit)];
            case "AROUND":
                var start = Math.Max(0, at - (limit - 1) / 2);
                return [.. all.Skip(start).Take(limit)];
            default: // BETWEEN, exclusive at both ends; nearest the first reference when the limit cuts
                var other = Position(all, second, out var otherExact);
                if (other < 0) return [];
                var forward = at <= other;
                var (lo, loExact, hi) = forward ? (at, exact, other) : (other, otherExact, at);
                var inside = all.Skip(loExact ? lo + 1 : lo).Take(Math.Max(0, hi - (loExact ? lo + 1 : lo))).ToList();
                return forward ? [.. inside.Take(limit)] : [.. inside.TakeLast(limit)];
        }
    }

    /// <summary>TARGETS timestamp=A timestamp=B limit: rooms and correspondents with messages between the two moments.</summary>
    private void HistoryTargets(IrcMessage m)
    {
        var a = ParseRef(m.Param(1), false);
        var b = ParseRef(m.Param(2), false);
        if (a?.Time is not { } from || b?.Time is not { } to || !int.TryParse(m.Param(3), NumberStyles.None, CultureInfo.InvariantCulture, out var limit) || limit < 1)
        {
            Fail("CHATHISTORY", "INVALID_PARAMS", "TARGETS", "Expected timestamp=A timestamp=B limit");
            return;
        }
        if (from > to) (from, to) = (to, from);
        var found = new List<(string Target, DateTimeOffset Latest)>();
        // A target is listed when its latest message falls inside the window (exclusive, at the millisecond).
        var (lo, hi) = (from.ToUnixTimeMilliseconds(), to.ToUnixTimeMilliseconds());
        bool Inside(ChatEvent e) => e.Time.ToUnixTimeMilliseconds() is var t && t > lo && t < hi;
        foreach (var room in Self.Rooms)
        {
            var last = Hub.HistoryOf(Self, room).LastOrDefault(ChatHub.IsConversation);
            if (last is not null && Inside(last)) found.Add((Hub.FindRoom(room)?.Name ?? room, last.Time));
        }
        foreach (var (nick, latest) in Hub.Conversations(Self))
            if (Inside(latest)) found.Add((nick, latest.Time));
        string? batch = null;
        if (Has(IrcCap.Batch))
        {
            batch = NewBatchId();
            Emit($":{Server} BATCH +{batch} draft/chathistory-targets");
        }
        foreach (var (t, time) in found.OrderBy(x => x.Latest).Take(limit))
            Emit($"{(batch is null ? "" : $"@batch={batch} ")}:{Server} CHATHISTORY TARGETS {t} {Timestamp(time)}");
        if (batch is not null) Emit($":{Server} BATCH -{batch}");
    }

    /// <summary>History events inside a batch of <paramref name="type"/> when the client takes batches.</summary>
    private void SendHistoryBatch(string type, string target, IReadOnlyList<ChatEvent> events)
    {
        string? batch = null;
        if (Has(IrcCap.Batch))
        {
            batch = NewBatchId();
            Emit($":{Server} BATCH +{batch} {type} {target}");
        }
        foreach (var e in events) EmitHistory(e, batch);
        if (batch is not null) Emit($":{Server} BATCH -{batch}");
    }

    /// <summary>The replay a joiner gets: with server-time as the original messages (in a batch when taken), else NOTICEs saying when.</summary>
    private void SendReplay(string room, IReadOnlyList<ChatEvent> events)
    {
        if (events.Count == 0) return;
        if (Has(IrcCap.ServerTime)) { SendHistoryBatch("chathistory", room, events); return; }
        foreach (var e in events)
        {
            var head = $":{Server} NOTICE {room} :[{e.Time.ToLocalTime():HH:mm}] <{e.From}> ";
            var budget = IrcLineBudget.MaxBytes - Encoding.UTF8.GetByteCount(head);
            foreach (var line in e.Text.Split('\n')) // a multi-line message: a NOTICE per line (and per part of a long one)
                foreach (var part in IrcLineBudget.Pieces(line, budget)) Emit(head + part);
        }
    }

    private void EmitHistory(ChatEvent e, string? batch)
    {
        var form = (Has(IrcCap.ServerTime) ? FormTime : 0) | (Has(IrcCap.MessageTags) ? FormTags : 0) | (Has(IrcCap.AccountTag) ? FormAccount : 0);
        if (IsManyLines(e))
        {
            // A multi-line (or over-long) message: its own batch inside the history batch, or its lines.
            if (WantsBatch(e)) form |= FormMultiline;
            foreach (var l in MultilineText(e, form, batch).Split("\r\n")) Emit(l);
            return;
        }
        var line = EncodeLine(e);
        if (line is null) return;
        var tags = Tags(e, form);
        if (batch is not null) tags = tags.Length == 0 ? "batch=" + batch : "batch=" + batch + ";" + tags;
        Emit(tags.Length == 0 ? line : "@" + tags + " " + line);
    }
}
