using System.Collections.Frozen;

namespace Sock.Chat.Irc;

/// <summary>One command: its handler and the checks every command shares (461, 451, 481 come from here).</summary>
/// <param name="Name">The command, upper case.</param>
/// <param name="Handler">The session method that does it.</param>
/// <param name="MinParams">Parameters needed (non-empty last one); fewer is ERR_NEEDMOREPARAMS.</param>
/// <param name="BeforeRegistration">Usable before NICK/USER complete.</param>
/// <param name="OperOnly">Only IRC operators (others get ERR_NOPRIVILEGES).</param>
/// <param name="MaxTargets">For ISUPPORT TARGMAX: how many comma-separated targets it takes (0: not listed).</param>
/// <param name="Help">One line for HELP.</param>
internal sealed record IrcCommand(string Name, Action<IrcSession, IrcMessage> Handler, int MinParams = 0,
    bool BeforeRegistration = false, bool OperOnly = false, int MaxTargets = 0, string Help = "");

/// <summary>
/// Every command the server understands, in one table (as Ergo's commands.go): adding a command is
/// one line here and one method in the file of its family under Commands/.
/// </summary>
internal static class IrcCommandTable
{
    private static readonly IrcCommand[] Commands =
    [
        // Registration.cs
        new("CAP", (s, m) => s.Cap(m), 1, BeforeRegistration: true, Help: "CAP LS [302] | REQ :caps | LIST | END"),
        new("PASS", (s, m) => s.Pass(m), 1, BeforeRegistration: true, Help: "PASS password"),
        new("NICK", (s, m) => s.NickCommand(m), BeforeRegistration: true, Help: "NICK newnick"),
        new("USER", (s, m) => s.User(m), 4, BeforeRegistration: true, Help: "USER username 0 * :real name"),
        new("PING", (s, m) => s.Ping(m), BeforeRegistration: true, Help: "PING token"),
        new("PONG", (_, _) => { }, BeforeRegistration: true, Help: "PONG token"),
        new("QUIT", (s, m) => s.QuitCommand(m), BeforeRegistration: true, Help: "QUIT [:reason]"),
        new("MOTD", (s, m) => s.MotdCommand(m), Help: "MOTD: the message of the day"),
        // Channel.cs
        new("JOIN", (s, m) => s.JoinCommand(m), 1, MaxTargets: 50, Help: "JOIN #room[,#room2] [key[,key2]] | JOIN 0 leaves all"),
        new("PART", (s, m) => s.PartCommand(m), 1, MaxTargets: 50, Help: "PART #room[,#room2] [:reason]"),
        new("TOPIC", (s, m) => s.TopicCommand(m), 1, Help: "TOPIC #room [:new topic]"),
        new("NAMES", (s, m) => s.NamesCommand(m), MaxTargets: 10, Help: "NAMES #room[,#room2]"),
        new("LIST", (s, m) => s.ListCommand(m), Help: "LIST [#room,…|>N|<N|*mask*]"),
        new("KICK", (s, m) => s.KickCommand(m), 2, MaxTargets: 4, Help: "KICK #room nick[,nick2] [:reason]"),
        new("INVITE", (s, m) => s.InviteCommand(m), Help: "INVITE nick #room"),
        new("RENAME", (s, m) => s.RenameCommand(m), 2, Help: "RENAME #old #new [:reason] (draft/channel-rename)"),
        new("MODE", (s, m) => s.ModeCommand(m), 1, Help: "MODE #room [+-modes [params]] | MODE nick [+-iwB]"),
        // Messaging.cs
        new("PRIVMSG", (s, m) => s.MessageCommand(m, ChatEventKind.Message), MaxTargets: 4, Help: "PRIVMSG target[,target2] :text"),
        new("NOTICE", (s, m) => s.MessageCommand(m, ChatEventKind.Notice), MaxTargets: 4, Help: "NOTICE target :text"),
        new("TAGMSG", (s, m) => s.TagMessageCommand(m), 1, MaxTargets: 4, Help: "@+typing=active TAGMSG target"),
        new("REDACT", (s, m) => s.RedactCommand(m), 2, Help: "REDACT target msgid [:reason]"),
        new("BATCH", (s, m) => s.BatchCommand(m), 1, Help: "BATCH +id draft/multiline target … BATCH -id"), // Multiline.cs
        // Query.cs
        new("WHO", (s, m) => s.WhoCommand(m), Help: "WHO mask [%fields[,token]]"),
        new("WHOIS", (s, m) => s.WhoisCommand(m), 1, MaxTargets: 1, Help: "WHOIS nick"),
        new("WHOWAS", (s, m) => s.WhoWasCommand(m), 1, Help: "WHOWAS nick [count]"),
        new("ISON", (s, m) => s.IsOnCommand(m), 1, Help: "ISON nick [nick…]"),
        new("USERHOST", (s, m) => s.UserHostCommand(m), 1, Help: "USERHOST nick [nick…]"),
        new("LUSERS", (s, _) => s.Lusers(), Help: "LUSERS: how many users, operators, rooms"),
        new("TIME", (s, m) => s.TimeCommand(m), Help: "TIME: the server's clock"),
        new("VERSION", (s, m) => s.VersionCommand(m), Help: "VERSION: the server's software"),
        new("INFO", (s, m) => s.InfoCommand(m), Help: "INFO: about the server"),
        new("ADMIN", (s, m) => s.AdminCommand(m), Help: "ADMIN: who runs the server"),
        new("STATS", (s, m) => s.StatsCommand(m), Help: "STATS u: uptime"),
        new("LINKS", (s, _) => s.LinksCommand(), Help: "LINKS: the servers of this network (just this one)"),
        new("HELP", (s, m) => s.HelpCommand(m), BeforeRegistration: false, Help: "HELP [command]"),
        new("HELPOP", (s, m) => s.HelpCommand(m), Help: "HELPOP [command]: the same as HELP (the name some servers use)"),
        // Presence.cs
        new("AWAY", (s, m) => s.AwayCommand(m), Help: "AWAY [:message] (none: back)"),
        new("SETNAME", (s, m) => s.SetNameCommand(m), 1, Help: "SETNAME :new real name"),
        new("MONITOR", (s, m) => s.MonitorCommand(m), 1, Help: "MONITOR + nick,… | - nick,… | C | L | S"),
        // History.cs
        new("CHATHISTORY", (s, m) => s.ChatHistoryCommand(m), 1, Help: "CHATHISTORY LATEST|BEFORE|AFTER|AROUND|BETWEEN|TARGETS target ref [ref] limit"),
        // Account.cs
        new("AUTHENTICATE", (s, m) => s.Authenticate(m), 1, BeforeRegistration: true, Help: "AUTHENTICATE PLAIN|SCRAM-SHA-256|EXTERNAL, then base64 payloads"),
        new("REGISTER", (s, m) => s.RegisterCommand(m), 3, BeforeRegistration: true, Help: "REGISTER account|* email|* password"),
        new("VERIFY", (s, m) => s.VerifyCommand(m), 2, BeforeRegistration: true, Help: "VERIFY account code"),
        new("MARKREAD", (s, m) => s.MarkReadCommand(m), Help: "MARKREAD target [timestamp=…]"),
        new("PERSISTENCE", (s, m) => s.PersistenceCommand(m), 1, Help: "PERSISTENCE GET | SET ON|OFF|DEFAULT"),
        new("NS", (s, m) => s.ServiceAlias(m), Help: "NS command …: to NickServ"),
        new("NICKSERV", (s, m) => s.ServiceAlias(m), Help: "NICKSERV command …: to NickServ"),
        new("CS", (s, m) => s.ServiceAlias(m), Help: "CS command …: to ChanServ"),
        new("CHANSERV", (s, m) => s.ServiceAlias(m), Help: "CHANSERV command …: to ChanServ"),
        // Metadata.cs
        new("METADATA", (s, m) => s.MetadataCommand(m), BeforeRegistration: true, Help: "METADATA target|* GET|LIST|SET|CLEAR|SUB|UNSUB|SUBS|SYNC [key…] [:value]"),
        // Oper.cs
        new("OPER", (s, m) => s.OperCommand(m), 2, Help: "OPER name password"),
        new("KILL", (s, m) => s.KillCommand(m), 1, OperOnly: true, Help: "KILL nick [:reason]"),
        new("WALLOPS", (s, m) => s.WallopsCommand(m), 1, OperOnly: true, Help: "WALLOPS :text"),
    ];

    public static readonly FrozenDictionary<string, IrcCommand> ByName = Commands.ToFrozenDictionary(c => c.Name, StringComparer.Ordinal);

    public static IEnumerable<IrcCommand> All => Commands;

    /// <summary>The targets a command takes at most (its TARGMAX), for the handler that splits them.</summary>
    public static int TargetsOf(string command) => ByName[command].MaxTargets;

    /// <summary>ISUPPORT TARGMAX from the table: <c>JOIN:50,PRIVMSG:4,…</c>.</summary>
    public static string TargMax(ChatServerOptions o) =>
        string.Join(',', Commands.Where(c => c.MaxTargets > 0 && c.Name is not ("JOIN" or "PART"))
            .Select(c => $"{c.Name}:{(c.Name is "PRIVMSG" or "NOTICE" or "TAGMSG" ? o.MaxTargets : c.MaxTargets)}"));
}
