namespace Sock.Chat.Irc;

/// <summary>Server operators: OPER, KILL, WALLOPS (the table keeps KILL and WALLOPS to operators).</summary>
public sealed partial class IrcSession
{
    internal void OperCommand(IrcMessage m)
    {
        if (!Options.Operators.TryGetValue(m.Param(0), out var password)
            || !System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
                System.Text.Encoding.UTF8.GetBytes(password), System.Text.Encoding.UTF8.GetBytes(m.Param(1))))
        {
            Reply(Err.PasswdMismatch, "Password incorrect");
            return;
        }
        IsOperator = true;
        WantsWallops = true;
        Reply(Rpl.YoureOper, "You are now an IRC operator");
        Emit($":{Prefix} MODE {Nick} :+ow");
    }

    internal void KillCommand(IrcMessage m)
    {
        if (Hub.Kill(Self, m.Param(0), m.Params.Count > 1 && m.Param(1).Length > 0 ? m.Param(1) : "no reason") == ChatError.NoSuchNick)
            Reply(Err.NoSuchNick, Word(m.Param(0)), "No such nick/channel");
    }

    internal void WallopsCommand(IrcMessage m) => Hub.Wallops(Self, m.Param(0));
}
