using System.Globalization;

namespace Sock.Chat.Irc;

/// <summary>
/// RPL_ISUPPORT built in one place from what the server enforces: the mode table, the command
/// table and the options (InspIRCd's core_info/isupport.cpp does the same).
/// </summary>
internal static class IrcSupport
{
    /// <summary>User modes: +i invisible, +o operator, +w wallops, +B bot.</summary>
    public const string UserModeLetters = "Biow";

    public static IEnumerable<string> Tokens(ChatServerOptions o)
    {
        static string N(int n) => n.ToString(CultureInfo.InvariantCulture);
        yield return "ACCOUNTEXTBAN=" + ExtBans.AccountNames; // $a:account (IRCv3 account-extban)
        yield return "AWAYLEN=" + N(o.AwayLength);
        yield return "BOT=B";
        yield return "CASEMAPPING=ascii";
        yield return "CHANLIMIT=#:" + N(o.MaxChannelsPerClient);
        yield return "CHANMODES=" + RoomMode.ChanModes;
        yield return "CHANNELLEN=" + N(o.ChannelLength);
        yield return "CHANTYPES=#";
        if (o.HistoryLength > 0) yield return "CHATHISTORY=" + N(o.HistoryLength);
        yield return "ELIST=CMNTU"; // creation time, masks, negated masks, topic age, user counts (ListFilterMatches)
        yield return "EXCEPTS=e";
        yield return "EXTBAN=" + ExtBans.IsupportValue;
        yield return "INVEX=I";
        yield return "KEYLEN=" + N(RoomMode.MaxKeyLength);
        yield return "KICKLEN=" + N(o.TopicLength);
        yield return "LINELEN=" + N(Math.Min(o.MaxLineBytes, IrcLineBudget.MaxBytes + 2)); // with CRLF, tags apart
        yield return "MAXLIST=beI:" + N(o.MaxListEntries);
        yield return "MAXTARGETS=" + N(o.MaxTargets);
        yield return "MODES=" + N(o.MaxModesPerCommand);
        yield return "MONITOR=" + N(o.MonitorLimit);
        if (o.HistoryLength > 0) yield return "MSGREFTYPES=msgid,timestamp";
        yield return "NETWORK=" + o.NetworkName;
        yield return "NICKLEN=" + N(o.NickLength);
        yield return "PREFIX=" + RoomMode.PrefixSpec;
        yield return "STATUSMSG=" + RoomMode.StatusMessagePrefixes; // PRIVMSG @#room, +#room
        yield return "TARGMAX=" + IrcCommandTable.TargMax(o);
        yield return "TOPICLEN=" + N(o.TopicLength);
        yield return "USERLEN=" + N(o.UserLength);
        yield return "UTF8ONLY";
        yield return "WHOX";
    }
}
