namespace Sock.Chat.Irc;

/// <summary>draft/persistence (as Ergo implements it): PERSISTENCE GET | SET ON|OFF|DEFAULT reads and sets always-on.</summary>
public sealed partial class IrcSession
{
    internal void PersistenceCommand(IrcMessage m)
    {
        var sub = m.Param(0).ToUpperInvariant();
        if (sub is not ("GET" or "SET")) { Fail("PERSISTENCE", "INVALID_PARAMS", Word(m.Param(0)), "Syntax: PERSISTENCE GET | PERSISTENCE SET ON|OFF|DEFAULT"); return; }
        if (Account is not { } account) { Fail("PERSISTENCE", "ACCOUNT_REQUIRED", "You must be logged in to an account to be always-on"); return; }
        if (sub == "SET")
        {
            var value = m.Param(1).ToUpperInvariant();
            if (value is not ("ON" or "OFF" or "DEFAULT")) { Fail("PERSISTENCE", "INVALID_PARAMS", Word(m.Param(1)), "Syntax: PERSISTENCE SET ON|OFF|DEFAULT"); return; }
            if (Hub.SetAlwaysOn(Self, value == "DEFAULT" ? null : value == "ON") != ChatError.None)
            {
                Fail("PERSISTENCE", "SERVER_DISABLED", "Always-on is not available on this server");
                return;
            }
        }
        var choice = Hub.AlwaysOnChoice(account);
        Emit($":{Server} PERSISTENCE STATUS {(choice is null ? "DEFAULT" : choice.Value ? "ON" : "OFF")} {(Hub.IsAlwaysOn(account) ? "ON" : "OFF")}");
    }
}
