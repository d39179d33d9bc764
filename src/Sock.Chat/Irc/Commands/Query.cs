using System.Globalization;
using System.Text;

namespace Sock.Chat.Irc;

/// <summary>Questions about users and the server: WHO/WHOX, WHOIS, WHOWAS, ISON, USERHOST, LUSERS, TIME, VERSION, INFO, ADMIN, STATS, LINKS, HELP.</summary>
public sealed partial class IrcSession
{
    /// <summary>WHOX fields in the order replies carry them, whatever order they were asked in.</summary>
    private const string WhoxFields = "tcuihsnfdlaor";

    internal void WhoCommand(IrcMessage m)
    {
        var mask = m.Params.Count > 0 && m.Param(0).Length > 0 ? m.Param(0) : "*";
        string? fields = null, token = null;
        if (m.Param(1).StartsWith('%'))
        {
            var spec = m.Param(1)[1..];
            var comma = spec.IndexOf(',', StringComparison.Ordinal);
            fields = comma < 0 ? spec : spec[..comma];
            token = comma < 0 ? null : spec[(comma + 1)..];
            if (token is { Length: > 3 } || (token is not null && !token.All(char.IsAsciiDigit))) token = null;
        }
        if (ChatNames.IsChannel(mask))
        {
            if (Hub.FindRoom(mask) is { } r && (!r.Secret || Self.InRoom(r.Name) || IsOperator))
            {
                var member = Self.InRoom(r.Name);
                foreach (var (x, status) in r.MembersWithStatus())
                    if (member || !x.Invisible || IsOperator) WhoLine(r.Name, x, status, fields, token);
            }
        }
        else
        {
            var exact = mask.IndexOfAny(['*', '?']) < 0 ? Hub.FindMember(mask) : null;
            var found = exact is not null ? [exact] : Hub.Members.Where(x => x is not Services.ServiceMember && WhoMatches(mask, x) && (ReferenceEquals(x, Self) || !x.Invisible || IsOperator || ChatHub.ShareRoom(Self, x)));
            foreach (var x in found) WhoLine("*", x, RoomStatus.None, fields, token);
        }
        Reply(Rpl.EndOfWho, mask, "End of WHO list");
    }

    private bool WhoMatches(string mask, ChatMember x) =>
        Masks.Match(mask, x.Nick) || Masks.Match(mask, x.UserName) || Masks.Match(mask, x.Host) || Masks.Match(mask, x.RealName) || Masks.Match(mask, Server);

    /// <summary>H (here) or G (gone), * for operators, B for bots, then the member's room prefixes.</summary>
    private string WhoFlags(ChatMember x, RoomStatus status) =>
        (x.Away is null ? "H" : "G") + (x.IsOperator ? "*" : "") + (x.IsBot ? "B" : "") + MemberPrefixes(status);

    private void WhoLine(string channel, ChatMember x, RoomStatus status, string? fields, string? token)
    {
        var realName = x.RealName;
        if (fields is null)
        {
            Reply(Rpl.WhoReply, channel, x.UserName, x.Host, Server, x.Nick, WhoFlags(x, status), "0 " + realName);
            return;
        }
        var values = new List<string>();
        foreach (var f in WhoxFields)
        {
            if (!fields.Contains(f, StringComparison.Ordinal)) continue;
            values.Add(f switch
            {
                't' => token ?? "0",
                'c' => channel,
                'u' => x.UserName,
                'i' => x is ChatConnection { Remote: var ep } ? ep.Address.ToString() : "255.255.255.255",
                'h' => x.Host,
                's' => Server,
                'n' => x.Nick,
                'f' => WhoFlags(x, status),
                'd' => "0",
                'l' => Number((long)(DateTimeOffset.UtcNow - x.LastActive).TotalSeconds),
                'a' => x.Account ?? "0",
                'o' => "n/a",
                _ => realName, // 'r'
            });
        }
        if (values.Count == 0) return;
        // The real name is last and may hold spaces; anything else empty would break the line.
        for (var i = 0; i < values.Count - 1; i++) if (values[i].Length == 0) values[i] = "*";
        ReplyTo(Rpl.WhoSpcRpl, fields.Contains('r', StringComparison.Ordinal), [.. values]);
    }

