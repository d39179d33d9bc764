using System.Text;

namespace Sock.Chat.Irc;

/// <summary>MODE for rooms (the table in <see cref="RoomMode"/>) and for oneself (+i +w +B, -o).</summary>
public sealed partial class IrcSession
{
    internal void ModeCommand(IrcMessage m)
    {
        var target = m.Param(0);
        if (!ChatNames.IsChannel(target)) { UserMode(m); return; }
        var r = Hub.FindRoom(target);
        if (r is null) { Reply(Err.NoSuchChannel, Word(target), "No such channel"); return; }
        if (m.Params.Count < 2)
        {
            ReplyTo(Rpl.ChannelModeIs, false, [r.Name, .. r.ModeString(showKey: Self.InRoom(r.Name) || IsOperator).Split(' ')]);
            ReplyTo(Rpl.CreationTime, false, r.Name, Number(r.Created.ToUnixTimeSeconds()));
            return;
        }
        var changes = new List<ModeChange>();
        var on = true;
        var arg = 2;
        var withParameter = 0;
        var unknown = new HashSet<char>();
        var listed = new HashSet<char>();
        foreach (var c in m.Param(1))
        {
            if (c is '+' or '-') { on = c == '+'; continue; }
            var mode = RoomMode.Find(c);
            if (mode is null)
            {
                if (unknown.Add(c) && unknown.Count <= 8) Reply(Err.UnknownMode, c.ToString(), "is unknown mode char to me");
                continue;
            }
            if (!mode.TakesParameter(on)) { changes.Add(new ModeChange(on, c, null)); continue; }
            if (m.Params.Count <= arg)
            {
                if (mode.Kind == RoomModeKind.List) { if (listed.Add(c)) SendList(r, c); } // once each, however often asked
                else if (mode.Kind != RoomModeKind.Member || changes.Count == 0) Reply(Err.NeedMoreParams, "MODE", "Not enough parameters");
                continue;
            }
            // MODES=N: parameter-taking changes beyond N are ignored, as ISUPPORT says.
            if (++withParameter > Options.MaxModesPerCommand) { arg++; continue; }
            changes.Add(new ModeChange(on, c, m.Param(arg++)));
        }
        if (changes.Count == 0) return;
        var result = Hub.ChangeModes(Self, r.Name, changes);
        foreach (var refusal in result.Refused) ReportModeRefusal(r, refusal);
    }

    private void ReportModeRefusal(ChatRoom r, ModeRefusal x)
    {
        switch (x.Error)
        {
            case ChatError.NotRoomOperator: Reply(Err.ChanOPrivsNeeded, r.Name, "You're not channel operator"); break;
            case ChatError.NoSuchNick: Reply(Err.NoSuchNick, Word(x.Arg ?? ""), "No such nick/channel"); break;
            case ChatError.UserNotInRoom: Reply(Err.UserNotInChannel, Word(x.Arg ?? ""), r.Name, "They aren't on that channel"); break;
            case ChatError.ListFull: Reply(Err.BanListFull, r.Name, x.Mode.ToString(), "Channel list is full"); break;
            case ChatError.InvalidModeParameter:
                var shown = x.Mode == 'k' ? "*" : Word(x.Arg ?? "");
                Reply(Err.InvalidModeParam, r.Name, x.Mode.ToString(), shown.Length > 50 ? "*" : shown, x.Mode switch
                {
                    'k' => $"Invalid key: 1-{RoomMode.MaxKeyLength} characters, no spaces, commas or leading ':'",
                    'l' => $"Invalid limit: a whole number from 1 to {RoomMode.MaxLimit}",
                    _ => $"Invalid mask: at most {Masks.MaxLength} characters, no spaces",
                });
                break;
        }
    }

    /// <summary>+b, +e or +I without a parameter: the list (anyone may read it, but not of a secret room from outside).</summary>
    private void SendList(ChatRoom r, char mode)
    {
        var (item, end, endText) = mode switch
        {
            'b' => (Rpl.BanList, Rpl.EndOfBanList, "End of channel ban list"),
            'e' => (Rpl.ExceptList, Rpl.EndOfExceptList, "End of channel exception list"),
            _ => (Rpl.InviteList, Rpl.EndOfInviteList, "End of channel invite list"),
        };
        if (!r.Secret || Self.InRoom(r.Name) || IsOperator)
            foreach (var e in r.ListEntries(mode))
                ReplyTo(item, false, r.Name, e.Mask, e.SetBy, Number(e.Time.ToUnixTimeSeconds()));
        Reply(end, r.Name, endText);
    }

    private void UserMode(IrcMessage m)
    {
        if (Hub.FindMember(m.Param(0)) is null) { Reply(Err.NoSuchNick, Word(m.Param(0)), "No such nick/channel"); return; }
        if (!string.Equals(m.Param(0), Nick, StringComparison.OrdinalIgnoreCase)) { Reply(Err.UsersDontMatch, "Can't change mode for other users"); return; }
        if (m.Params.Count < 2) { Reply(Rpl.UModeIs, UserModes()); return; }
        var on = true;
        var applied = new StringBuilder();
        bool? lastSign = null;
        var unknown = false;
        void Applied(bool sign, char c)
        {
            if (lastSign != sign) applied.Append(sign ? '+' : '-');
            lastSign = sign;
            applied.Append(c);
        }
        foreach (var c in m.Param(1))
        {
            switch (c)
            {
                case '+': on = true; break;
                case '-': on = false; break;
                case 'i': if (Invisible != on) { Invisible = on; Applied(on, c); } break;
                case 'w': if (WantsWallops != on) { WantsWallops = on; Applied(on, c); } break;
                case 'B': if (IsBot != on) { IsBot = on; Applied(on, c); } break;
                case 'o': if (!on && IsOperator) { IsOperator = false; Applied(false, c); } break; // +o only through OPER
                default: unknown = true; break;
            }
        }
        if (unknown) Reply(Err.UModeUnknownFlag, "Unknown MODE flag");
        if (applied.Length > 0) Emit($":{Prefix} MODE {Nick} :{applied}");
    }

    private string UserModes() => "+" + (IsBot ? "B" : "") + (Invisible ? "i" : "") + (IsOperator ? "o" : "") + (WantsWallops ? "w" : "");
}
