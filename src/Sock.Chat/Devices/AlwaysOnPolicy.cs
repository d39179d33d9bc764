namespace Sock.Chat.Devices;

/// <summary>The server's always-on policy (<c>--always-on</c>), as Ergo's accounts.multiclient.always-on.</summary>
public enum AlwaysOnPolicy
{
    /// <summary>Nobody stays on: a member leaves with its last device.</summary>
    Off,
    /// <summary>Accounts that ask (NickServ SET ALWAYS-ON ON, PERSISTENCE SET ON) stay on.</summary>
    OptIn,
    /// <summary>Every account stays on unless it declines (SET ALWAYS-ON OFF).</summary>
    OptOut,
}
