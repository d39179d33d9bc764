namespace Sock.Chat.Services;

/// <summary>One service command: the handler gets the asker and the words after the command name.</summary>
internal sealed record ServiceCommand(string Name, Action<ChatMember, string[]> Handler, int MinArgs, string Usage, string Help);

/// <summary>
/// A pseudo-user (NickServ, ChanServ): it holds its nick in the hub, so `/msg NickServ …` works from
/// any protocol, and answers each private message with NOTICEs, through the hub like anyone else.
/// </summary>
public abstract class ServiceMember : ChatMember
{
    private IReadOnlyDictionary<string, ServiceCommand> _commands = new Dictionary<string, ServiceCommand>();

    protected ServiceMember(ChatHub hub, string nick)
    {
        Hub = hub;
        UserName = nick;
        Host = hub.Options.ServicesServer ?? hub.ServerName;
        RealName = "sock chat services";
        IsOperator = true; // its mode changes (ChanServ OP) pass the hub's checks
        if (hub.ClaimNick(this, nick) != ChatError.None) throw new InvalidOperationException($"{nick} is taken");
    }

    protected ChatHub Hub { get; }

    public override string Protocol => "service";

    internal void Register(IEnumerable<ServiceCommand> commands) =>
        _commands = commands.ToDictionary(c => c.Name, StringComparer.OrdinalIgnoreCase);

    /// <summary>A NOTICE from this service to <paramref name="to"/>.</summary>
    public void Tell(ChatMember to, string text) => Hub.Say(this, to.Nick, text, ChatEventKind.Notice, out _);

    public override void Deliver(ChatEvent e)
    {
        if (e.Kind is not (ChatEventKind.Message or ChatEventKind.Action) || !e.IsPrivate || e.Sender is not { } from || ReferenceEquals(from, this)) return;
        Handle(from, e.Text);
    }

    /// <summary>Runs one command line (also used by plain users' /register and /login).</summary>
    public void Handle(ChatMember from, string line)
    {
        var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0) { Tell(from, $"Commands: {string.Join(", ", _commands.Keys)}. Try HELP."); return; }
        if (words[0].Equals("HELP", StringComparison.OrdinalIgnoreCase)) { Help(from, words.Skip(1).FirstOrDefault()); return; }
        if (!_commands.TryGetValue(words[0], out var command)) { Tell(from, $"Unknown command {words[0]}. Try HELP."); return; }
        var args = words[1..];
        if (args.Length < command.MinArgs) { Tell(from, $"Not enough parameters. Syntax: {command.Usage}"); return; }
        command.Handler(from, args);
    }

    private void Help(ChatMember from, string? subject)
    {
        if (subject is not null && _commands.TryGetValue(subject, out var c)) { Tell(from, $"{c.Usage}: {c.Help}"); return; }
        foreach (var x in _commands.Values) Tell(from, $"{x.Usage} — {x.Help}");
    }

    public override void Disconnect(string reason) { } // a service stays
}
