namespace Sock.Chat.Irc;

/// <summary>AWAY, SETNAME and MONITOR.</summary>
public sealed partial class IrcSession
{
    internal void AwayCommand(IrcMessage m)
    {
        var message = m.Param(0);
        Hub.SetAway(Self, message.Length == 0 ? null : message);
        if (Self.Away is null) Reply(Rpl.UnAway, "You are no longer marked as being away");
        else Reply(Rpl.NowAway, "You have been marked as being away");
    }

    internal void SetNameCommand(IrcMessage m)
    {
        if (Hub.SetRealName(Self, m.Param(0)) != ChatError.None)
            Fail("SETNAME", "INVALID_REALNAME", $"Real names are at most {Options.RealNameLength} characters");
    }

    /// <summary>IRCv3 MONITOR: + adds (answered with 730/731 at once), - removes, C clears, L lists, S says who is on.</summary>
    internal void MonitorCommand(IrcMessage m)
    {
        var targets = m.Param(1).Split(',', StringSplitOptions.RemoveEmptyEntries);
        switch (m.Param(0))
        {
            case "+":
                if (targets.Length == 0) { Reply(Err.NeedMoreParams, "MONITOR", "Not enough parameters"); return; }
                var (added, refused) = Hub.Monitors.Add(this, targets.Where(t => ChatNames.IsValidNick(t, Options.NickLength)));
                MonitorStatus(added);
                if (refused.Count > 0) Reply(Err.MonListFull, Number(Hub.Monitors.Limit), string.Join(',', refused), "Monitor list is full.");
                break;
            case "-":
                Hub.Monitors.Remove(this, targets);
                break;
            case "C" or "c":
                Hub.Monitors.Clear(this);
                break;
            case "L" or "l":
                foreach (var chunk in Hub.Monitors.List(this).Chunk(20)) Reply(Rpl.MonList, string.Join(',', chunk));
                Reply(Rpl.EndOfMonList, "End of MONITOR list");
                break;
            case "S" or "s":
                MonitorStatus(Hub.Monitors.List(this));
                break;
        }
    }

    private void MonitorStatus(IReadOnlyList<string> nicks)
    {
        var online = new List<string>();
        var offline = new List<string>();
        foreach (var nick in nicks)
            if (Hub.FindMember(nick) is { } x) online.Add(x.Prefix); else offline.Add(nick);
        foreach (var chunk in online.Chunk(10)) Reply(Rpl.MonOnline, string.Join(',', chunk));
        foreach (var chunk in offline.Chunk(20)) Reply(Rpl.MonOffline, string.Join(',', chunk));
    }
}