    internal void WhoisCommand(IrcMessage m)
    {
        var nick = m.Params[^1].Split(',')[0];
        var x = Hub.FindMember(nick);
        if (x is null)
        {
            Reply(Err.NoSuchNick, Word(nick), "No such nick/channel");
            Reply(Rpl.EndOfWhois, Word(nick), "End of /WHOIS list");
            return;
        }
        Reply(Rpl.WhoisUser, x.Nick, x.UserName, x.Host, "*", x.RealName);
        var rooms = new List<string>();
        foreach (var name in x.Rooms)
        {
            if (Hub.FindRoom(name) is not { } r) continue;
            if ((r.Secret || r.Private) && !Self.InRoom(r.Name) && !ReferenceEquals(x, Self) && !IsOperator) continue;
            rooms.Add(MemberPrefixes(r.StatusOf(x)) + r.Name);
        }
        foreach (var chunk in rooms.Chunk(20)) Reply(Rpl.WhoisChannels, x.Nick, string.Join(' ', chunk));
        if (x is Services.ServiceMember && Options.ServicesServer is { } services) Reply(Rpl.WhoisServer, x.Nick, services, ServicesInfo);
        else if (x.NodeServer is { } node) Reply(Rpl.WhoisServer, x.Nick, node, "another node of this cluster");
        else Reply(Rpl.WhoisServer, x.Nick, Server, Options.ServerInfo);
        if (x.IsOperator) Reply(Rpl.WhoisOperator, x.Nick, "is an IRC operator");
        if (x.Account is { } account) Reply(Rpl.WhoisAccount, x.Nick, account, "is logged in as");
        if (x.IsBot) Reply(Rpl.WhoisBot, x.Nick, "is a bot");
        if (x is IrcSession { IsSecure: true }) Reply(Rpl.WhoisSecure, x.Nick, "is using a secure connection");
        if (ReferenceEquals(x, Self) || IsOperator)
        {
            var ip = x is ChatConnection c ? c.Remote.Address.ToString() : x.Host;
            Reply(Rpl.WhoisActually, x.Nick, $"{x.UserName}@{ip}", ip, "actually using host");
        }
        if (x.Away is { } away) Reply(Rpl.Away, x.Nick, away);
        WhoisMetadata(x);
        ReplyTo(Rpl.WhoisIdle, true, x.Nick, Number((long)(DateTimeOffset.UtcNow - x.LastActive).TotalSeconds),
            Number(x.SignOn.ToUnixTimeSeconds()), "seconds idle, signon time");
        Reply(Rpl.EndOfWhois, x.Nick, "End of /WHOIS list");
    }

