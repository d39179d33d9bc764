using System.Net;
using System.Net.Sockets;
using System.Text;
using Sock.Chat.Transport;

namespace Sock.Chat.Plain;

/// <summary>
/// The plain line protocol (nc, telnet, the article's Client.py): every line is said to the current
/// room, slash commands do the rest. A plain user is in one room at a time.
/// </summary>
public sealed class PlainSession : ChatConnection
{
    private const int CacheLf = 0, CacheCrlf = 1;
    private TelnetFilter _telnet;
    private string? _room;
    private bool _loggedIn;

    public PlainSession(ChatHub hub, Socket socket, Stream stream, IPEndPoint remote, SendCoalescer? sender = null)
        : base(hub, socket, stream, remote, sender) { }

    public override string Protocol => "plain";

    /// <summary>The member this session acts as: its account's presence when it is one of several devices (docs/devices.md), else itself.</summary>
    private ChatMember Self => Hub.Acting(this);
    protected override bool FlushPartialOnPause => true;

    /// <summary>The welcome line names the address the way Python prints it: ('127.0.0.1', 54321).</summary>
    public static string PythonAddress(IPEndPoint ep)
    {
        var a = ep.Address.IsIPv4MappedToIPv6 ? ep.Address.MapToIPv4() : ep.Address;
        return a.AddressFamily == AddressFamily.InterNetworkV6
            ? $"('{a}', {ep.Port}, 0, {a.ScopeId})"
            : $"('{a}', {ep.Port})";
    }

    protected override ReadOnlySpan<byte> Filter(ReadOnlySpan<byte> data, Span<byte> scratch) => _telnet.Filter(data, scratch);

    protected override void OnStart()
    {
        UserName = "plain";
        if (Hub.ClaimGuestNick(this) is null)
        {
            Send("* this server cannot reach its cluster store (Redis) right now: try again in a moment");
            Disconnect("cluster store unreachable");
            return;
        }
        Send($"欢迎{PythonAddress(Remote)} — you are {Nick}. Type to talk, /help for commands.");
        if (Options.Password is not null)
        {
            Send("* this server needs a password: /login PASSWORD");
            return;
        }
        _loggedIn = true;
        JoinRoom(Options.DefaultRoom);
    }

    protected override byte[] FinalMessage(string reason) =>
        Encoding.UTF8.GetBytes($"* disconnected: {reason}" + (UsesCrlf ? "\r\n" : "\n"));

    protected override ValueTask OnLineAsync(string line, LineMarks flags)
    {
        if (flags.HasFlag(LineMarks.Cut)) Send($"* line too long (max {Options.MaxLineBytes} bytes); it was cut");
        line = line.TrimEnd('\r');
        if (line.Length == 0) return ValueTask.CompletedTask;
        if (!_loggedIn)
        {
            Login(line);
            return ValueTask.CompletedTask;
        }
        if (line.StartsWith("//", StringComparison.Ordinal)) Say(line[1..]);
        else if (line.StartsWith('/')) Command(line);
        else Say(line);
        return ValueTask.CompletedTask;
    }

    private void Login(string line)
    {
        var (cmd, rest) = Split(line);
        if (cmd is "/login" && rest == Options.Password)
        {
            _loggedIn = true;
            Send("* password accepted");
            JoinRoom(Options.DefaultRoom);
        }
        else if (cmd is "/quit") Disconnect("Quit: " + rest);
        else Send("* wrong or missing password: /login PASSWORD");
    }

    private void Say(string text)
    {
        if (_room is null) { Send("* you are not in a room: /join #room"); return; }
        Report(Hub.Say(Self, _room, text, ChatEventKind.Message, out _), _room);
    }

    private static (string Cmd, string Args) Split(string line)
    {
        var sp = line.IndexOf(' ');
        return sp < 0 ? (line.ToLowerInvariant(), "") : (line[..sp].ToLowerInvariant(), line[(sp + 1)..].Trim());
    }

