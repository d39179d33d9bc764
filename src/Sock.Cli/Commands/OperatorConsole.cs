using Sock.Chat;

namespace Sock.Cli.Commands;

/// <summary>
/// The server operator's seat at the terminal (the article's server side): sees the rooms, types
/// into one, and has /kick, /who, /broadcast. It is a hub member like any other, named "operator".
/// </summary>
internal sealed class OperatorConsole : ChatMember
{
    private readonly ChatServer _server;
    private readonly Lock _out = new();
    private string _room;

    public OperatorConsole(ChatServer server)
    {
        _server = server;
        _room = server.Options.DefaultRoom;
        IsOperator = true;
        UserName = "operator";
        Host = server.Options.ServerName;
    }

    public override string Protocol => "console";

    public async Task<int> RunAsync(CancellationToken ct)
    {
        var hub = _server.Hub;
        if (hub.ClaimNick(this, "operator") != ChatError.None) hub.ClaimGuestNick(this);
        hub.Join(this, _room, out _);
        _server.Log += line => Write($"· {line}");
        Write($"You are {Nick} in {_room}. Type to talk; /join #room, /who [#room], /rooms, /kick NICK [reason], /broadcast TEXT, /quit stops the server.");
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var serving = _server.RunAsync(stop.Token);
        var input = Task.Run(() => ReadLoop(stop), CancellationToken.None);
        await Task.WhenAny(serving, input);
        await stop.CancelAsync();
        await serving;
        return ct.IsCancellationRequested ? CommandRunner.Interrupted : CommandRunner.Ok;
    }

    private void ReadLoop(CancellationTokenSource stop)
    {
        var hub = _server.Hub;
        while (!stop.IsCancellationRequested && Console.In.ReadLine() is { } line)
        {
            line = line.Trim();
            if (line.Length == 0) continue;
            var sp = line.IndexOf(' ', StringComparison.Ordinal);
            var cmd = sp < 0 ? line : line[..sp];
            var rest = sp < 0 ? "" : line[(sp + 1)..].Trim();
            switch (cmd)
            {
                case "/quit": return;
                case "/join":
                    var name = rest.StartsWith('#') ? rest : "#" + rest;
                    if (hub.Join(this, name, out var r) is ChatError.None or ChatError.AlreadyInRoom) { _room = r!.Name; Write($"* now talking in {_room}"); }
                    else Write($"* cannot join {name}");
                    break;
                case "/who":
                    var room = hub.FindRoom(rest.Length > 0 ? rest : _room);
                    Write(room is null ? "* no such room" : $"* {room.Name} ({room.Count}): " + string.Join(", ", room.Members.Select(m => $"{m.Nick} ({m.Protocol}, {m.Host})")));
                    break;
                case "/rooms":
                    Write("* rooms: " + string.Join(", ", hub.Rooms.Select(x => $"{x.Name} ({x.Count})")) + $"; {_server.ConnectionCount} connections");
                    break;
                case "/kick":
                    var parts = rest.Split(' ', 2);
                    var error = hub.Kick(this, _room, parts[0], parts.Length > 1 ? parts[1] : "kicked by the operator");
                    if (error != ChatError.None) Write($"* cannot kick {parts[0]}: {error}");
                    break;
                case "/broadcast":
                    hub.Broadcast(rest);
                    Write($"* broadcast to {hub.MemberCount - 1} users");
                    break;
                default:
                    var text = line.StartsWith("//", StringComparison.Ordinal) ? line[1..] : line;
                    if (line.StartsWith('/') && !line.StartsWith("//", StringComparison.Ordinal)) { Write($"* unknown command {cmd}"); break; }
                    hub.Say(this, _room, text, ChatEventKind.Message, out _);
                    break;
            }
        }
    }

    private void Write(string line)
    {
        lock (_out) Console.Out.WriteLine(line);
    }

    public override void Deliver(ChatEvent e)
    {
        if (ReferenceEquals(e.Sender, this) && e.Kind is ChatEventKind.Message or ChatEventKind.Join) return;
        var where = e.Target is not null && !e.IsPrivate ? e.Target + " " : "";
        var line = e.Kind switch
        {
            ChatEventKind.Message when e.IsPrivate => $"*{e.From}* {e.Text}",
            ChatEventKind.Message => $"{where}<{e.From}> {e.Text}",
            ChatEventKind.Action => $"{where}* {e.From} {e.Text}",
            ChatEventKind.Notice => $"{where}-{e.From}- {e.Text}",
            ChatEventKind.Join => $"{where}* {e.From} joined",
            ChatEventKind.Part => $"{where}* {e.From} left {e.Text}",
            ChatEventKind.Quit => $"* {e.From} quit ({e.Text})",
            ChatEventKind.NickChange => $"* {e.From} is now known as {e.Text}",
            ChatEventKind.Topic => $"{where}* {e.From} set the topic: {e.Text}",
            ChatEventKind.Kick => $"{where}* {e.From} kicked {e.Text} ({e.Extra})",
            ChatEventKind.Mode => $"{where}* {e.From} sets mode {e.Text} {e.Extra}",
            ChatEventKind.Wallops => $"!{e.From}! {e.Text}",
            _ => null,
        };
        if (line is not null) Write(line);
    }

    public override void Disconnect(string reason) => Write($"* {reason}");
}