    internal void WhoWasCommand(IrcMessage m)
    {
        var count = int.TryParse(m.Param(1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n : 0;
        foreach (var nick in m.Param(0).Split(',', StringSplitOptions.RemoveEmptyEntries).Take(1))
        {
            var found = Hub.WhoWas.Find(nick, count);
            if (found.Count == 0) Reply(Err.WasNoSuchNick, Word(nick), "There was no such nickname");
            foreach (var e in found)
            {
                Reply(Rpl.WhoWasUser, e.Nick, e.UserName, e.Host, "*", e.RealName);
                Reply(Rpl.WhoisServer, e.Nick, Server, e.Time.UtcDateTime.ToString("ddd MMM d HH:mm:ss yyyy", CultureInfo.InvariantCulture));
            }
            Reply(Rpl.EndOfWhoWas, Word(nick), "End of WHOWAS");
        }
    }

    internal void IsOnCommand(IrcMessage m) =>
        Reply(Rpl.IsOn, string.Join(' ', m.Params.SelectMany(p => p.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Take(50)
            .Select(Hub.FindMember).OfType<ChatMember>().Select(x => x.Nick)));

    internal void UserHostCommand(IrcMessage m) =>
        Reply(Rpl.UserHost, string.Join(' ', m.Params.SelectMany(p => p.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Take(5)
            .Select(Hub.FindMember).OfType<ChatMember>().Select(x => $"{x.Nick}{(x.IsOperator ? "*" : "")}={(x.Away is null ? '+' : '-')}{x.UserName}@{x.Host}")));

    internal void Lusers()
    {
        var (users, invisible, opers, rooms, local) = Hub.Counts();
        var servers = Hub.Servers;
        // On a cluster the other nodes are the linked servers (LINKS still names this one: they are not IRC links).
        var max = Math.Max(Hub.MaxMemberCount, users);
        var localMax = servers == 1 ? max : Math.Max(local, Hub.MaxLocalCount);
        Reply(Rpl.LuserClient, $"There are {users - invisible} users and {invisible} invisible on {servers} servers");
        if (opers > 0) ReplyTo(Rpl.LuserOp, true, Number(opers), "operator(s) online");
        ReplyTo(Rpl.LuserChannels, true, Number(rooms), "channels formed");
        Reply(Rpl.LuserMe, $"I have {local} clients and {servers - 1} servers");
        ReplyTo(Rpl.LocalUsers, true, Number(local), Number(localMax), $"Current local users {local}, max {localMax}");
        ReplyTo(Rpl.GlobalUsers, true, Number(users), Number(max), $"Current global users {users}, max {max}");
    }

    internal void TimeCommand(IrcMessage m)
    {
        if (m.Params.Count > 0 && !IsThisServer(m.Param(0))) { Reply(Err.NoSuchServer, Word(m.Param(0)), "No such server"); return; }
        var now = DateTimeOffset.UtcNow;
        ReplyTo(Rpl.Time, true, Server, Number(now.ToUnixTimeSeconds()), "0", now.ToString("dddd MMMM d yyyy -- HH:mm:ss 'UTC'", CultureInfo.InvariantCulture));
    }

    internal void VersionCommand(IrcMessage m)
    {
        if (m.Params.Count > 0 && !IsThisServer(m.Param(0))) { Reply(Err.NoSuchServer, Word(m.Param(0)), "No such server"); return; }
        Reply(Rpl.Version, Version, Server, "sock chat: plain lines, IRC and TLS on one port");
        SendISupport();
    }

    internal void InfoCommand(IrcMessage m)
    {
        if (m.Params.Count > 0 && !IsThisServer(m.Param(0))) { Reply(Err.NoSuchServer, Word(m.Param(0)), "No such server"); return; }
        foreach (var line in new[]
        {
            $"{Version}: the chat server of the sock socket toolkit",
            "Plain-line clients (nc, telnet), IRC clients and TLS share one port, one set of nicks and rooms.",
            $"Up since {Hub.Started:yyyy-MM-dd HH:mm:ss} UTC; {Hub.MemberCount} users in {Hub.RoomCount} rooms.",
        })
            Reply(Rpl.Info, line);
        Reply(Rpl.EndOfInfo, "End of /INFO list");
    }

    internal void AdminCommand(IrcMessage m)
    {
        if (m.Params.Count > 0 && !IsThisServer(m.Param(0))) { Reply(Err.NoSuchServer, Word(m.Param(0)), "No such server"); return; }
        Reply(Rpl.AdminMe, Server, "Administrative info");
        Reply(Rpl.AdminLoc1, Options.AdminInfo);
        Reply(Rpl.AdminLoc2, $"{Options.NetworkName} network");
        Reply(Rpl.AdminEmail, Options.AdminEmail.Length > 0 ? Options.AdminEmail : "no e-mail given");
    }

    internal void StatsCommand(IrcMessage m)
    {
        var letter = m.Param(0).Length > 0 ? m.Param(0)[..1] : "*";
        if (letter == "u")
        {
            var up = DateTimeOffset.UtcNow - Hub.Started;
            Reply(Rpl.StatsUptime, string.Create(CultureInfo.InvariantCulture, $"Server Up {(int)up.TotalDays} days {up.Hours:00}:{up.Minutes:00}:{up.Seconds:00}"));
        }
        Reply(Rpl.StatsEnd, Word(letter), "End of /STATS report");
    }

    private const string ServicesInfo = "sock chat services (NickServ, ChanServ)";

    internal void LinksCommand()
    {
        Reply(Rpl.Links, Server, Server, "0 " + Options.ServerInfo);
        // The built-in services, when given a server of their own (--services-server): one hop away.
        if (Options.ServicesServer is { } services) Reply(Rpl.Links, services, Server, "1 " + ServicesInfo);
        Reply(Rpl.EndOfLinks, "*", "End of /LINKS list.");
    }

    internal void HelpCommand(IrcMessage m)
    {
        var subject = m.Param(0).ToUpperInvariant();
        if (subject.Length == 0)
        {
            Reply(Rpl.HelpStart, "*", "sock chat server: IRC commands (HELP COMMAND for one)");
            foreach (var chunk in IrcCommandTable.All.Select(c => c.Name).Order(StringComparer.Ordinal).Chunk(10))
                Reply(Rpl.HelpTxt, "*", string.Join(' ', chunk));
            Reply(Rpl.EndOfHelp, "*", "End of /HELP");
            return;
        }
        if (!IrcCommandTable.ByName.TryGetValue(subject, out var command)) { Reply(Err.HelpNotFound, Word(m.Param(0)), "No help available on this topic"); return; }
        Reply(Rpl.HelpStart, command.Name, $"** {command.Name} **");
        Reply(Rpl.HelpTxt, command.Name, command.Help);
        Reply(Rpl.EndOfHelp, command.Name, "End of /HELP");
    }
}