    private void Command(string line)
    {
        var (cmd, rest) = Split(line);
        switch (cmd)
        {
            case "/nick":
                if (rest.Length == 0) Send($"* you are {Nick}; /nick NEWNICK to change");
                else Report(Hub.ClaimNick(Self, rest), rest);
                break;
            case "/join":
                if (rest.Length == 0) { Send("* usage: /join #room [key]"); break; }
                var (roomName, key) = Split(rest);
                roomName = rest.Split(' ')[0];
                JoinRoom(roomName.StartsWith('#') ? roomName : "#" + roomName, key.Length > 0 ? key : null);
                break;
            case "/invite":
                var (invitee, into) = Split(rest);
                if (invitee.Length == 0) { Send("* usage: /invite NICK [#room]"); break; }
                invitee = rest.Split(' ')[0];
                var inviteRoom = into.Length > 0 ? into : _room;
                if (inviteRoom is null) { Send("* usage: /invite NICK #room"); break; }
                var invited = Hub.Invite(Self, invitee, inviteRoom, out _);
                if (invited == ChatError.None) Send($"* invited {invitee} to {inviteRoom}");
                else Report(invited, invited is ChatError.NoSuchNick ? invitee : inviteRoom);
                break;
            case "/whois":
                if (rest.Length == 0) { Send("* usage: /whois NICK"); break; }
                Whois(rest);
                break;
            case "/topic":
                if (_room is null) { Send("* you are not in a room"); break; }
                if (rest.Length == 0) { Send(Hub.FindRoom(_room) is { Topic.Length: > 0 } t ? $"* topic of {_room}: {t.Topic}" : $"* {_room} has no topic"); break; }
                Report(Hub.SetTopic(Self, _room, rest), _room);
                break;
            case "/away":
                Hub.SetAway(Self, rest.Length > 0 ? rest : null);
                Send(rest.Length > 0 ? $"* you are marked away: {rest}" : "* you are back");
                break;
            case "/part":
                if (_room is null) { Send("* you are not in a room"); break; }
                Hub.Part(Self, _room, rest);
                Send($"* you left {_room}; /join #room to talk again");
                _room = Hub.PresenceOf(this) is not null && Self.Rooms is [var next, ..] ? next : null;
                break;
            case "/msg":
                var (to, text) = Split(rest);
                if (to.Length == 0 || text.Length == 0) { Send("* usage: /msg NICK text"); break; }
                to = rest[..rest.IndexOf(' ')];
                Report(Hub.Say(Self, to, text, ChatEventKind.Message, out _), to);
                break;
            case "/me":
                if (_room is null) { Send("* you are not in a room: /join #room"); break; }
                Report(Hub.Say(Self, _room, rest, ChatEventKind.Action, out _), _room);
                break;
            case "/who":
                var room = rest.Length > 0 ? rest : _room;
                var r = room is null ? null : Hub.FindRoom(room);
                if (r is null) { Send($"* no such room {room}"); break; }
                Send($"* {r.Name} ({r.Count}): " + string.Join(", ", r.Members.Select(m => m.Protocol == "plain" ? m.Nick : $"{m.Nick} ({m.Protocol})")));
                break;
            case "/rooms":
                var rooms = Hub.Rooms;
                Send(rooms.Count == 0 ? "* no rooms" : "* rooms: " + string.Join(", ", rooms.Select(x => $"{x.Name} ({x.Count})")));
                break;
            case "/history":
                if (_room is null) { Send("* you are not in a room"); break; }
                var n = int.TryParse(rest, out var k) && k > 0 ? k : Options.HistoryReplay;
                Replay(_room, n);
                break;
            case "/help":
                Send("* commands: /nick NEW, /join #room [key], /part, /msg NICK text, /me action, /who [#room], /whois NICK, /invite NICK [#room], /topic [text], /away [message], /register PASSWORD, /login ACCOUNT[@DEVICE] PASSWORD, /devices [logout NAME|all], /logout, /msg NickServ HELP, /rooms, /history [N], /quit [reason], //text sends /text");
                break;
            case "/quit":
                Disconnect(rest.Length > 0 ? "Quit: " + rest : "Quit");
                break;
            case "/login":
                // /login NAME PASSWORD logs in to an account (the one-word form was the server password).
                var (_, secret) = Split(rest);
                if (secret.Length == 0) { Send("* usage: /login ACCOUNT PASSWORD"); break; }
                Hub.Services.NickServ.Handle(Self, $"IDENTIFY {rest.Split(' ')[0]} {secret}");
                break;
            case "/register":
                if (rest.Length == 0) { Send($"* usage: /register PASSWORD (registers your nick, {Nick}, as an account)"); break; }
                Hub.Services.NickServ.Handle(Self, "REGISTER " + rest);
                break;
            case "/devices":
                // /devices, /devices logout NAME|all: the account's connected devices (NickServ CLIENTS).
                Hub.Services.NickServ.Handle(Self, rest.Length == 0 ? "CLIENTS LIST" : "CLIENTS " + rest);
                break;
            case "/logout":
                Hub.Services.NickServ.Handle(Self, "LOGOUT");
                break;
            default:
                Send($"* unknown command {cmd} (try /help; //text sends a line starting with /)");
                break;
        }
    }

