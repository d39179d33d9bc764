using Sock.Chat.Accounts;

namespace Sock.Chat.Services;

/// <summary>ChanServ: registered rooms keep topic, modes, bans and an access list across restarts.</summary>
public sealed class ChanServ : ServiceMember
{
    internal ChanServ(ChatHub hub) : base(hub, "ChanServ")
    {
        Register(
        [
            new("REGISTER", RegisterCommand, 1, "REGISTER #room", "registers a room you are an operator of; you become its founder"),
            new("DROP", (m, a) => Report(m, Hub.DropRoom(m, a[0]), $"{a[0]} is no longer registered"), 1, "DROP #room", "unregisters a room (founder only)"),
            new("OP", (m, a) => Status(m, a, true, 'o'), 1, "OP #room [nick]", "gives operator status"),
            new("DEOP", (m, a) => Status(m, a, false, 'o'), 1, "DEOP #room [nick]", "takes operator status"),
            new("VOICE", (m, a) => Status(m, a, true, 'v'), 1, "VOICE #room [nick]", "gives voice"),
            new("DEVOICE", (m, a) => Status(m, a, false, 'v'), 1, "DEVOICE #room [nick]", "takes voice"),
            new("AMODE", Amode, 3, "AMODE #room +o|+v|-o|-v account", "sets who gets op or voice on joining (the access list)"),
            new("INFO", Info, 1, "INFO #room", "shows a registered room"),
        ]);
    }

    private void RegisterCommand(ChatMember m, string[] args)
    {
        var error = Hub.RegisterRoom(m, args[0]);
        Tell(m, error switch
        {
            ChatError.None => $"Channel {args[0]} successfully registered",
            ChatError.NoPrivileges => "You must be logged in to register a room (/msg NickServ IDENTIFY)",
            ChatError.NoSuchRoom => $"{args[0]} does not exist",
            ChatError.NotRoomOperator => $"You must be an operator of {args[0]}",
            _ => $"{args[0]} is already registered",
        });
    }

    private void Status(ChatMember m, string[] args, bool on, char mode)
    {
        var nick = args.Length > 1 ? args[1] : m.Nick;
        Report(m, Hub.ServiceMode(m, this, args[0], new ModeChange(on, mode, nick)), null);
    }

    private void Amode(ChatMember m, string[] args)
    {
        var access = args[1] switch { "+o" => RoomAccess.Operator, "+v" => RoomAccess.Voice, "-o" or "-v" => RoomAccess.None, _ => (RoomAccess?)null };
        if (access is null) { Tell(m, "Syntax: AMODE #room +o|+v|-o|-v account"); return; }
        Report(m, Hub.SetRoomAccess(m, args[0], args[2], access.Value), $"{args[2]} now has {access.Value.ToString().ToLowerInvariant()} access to {args[0]}");
    }

    private void Info(ChatMember m, string[] args)
    {
        if (Hub.Accounts.Store.FindRoom(args[0]) is not { } r) { Tell(m, $"{args[0]} is not registered"); return; }
        Tell(m, $"{r.Name}: founder {r.Founder}, registered {r.Registered:yyyy-MM-dd HH:mm} UTC, modes {r.Modes}");
        foreach (var (account, level) in r.Access) Tell(m, $"  {account}: {level.ToString().ToLowerInvariant()}");
    }

    private void Report(ChatMember m, ChatError error, string? ok)
    {
        var text = error switch
        {
            ChatError.None => ok,
            ChatError.NoSuchRoom => "That room is not registered",
            ChatError.NoPrivileges => "You do not have access to do that",
            ChatError.UserNotInRoom or ChatError.NoSuchNick => "They are not in that room",
            _ => $"Cannot do that ({error})",
        };
        if (text is not null) Tell(m, text);
    }
}
