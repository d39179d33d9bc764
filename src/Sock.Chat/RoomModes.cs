using System.Globalization;
using System.Text;

namespace Sock.Chat;

/// <summary>How a channel mode takes its parameter (ISUPPORT CHANMODES groups A-D, plus member prefixes).</summary>
public enum RoomModeKind
{
    /// <summary>Group A: a mask list; a parameter to add or remove, none to read the list.</summary>
    List,
    /// <summary>Group B: a parameter both to set and to unset (+k).</summary>
    AlwaysParameter,
    /// <summary>Group C: a parameter only to set (+l).</summary>
    SetParameter,
    /// <summary>Group D: a flag.</summary>
    Flag,
    /// <summary>A member status (+o, +v): the parameter is a nick.</summary>
    Member,
}

/// <summary>One requested change: + or -, the letter, its parameter.</summary>
public readonly record struct ModeChange(bool On, char Mode, string? Arg);

/// <summary>A change the hub refused, with why (each protocol words it).</summary>
public readonly record struct ModeRefusal(ChatError Error, char Mode, string? Arg);

/// <summary>
/// Every channel mode the server enforces, as data: ISUPPORT CHANMODES/PREFIX, 004's letters and
/// the hub's checks all come from this table, so what is advertised is what is enforced.
/// </summary>
public sealed class RoomMode
{
    private RoomMode(char letter, RoomModeKind kind, string description) { Letter = letter; Kind = kind; Description = description; }

    public char Letter { get; }
    public RoomModeKind Kind { get; }
    public string Description { get; }
    /// <summary>For flags: read and write the room's flag.</summary>
    internal Func<ChatRoom, bool>? Get { get; private init; }
    internal Action<ChatRoom, bool>? Set { get; private init; }

    public bool TakesParameter(bool on) => Kind switch
    {
        RoomModeKind.List or RoomModeKind.AlwaysParameter or RoomModeKind.Member => true,
        RoomModeKind.SetParameter => on,
        _ => false,
    };

    private static RoomMode Flag(char c, string d, Func<ChatRoom, bool> get, Action<ChatRoom, bool> set) =>
        new(c, RoomModeKind.Flag, d) { Get = get, Set = set };

    /// <summary>The table, in the order 324 lists flags.</summary>
    public static readonly IReadOnlyList<RoomMode> All =
    [
        new('b', RoomModeKind.List, "ban mask"),
        new('e', RoomModeKind.List, "ban exception mask"),
        new('I', RoomModeKind.List, "invite exception mask"),
        new('k', RoomModeKind.AlwaysParameter, "key needed to join"),
        new('l', RoomModeKind.SetParameter, "member limit"),
        Flag('C', "no CTCP but ACTION", r => r.NoCtcp, (r, v) => r.NoCtcp = v),
        Flag('i', "invite only", r => r.InviteOnly, (r, v) => r.InviteOnly = v),
        Flag('m', "moderated: only voiced and operators speak", r => r.Moderated, (r, v) => r.Moderated = v),
        Flag('n', "no messages from outside", r => r.NoExternal, (r, v) => r.NoExternal = v),
        Flag('p', "private", r => r.Private, (r, v) => r.Private = v),
        Flag('s', "secret", r => r.Secret, (r, v) => r.Secret = v),
        Flag('t', "only operators set the topic", r => r.TopicLocked, (r, v) => r.TopicLocked = v),
        new('o', RoomModeKind.Member, "channel operator"),
        new('v', RoomModeKind.Member, "voice"),
    ];

    private static readonly Dictionary<char, RoomMode> ByLetter = All.ToDictionary(m => m.Letter);

    public static RoomMode? Find(char letter) => ByLetter.GetValueOrDefault(letter);

    /// <summary>Member statuses with their NAMES prefix, highest first (ISUPPORT PREFIX=(ov)@+).</summary>
    public static readonly IReadOnlyList<(char Mode, char Prefix, RoomStatus Status)> Prefixes =
        [('o', '@', RoomStatus.Operator), ('v', '+', RoomStatus.Voice)];

    /// <summary>ISUPPORT CHANMODES: the A,B,C,D groups.</summary>
    public static string ChanModes =>
        string.Join(',', new[] { RoomModeKind.List, RoomModeKind.AlwaysParameter, RoomModeKind.SetParameter, RoomModeKind.Flag }
            .Select(k => new string([.. All.Where(m => m.Kind == k).Select(m => m.Letter)])));

    /// <summary>004's channel mode letters, and those that take a parameter.</summary>
    public static string Letters => new([.. All.Select(m => m.Letter).Order()]);
    public static string LettersWithParameter => new([.. All.Where(m => m.Kind != RoomModeKind.Flag).Select(m => m.Letter).Order()]);

    /// <summary>ISUPPORT STATUSMSG: every member prefix addresses a message to that status and above (<c>PRIVMSG @#room</c>).</summary>
    public static string StatusMessagePrefixes => new([.. Prefixes.Select(p => p.Prefix)]);

    /// <summary>The statuses a <c>@#room</c> / <c>+#room</c> message reaches: the prefix's own and every higher one (None: not a prefix).</summary>
    public static RoomStatus AudienceOf(char prefix)
    {
        var audience = RoomStatus.None;
        foreach (var (_, p, status) in Prefixes)
        {
            audience |= status;
            if (p == prefix) return audience;
        }
        return RoomStatus.None;
    }

    /// <summary>The prefix a status message was addressed with (the lowest status of its audience).</summary>
    public static string AudiencePrefix(RoomStatus audience) =>
        Prefixes.LastOrDefault(p => (audience & p.Status) != 0).Prefix is var c and not '\0' ? c.ToString() : "";

    public static string PrefixSpec => $"({new string([.. Prefixes.Select(p => p.Mode)])}){new string([.. Prefixes.Select(p => p.Prefix)])}";

    /// <summary>+flags then the parameters of +k and +l (the key shown only when asked for).</summary>
    internal static string Describe(ChatRoom r, bool showKey)
    {
        var letters = new StringBuilder("+");
        var args = new List<string>();
        foreach (var m in All)
        {
            switch (m.Kind)
            {
                case RoomModeKind.Flag when m.Get!(r): letters.Append(m.Letter); break;
                case RoomModeKind.AlwaysParameter when r.Key is { } key: letters.Append('k'); args.Add(showKey ? key : "*"); break;
                case RoomModeKind.SetParameter when r.Limit is { } limit: letters.Append('l'); args.Add(limit.ToString(CultureInfo.InvariantCulture)); break;
            }
        }
        return args.Count == 0 ? letters.ToString() : letters + " " + string.Join(' ', args);
    }

    /// <summary>A key: 1-23 printable characters, no space, comma or leading colon (they would break JOIN's syntax).</summary>
    public static bool IsValidKey(string key) =>
        key.Length is > 0 and <= MaxKeyLength && !key.StartsWith(':') && !key.Any(c => c is ' ' or ',' || char.IsControl(c));

    public const int MaxKeyLength = 23;
    /// <summary>The largest +l accepted.</summary>
    public const int MaxLimit = 1_000_000;

    /// <summary>+l's parameter: a positive whole number up to <see cref="MaxLimit"/>.</summary>
    public static int? ParseLimit(string? arg) =>
        int.TryParse(arg, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is > 0 and <= MaxLimit ? n : null;
}
