namespace Sock.Chat.Devices;

/// <summary>
/// An account's presence when it has more than one device (multiclient): the member the hub knows
/// (in the nick table and in rooms) while each connection is a device of it. Fan-out reaches this
/// member once; it hands the event to each device, which encodes it for its own protocol and caps
/// (so one encode per cap set, as for any member). Only accounts with a second device have one:
/// a lone connection stays the member itself and carries nothing extra (docs/BENCHMARKS.md).
/// </summary>
public sealed class AccountPresence : ChatMember
{
    // Devices in the order they came; replaced whole on change (a fan-out walks the array it read).
    private Device[] _devices = [];

    /// <summary>One connection of the account: its name (account@NAME), the connection, and since when.</summary>
    public sealed record Device(ChatConnection Connection, string Name, DateTimeOffset Since);

    // The device whose command is running on this thread (set around each line a connection handles):
    // a service's answer goes to it alone, and what it said reaches the others as an echo.
    [ThreadStatic] private static ChatConnection? t_acting;

    internal static ChatConnection? Acting { get => t_acting; set => t_acting = value; }

    internal AccountPresence(ChatMember first)
    {
        Nick = first.Nick;
        UserName = first.UserName;
        Host = first.Host;
        RealName = first.RealName;
        Away = first.Away;
        IsOperator = first.IsOperator;
        WantsWallops = first.WantsWallops;
        Invisible = first.Invisible;
        IsBot = first.IsBot;
        Account = first.Account;
    }

    /// <summary>An always-on member with no device, made at start from what the account store kept (<see cref="ChatHub.RestoreAlwaysOn"/>).</summary>
    internal AccountPresence(string nick, string account)
    {
        Nick = nick;
        UserName = account.Length > 10 ? account[..10] : account;
        Host = "always-on";
        Account = account;
    }

    /// <summary>The away message is the server's "(disconnected)", set when the last device left (cleared when one comes back).</summary>
    internal bool AwayBecauseDisconnected { get; set; }

    public IReadOnlyList<Device> Devices => Volatile.Read(ref _devices);

    public int DeviceCount => Volatile.Read(ref _devices).Length;

    /// <summary>The first device's protocol ("irc" when it has an IRC device: NAMES shows it as IRC).</summary>
    public override string Protocol => Devices.Any(d => d.Connection.Protocol == "irc") ? "irc" : (Devices is [var first, ..] ? first.Connection.Protocol : "irc");

    internal void Add(ChatConnection c, string name)
    {
        lock (this) _devices = [.. _devices, new Device(c, name, DateTimeOffset.UtcNow)];
    }

    internal bool Remove(ChatConnection c)
    {
        lock (this)
        {
            var left = _devices.Where(d => !ReferenceEquals(d.Connection, c)).ToArray();
            if (left.Length == _devices.Length) return false;
            _devices = left;
            return true;
        }
    }

    internal bool Has(ChatConnection c) => Array.Exists(Volatile.Read(ref _devices), d => ReferenceEquals(d.Connection, c));

    public override void Deliver(ChatEvent e)
    {
        var devices = Volatile.Read(ref _devices);
        var acting = t_acting is { } a && Array.Exists(devices, d => ReferenceEquals(d.Connection, a)) ? a : null;
        var mine = ReferenceEquals(e.Sender, this);
        // A service answers the device that asked; what a device says to a service (a password) is not shown to the others.
        if (acting is not null && (e.Sender is Services.ServiceMember || (mine && e.IsPrivate && IsService(e.Target))))
        {
            acting.DeliverToDevice(e, mine, echo: false);
            return;
        }
        foreach (var d in devices) d.Connection.DeliverToDevice(e, mine, echo: mine && !ReferenceEquals(d.Connection, acting));
        // The devices show the account's nick (their replies are addressed to it).
        if (mine && e.Kind == ChatEventKind.NickChange)
            foreach (var d in devices) d.Connection.Nick = e.Text;
    }

    private static bool IsService(string? nick) => nick is "NickServ" or "ChanServ" || string.Equals(nick, "NickServ", StringComparison.OrdinalIgnoreCase) || string.Equals(nick, "ChanServ", StringComparison.OrdinalIgnoreCase);

    protected internal override void OnJoined(ChatRoom room, IReadOnlyList<ChatEvent> replay)
    {
        foreach (var d in Devices) d.Connection.OnJoined(room, replay);
    }

    /// <summary>KILL, GHOST: every device goes (the last one's leaving ends the presence).</summary>
    public override void Disconnect(string reason)
    {
        foreach (var d in Devices) d.Connection.Disconnect(reason);
    }
}