    private void JoinRoom(string name, string? key = null)
    {
        if (_room is not null && string.Equals(_room, name, StringComparison.OrdinalIgnoreCase)) { Send($"* you are already in {_room}"); return; }
        // A device of an account: the account stays in its other rooms (its other devices use them); this one talks here now.
        var device = Hub.PresenceOf(this) is not null;
        if (device && Self.InRoom(name) && Hub.FindRoom(name) is { } already) { _room = already.Name; Send($"* you are talking in {_room}"); return; }
        var previous = device ? null : _room;
        var error = Hub.Join(Self, name, key, out var r);
        if (error != ChatError.None) { Report(error, name); return; }
        // Here, not in OnJoined: on a cluster the welcome comes only when Redis has sequenced the JOIN,
        // and a line typed before that must already go to the new room.
        _room = r!.Name;
        if (previous is not null) Hub.Part(Self, previous, "joined " + r.Name);
    }

    /// <summary>Under the room's lock, right after the join: who is here, the topic, the replay (so nothing said meanwhile comes first or twice).</summary>
    protected internal override void OnJoined(ChatRoom room, IReadOnlyList<ChatEvent> replay)
    {
        // A device of an account shown the account's rooms: it talks in the first one it is shown.
        if (_room is null || (Hub.PresenceOf(this) is not null && !Self.InRoom(_room))) _room = room.Name;
        // The live list (we hold the lock): copying a snapshot of thousands per join to name 20 would make a join storm quadratic.
        var count = room.Live.Count - 1;
        var others = room.Live.Where(m => !ReferenceEquals(m, this) && !ReferenceEquals(m, Self)).Take(20).Select(m => m.Nick);
        Send($"* you joined {room.Name}" + (count <= 0 ? " (nobody else here)" : $" ({count} here: {string.Join(", ", others)}{(count > 20 ? ", …" : "")})"));
        if (room.Topic.Length > 0) Send($"* topic: {room.Topic}");
        SendHistory(replay);
    }

    /// <summary>A returning device's missed private messages.</summary>
    internal override void CatchUp(string correspondent, IReadOnlyList<ChatEvent> missed)
    {
        Send($"* while you were away, with {correspondent}:");
        SendHistory(missed);
    }

    private void Replay(string room, int n)
    {
        var history = Hub.Recent(room, n);
        if (history.Count == 0) Send($"* no history in {room}");
        SendHistory(history);
    }

    private void SendHistory(IReadOnlyList<ChatEvent> history)
    {
        foreach (var e in history)
            SendLines($"[{e.Time.ToLocalTime():HH:mm}] " + (e.Kind == ChatEventKind.Action ? $"* {e.From} {e.Text}" : $"<{e.From}> {e.Text}"));
    }

