using System.Globalization;
using System.Text;
using Sock.Chat.Irc;

namespace Sock.Chat.Client;

// The command translator: what the user types, mapped to IRC.
public sealed partial class IrcChatClient
{
    /// <summary>The commands, as /help lists them.</summary>
    public static readonly IReadOnlyList<(string Usage, string What)> Commands =
    [
        ("/join #room", "join a room and make it the current one"),
        ("/part [#room] [reason]", "leave a room (the current one by default)"),
        ("/nick NAME", "change your nick"),
        ("/msg NICK text", "a private message"),
        ("/me text", "an action in the current room"),
        ("/who [#room]", "who is in the room"),
        ("/rooms", "list the server's rooms"),
        ("/history [N]", "the room's last N messages, when the server keeps them"),
        ("/send [-passive] NICK PATH", "offer a file (DCC SEND; -passive when you cannot be connected to)"),
        ("/accept [NICK]", "accept a file offer"),
        ("/resume [NICK]", "accept an offer, continuing an interrupted download (DCC RESUME)"),
        ("/reject [NICK]", "turn a file offer down"),
        ("/quote LINE", "send a raw IRC line"),
        ("/help", "this list"),
        ("/quit [message]", "leave"),
        ("//text", "say text that starts with '/'"),
    ];

    /// <summary>True once /quit was given (the front end stops reading input).</summary>
    public bool Quitting => _quitting;

    /// <summary>Handles one line the user typed: a command, or text for the current room.</summary>
    public async Task SubmitAsync(string line, CancellationToken ct)
    {
        line = line.TrimEnd('\r', '\n');
        if (line.Length == 0) return;
        // Input typed before the first registration waits for it (scripts pipe lines in at once).
        try { await Ready.WaitAsync(ct); } catch (OperationCanceledException) { throw; } catch (Exception) { return; }
        if (!line.StartsWith('/') || line.StartsWith("//", StringComparison.Ordinal))
        {
            await SayAsync(line.StartsWith("//", StringComparison.Ordinal) ? line[1..] : line, ct);
            return;
        }
        var space = line.IndexOf(' ', StringComparison.Ordinal);
        var verb = (space < 0 ? line[1..] : line[1..space]).ToLowerInvariant();
        var rest = space < 0 ? "" : line[(space + 1)..].Trim();
        var (first, remainder) = SplitFirst(rest);
        switch (verb)
        {
            case "join" or "j":
                if (first.Length == 0) { Usage("/join #room"); return; }
                await SendAsync(new IrcMessage("JOIN", [.. new[] { NormalizeRoom(first) }.Concat(remainder.Length > 0 ? [remainder] : Array.Empty<string>())]), ct);
                return;
            case "part" or "leave":
                {
                    var room = first.Length > 0 && first[0] is '#' or '&' ? first : CurrentRoom;
                    var reason = first.Length > 0 && first[0] is '#' or '&' ? remainder : rest;
                    if (room is null) { Usage("/part #room"); return; }
                    await SendAsync(reason.Length > 0 ? new IrcMessage("PART", room, reason) : new IrcMessage("PART", room), ct);
                    return;
                }
            case "nick":
                if (first.Length == 0) { Usage("/nick NAME"); return; }
                await SendAsync(new IrcMessage("NICK", first), ct);
                return;
            case "msg" or "query":
                if (first.Length == 0 || remainder.Length == 0) { Usage("/msg NICK text"); return; }
                await SayToAsync(first, remainder, ct);
                return;
            case "me":
                {
                    var room = CurrentRoom;
                    if (room is null) { NoRoom(); return; }
                    if (rest.Length == 0) { Usage("/me text"); return; }
                    foreach (var part in SplitForIrc(OneLine(rest), room, extraBytes: 9)) // "\u0001ACTION " and "\u0001"
                    {
                        if (!await SendAsync(new IrcMessage("PRIVMSG", room, $"\u0001ACTION {part}\u0001"), ct)) return;
                        _report(new ChatEvent(ChatEventKind.Action, DateTimeOffset.Now, part, Nick, room, Own: true));
                    }
                    return;
                }
            case "who" or "names":
                {
                    var room = first.Length > 0 ? NormalizeRoom(first) : CurrentRoom;
                    if (room is null) { NoRoom(); return; }
                    // NAMES is what every server answers the same way: the nicks in the room.
                    await SendAsync(new IrcMessage("NAMES", room), ct);
                    return;
                }
            case "whois":
                if (first.Length == 0) { Usage("/whois NICK"); return; }
                await SendAsync(new IrcMessage("WHOIS", first), ct);
                return;
            case "rooms" or "list":
                await SendAsync(new IrcMessage("LIST"), ct);
                return;
            case "history":
                await HistoryAsync(first, ct);
                return;
            case "topic":
                {
                    var room = CurrentRoom;
                    if (room is null) { NoRoom(); return; }
                    await SendAsync(rest.Length > 0 ? new IrcMessage("TOPIC", room, rest) : new IrcMessage("TOPIC", room), ct);
                    return;
                }
            case "quote" or "raw":
                {
                    var raw = IrcMessage.Parse(OneLine(rest));
                    if (raw is null) { Usage("/quote LINE"); return; }
                    await SendAsync(raw, ct);
                    return;
                }
            case "send":
                {
                    var passive = first.Equals("-passive", StringComparison.OrdinalIgnoreCase);
                    var (nick, file) = passive ? SplitFirst(remainder) : (first, remainder);
                    if (nick.Length == 0 || file.Length == 0) { Usage("/send [-passive] NICK PATH"); return; }
                    await Dcc.OfferAsync(nick, file, passive, ct);
                    return;
                }
            case "accept" or "get":
                await Dcc.AcceptAsync(first.Length > 0 ? first : null, ct);
                return;
            case "resume":
                await Dcc.ResumeAsync(first.Length > 0 ? first : null, ct);
                return;
            case "reject" or "decline":
                await Dcc.RejectAsync(first.Length > 0 ? first : null, ct);
                return;
            case "help" or "?":
                var help = new StringBuilder("commands:");
                var width = Commands.Max(c => c.Usage.Length) + 2;
                foreach (var (usage, what) in Commands) help.Append('\n').Append("  ").Append(usage.PadRight(width)).Append(what);
                _report(ChatEvent.Info(help.ToString()));
                return;
            case "quit" or "exit" or "bye":
                await QuitAsync(rest.Length > 0 ? rest : null);
                return;
            default:
                _report(ChatEvent.Error($"unknown command /{verb} (try /help)"));
                return;
        }
    }

