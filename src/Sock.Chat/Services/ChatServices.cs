namespace Sock.Chat.Services;

/// <summary>The hub's pseudo-users, and the short aliases IRC clients type (NS, CS).</summary>
public sealed class ChatServices
{
    internal ChatServices(ChatHub hub)
    {
        NickServ = new NickServ(hub);
        ChanServ = new ChanServ(hub);
    }

    /// <summary>How many pseudo-users there are (they hold nicks but are not counted as users).</summary>
    public const int Count = 2;

    public NickServ NickServ { get; }
    public ChanServ ChanServ { get; }

    /// <summary>The service a command name (NICKSERV, NS, CHANSERV, CS) stands for.</summary>
    public ServiceMember? ByAlias(string command) => command.ToUpperInvariant() switch
    {
        "NS" or "NICKSERV" => NickServ,
        "CS" or "CHANSERV" => ChanServ,
        _ => null,
    };
}