    private void Report(ChatError error, string what)
    {
        var text = error switch
        {
            ChatError.None => null,
            ChatError.NickInUse => $"* nick {what} is already in use",
            ChatError.ErroneousNick => $"* invalid nick {what}: up to {Options.NickLength} letters, digits or -[]\\`_^{{|}}, not starting with a digit or -",
            ChatError.BadRoomName => $"* invalid room name {what}: #name, up to {Options.ChannelLength} characters, no spaces or commas",
            ChatError.NoSuchNick => $"* no such nick {what}",
            ChatError.NoSuchRoom => $"* no such room {what}",
            ChatError.CannotSendToRoom => $"* you cannot send to {what} (moderated, or you are banned)",
            ChatError.BannedFromRoom => $"* you are banned from {what}",
            ChatError.InviteOnlyRoom => $"* {what} is invite only: ask a member to /invite you",
            ChatError.BadRoomKey => $"* {what} needs a key: /join {what} KEY",
            ChatError.RoomFull => $"* {what} is full",
            ChatError.NotRoomOperator => $"* you are not an operator of {what}",
            ChatError.NotInRoom => $"* you are not in {what}",
            ChatError.UserOnRoom => $"* they are already in {what}",
            ChatError.AccountRequired => "* this server is accounts-only: /register PASSWORD or /login ACCOUNT PASSWORD first",
            ChatError.TooManyRooms => "* you are in too many rooms",
            ChatError.Unavailable => $"* not done: this server cannot reach its cluster store (Redis) right now; nothing was sent to {what}, try again in a moment",
            _ => $"* cannot do that: {error}",
        };
        if (text is not null) Send(text);
    }

    public override void Deliver(ChatEvent e) => DeliverCore(e, ReferenceEquals(e.Sender, this), echo: false);

    /// <summary>An event for this device's account: what another device did is shown as if an echo.</summary>
    internal override void DeliverToDevice(ChatEvent e, bool mine, bool echo)
    {
        if (mine && echo && e.Kind == ChatEventKind.Part && string.Equals(e.Target, _room, StringComparison.OrdinalIgnoreCase))
        {
            _room = Self.Rooms.FirstOrDefault(r => !string.Equals(r, e.Target, StringComparison.OrdinalIgnoreCase));
            Send($"* you left {e.Target} (on another device)" + (_room is null ? "; /join #room to talk again" : $"; now talking in {_room}"));
            return;
        }
        DeliverCore(e, mine, echo);
    }