    private string? CurrentRoom { get { lock (_gate) return _activeRoom; } }

    private async Task SayAsync(string text, CancellationToken ct)
    {
        var room = CurrentRoom;
        if (room is null) { NoRoom(); return; }
        await SayToAsync(room, text, ct);
    }

    private async Task SayToAsync(string target, string text, CancellationToken ct)
    {
        foreach (var part in SplitForIrc(OneLine(text), target))
        {
            if (!await SendAsync(new IrcMessage("PRIVMSG", target, part), ct)) return;
            _report(new ChatEvent(ChatEventKind.Message, DateTimeOffset.Now, part, Nick, target, Own: true));
        }
    }

    private async Task HistoryAsync(string count, CancellationToken ct)
    {
        var room = CurrentRoom;
        if (room is null) { NoRoom(); return; }
        var n = int.TryParse(count, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed > 0 ? parsed : 50;
        // IRCv3 CHATHISTORY is the standard way; servers that replay history on join need nothing.
        if (_isupport.ContainsKey("CHATHISTORY") || _caps.Contains("draft/chathistory"))
        {
            await SendAsync(new IrcMessage("CHATHISTORY", "LATEST", room, "*", n.ToString(CultureInfo.InvariantCulture)), ct);
            return;
        }
        _report(ChatEvent.Info($"{_options.Host} does not offer message history (no CHATHISTORY support); servers that keep history replay it when you /join"));
    }

    private void Usage(string usage) => _report(ChatEvent.Error($"usage: {usage}"));

    private void NoRoom() => _report(ChatEvent.Error("you are in no room: /join #room first"));

    private static (string First, string Remainder) SplitFirst(string text)
    {
        var space = text.IndexOf(' ', StringComparison.Ordinal);
        return space < 0 ? (text, "") : (text[..space], text[(space + 1)..].TrimStart());
    }

    private static string OneLine(string text) => text.Replace('\r', ' ').Replace('\n', ' ').Replace('\0', ' ');

    /// <summary>
    /// Splits text so each PRIVMSG line stays under IRC's 512 bytes with room for the prefix the server
    /// adds when relaying (the server refuses a longer one with 417), cutting between characters, after
    /// a space when one is near (<see cref="IrcLineBudget.Pieces"/>). <paramref name="extraBytes"/>: a CTCP wrapper.
    /// </summary>
    internal static IEnumerable<string> SplitForIrc(string text, string target, int extraBytes = 0) =>
        IrcLineBudget.Pieces(text, 400 - Encoding.UTF8.GetByteCount(target) - extraBytes); // at least 64 bytes a part (Pieces)
}