    private void DeliverCore(ChatEvent e, bool mine, bool echo)
    {
        if (e.Kind == ChatEventKind.Message && !e.IsPrivate)
        {
            if (mine && !echo) return; // no echo
            var slot = UsesCrlf ? CacheCrlf : CacheLf;
            var nl = UsesCrlf ? "\r\n" : "\n";
            // A multi-line message: its later lines indented under the first (as SendLines does).
            var bytes = e.EncodingCache[slot] ??= Encoding.UTF8.GetBytes(e.Lines is null ? $"<{e.From}> {e.Text}{nl}" : $"<{e.From}> {e.Text.Replace("\n", nl + "    ", StringComparison.Ordinal)}{nl}");
            SendRaw(bytes);
            return;
        }
        var line = e.Kind switch
        {
            ChatEventKind.Message when mine => $"-> *{e.Target}* {e.Text}",
            ChatEventKind.Message => $"*{e.From}* {e.Text}",
            ChatEventKind.Action when mine && e.IsPrivate => $"-> *{e.Target}* * {e.From} {e.Text}",
            ChatEventKind.Action => $"* {e.From} {e.Text}",
            ChatEventKind.Notice when mine => null,
            ChatEventKind.Notice => $"-{e.From}- {e.Text}",
            ChatEventKind.Join or ChatEventKind.Part or ChatEventKind.Quit when !mine && IsCrowded(e) => null,
            ChatEventKind.Join when mine => null,
            ChatEventKind.Join => $"* {e.From} joined {e.Target}",
            ChatEventKind.Part when mine => null,
            ChatEventKind.Part => $"* {e.From} left {e.Target}" + (e.Text.Length > 0 ? $" ({e.Text})" : ""),
            ChatEventKind.Quit => $"* {e.From} quit ({e.Text})",
            ChatEventKind.NickChange when mine => $"* you are now known as {e.Text}",
            ChatEventKind.NickChange => $"* {e.From} is now known as {e.Text}",
            ChatEventKind.Topic => $"* {e.From} set the topic of {e.Target}: {e.Text}",
            ChatEventKind.Kick when string.Equals(e.Text, Nick, StringComparison.OrdinalIgnoreCase) => KickedMe(e),
            ChatEventKind.Kick => $"* {e.From} kicked {e.Text} from {e.Target} ({e.Extra})",
            ChatEventKind.Mode => $"* {e.From} sets mode {e.Text} {e.Extra} on {e.Target}".Replace("  ", " ", StringComparison.Ordinal),
            ChatEventKind.Wallops => $"!{e.From}! {e.Text}",
            ChatEventKind.Rename => $"* {e.From} renamed {e.Target} to {e.Text}" + (string.IsNullOrEmpty(e.Extra) ? "" : $" ({e.Extra})"),
            ChatEventKind.Invite when string.Equals(e.Text, Nick, StringComparison.OrdinalIgnoreCase) => $"* {e.From} invites you to {e.Target}: /join {e.Target}",
            _ => null,
        };
        if (line is not null) SendLines(line);
    }

    /// <summary>
    /// A room with more than --announce-joins members: a plain user there gets no join/part/quit
    /// lines, or the comings and goings of thousands would drown the talk (and cost the server
    /// N² lines for N joins). Called under the room's lock, so the count is exact; it counts the one
    /// who comes or goes (a JOIN or PART is published with them in the room, a QUIT after they left it).
    /// </summary>
    private bool IsCrowded(ChatEvent e)
    {
        var room = e.Kind == ChatEventKind.Quit ? _room : e.Target;
        if (room is null || Hub.FindRoom(room) is not { } r) return false;
        return r.Count + (e.Kind == ChatEventKind.Quit ? 1 : 0) > Options.AnnounceJoins;
    }

    /// <summary>One line, or a multi-line message's lines with the later ones indented under the first (never a bare '\n' on the wire).</summary>
    private void SendLines(string text)
    {
        if (!text.Contains('\n', StringComparison.Ordinal)) { Send(text); return; }
        var lines = text.Split('\n');
        Send(lines[0]);
        foreach (var line in lines.Skip(1)) Send("    " + line);
    }

    private void Whois(string nick)
    {
        var x = Hub.FindMember(nick);
        if (x is null) { Send($"* no such nick {nick}"); return; }
        var rooms = x.Rooms.Select(Hub.FindRoom).OfType<ChatRoom>().Where(r => !r.Secret || Self.InRoom(r.Name)).Select(r => r.Name);
        Send($"* {x.Nick} is {x.UserName}@{x.Host} ({x.Protocol}){(x.RealName.Length > 0 ? ": " + x.RealName : "")}");
        Send($"* {x.Nick} is in: {string.Join(", ", rooms)}");
        if (x.Account is { } account) Send($"* {x.Nick} is logged in as {account}");
        if (x.IsOperator) Send($"* {x.Nick} is a server operator");
        if (x.Away is { } away) Send($"* {x.Nick} is away: {away}");
        Send($"* {x.Nick} idle {(int)(DateTimeOffset.UtcNow - x.LastActive).TotalSeconds} s, connected since {x.SignOn.ToLocalTime():yyyy-MM-dd HH:mm}");
    }

    private string KickedMe(ChatEvent e)
    {
        if (string.Equals(_room, e.Target, StringComparison.OrdinalIgnoreCase)) _room = null;
        return $"* you were kicked from {e.Target} by {e.From} ({e.Extra}); /join #room to talk again";
    }
}
