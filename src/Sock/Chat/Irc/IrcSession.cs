using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Sock.Chat.Transport;

namespace Sock.Chat.Irc;

/// <summary>
/// The IRC client protocol (RFC 1459/2812 with the IRCv3 CAPs server-time, message-tags,
/// echo-message and multi-prefix): registration, then commands turned into hub calls.
/// </summary>
public sealed partial class IrcSession : ChatConnection
{
    private const int CachePlain = 2, CacheTimed = 3; // slots 0-1 belong to the plain encoder
    private static readonly string[] SupportedCaps = ["server-time", "message-tags", "echo-message", "multi-prefix", "batch"];
    private static readonly string Version = "sock-" + (typeof(IrcSession).Assembly.GetName().Version?.ToString(3) ?? "0");
    private readonly HashSet<string> _caps = new(StringComparer.Ordinal);
    private string? _pendingNick;
    private bool _userGiven;
    private bool? _passOk;
    private bool _capNegotiating;
    private bool _registered;
    private DateTimeOffset? _pingSent;

    public IrcSession(ChatHub hub, Socket socket, Stream stream, IPEndPoint remote, SendCoalescer? sender = null)
        : base(hub, socket, stream, remote, sender) { }

    public override string Protocol => "irc";
    private string Server => Options.ServerName;
    private string Me => _registered ? Nick : _pendingNick ?? "*";
    private bool ServerTime => _caps.Contains("server-time");

    protected override void OnStart() { }

    protected override byte[] FinalMessage(string reason) =>
        Encoding.UTF8.GetBytes($"ERROR :Closing link: ({UserName}@{Host}) [{reason}]\r\n");

    public override void Tick(DateTimeOffset now)
    {
        if (IsClosing) return;
        if (!_registered)
        {
            if (now - Connected > Options.RegistrationTimeout) Disconnect("Registration timed out");
            return;
        }
        if (_pingSent is { } sent)
        {
            if (LastHeard > sent) _pingSent = null;
            else if (now - sent > Options.PingTimeout) Disconnect($"Ping timeout: {(int)(now - LastHeard).TotalSeconds} seconds");
        }
        else if (now - LastHeard > Options.PingInterval)
        {
            _pingSent = now;
            SendLine($"PING :{Server}");
        }
    }

    private void SendLine(string line) => SendRaw(Encoding.UTF8.GetBytes(line + "\r\n"));

    /// <summary>A numeric reply: ":server NNN nick params… :last".</summary>
    private void Reply(string numeric, params string[] args) => ReplyTo(numeric, true, args);

    private void ReplyTo(string numeric, bool trailing, params string[] args)
    {
        var all = new string[args.Length + 1];
        all[0] = Me;
        args.CopyTo(all, 1);
        SendLine(new IrcMessage(numeric, all, Server).Format(forceTrailing: trailing));
    }

    protected override ValueTask OnLineAsync(string line, bool cut)
    {
        if (cut)
        {
            Reply("417", "Input line was too long");
            return ValueTask.CompletedTask;
        }
        var m = IrcMessage.Parse(line);
        if (m is null) return ValueTask.CompletedTask;
        if (!_registered) PreRegistration(m);
        else Registered(m);
        return ValueTask.CompletedTask;
    }

    private void PreRegistration(IrcMessage m)
    {
        switch (m.Command)
        {
            case "CAP": Cap(m); break;
            case "PASS":
                if (m.Params.Count == 0) { Reply("461", "PASS", "Not enough parameters"); break; }
                _passOk = Options.Password is null || m.Param(0) == Options.Password;
                break;
            case "NICK":
                if (m.Params.Count == 0 || m.Param(0).Length == 0) { Reply("431", "No nickname given"); break; }
                if (!ChatNames.IsValidNick(m.Param(0), Options.NickLength)) { Reply("432", m.Param(0), "Erroneous nickname"); break; }
                if (Hub.FindMember(m.Param(0)) is not null) { Reply("433", m.Param(0), "Nickname is already in use"); break; }
                _pendingNick = m.Param(0);
                TryRegister();
                break;
            case "USER":
                if (m.Params.Count < 4) { Reply("461", "USER", "Not enough parameters"); break; }
                UserName = CleanUser(m.Param(0));
                RealName = m.Param(3);
                _userGiven = true;
                TryRegister();
                break;
            case "PING": Pong(m); break;
            case "PONG": break;
            case "QUIT": Disconnect("Quit: " + m.Param(0)); break;
            default: Reply("451", "You have not registered"); break;
        }
    }

    private static string CleanUser(string user)
    {
        var sb = new StringBuilder();
        foreach (var c in user)
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') sb.Append(c);
        var s = sb.ToString();
        return s.Length == 0 ? "user" : s.Length > 10 ? s[..10] : s;
    }

    private void TryRegister()
    {
        if (_pendingNick is null || !_userGiven || _capNegotiating) return;
        if (Options.Password is not null && _passOk != true)
        {
            Reply("464", "Password incorrect");
            Disconnect("Bad password");
            return;
        }
        var error = Hub.ClaimNick(this, _pendingNick);
        if (error == ChatError.NickInUse) { Reply("433", _pendingNick, "Nickname is already in use"); _pendingNick = null; return; }
        if (error != ChatError.None) { Reply("432", _pendingNick, "Erroneous nickname"); _pendingNick = null; return; }
        _registered = true;
        Welcome();
    }

    private void Welcome()
    {
        Reply("001", $"Welcome to the {Options.NetworkName} IRC network, {Prefix}");
        Reply("002", $"Your host is {Server}, running version {Version}");
        Reply("003", $"This server was created {Process.StartTime:yyyy-MM-dd HH:mm:ss} UTC");
        ReplyTo("004", false, Server, Version, "iow", "mnt", "ov");
        ReplyTo("005", true, "CASEMAPPING=ascii", "CHANTYPES=#", $"CHANNELLEN={Options.ChannelLength}", $"NICKLEN={Options.NickLength}",
            $"TOPICLEN={Options.TopicLength}", $"KICKLEN={Options.TopicLength}", $"AWAYLEN={Options.TopicLength}", "PREFIX=(ov)@+",
            "CHANMODES=,,,mnt", $"CHANLIMIT=#:{Options.MaxChannelsPerClient}", "MAXTARGETS=4", $"NETWORK={Options.NetworkName}",
            $"LINELEN={Options.MaxLineBytes}", "are supported by this server");
        // A second line: one 005 carries at most 13 tokens.
        ReplyTo("005", true, $"CHATHISTORY={Options.HistoryLength}", "are supported by this server");
        Reply("251", $"There are {Hub.MemberCount} users and 0 invisible on 1 servers");
        Motd();
    }

    private void Motd()
    {
        if (string.IsNullOrWhiteSpace(Options.Motd)) { Reply("422", "MOTD File is missing"); return; }
        Reply("375", $"- {Server} Message of the day - ");
        foreach (var line in Options.Motd.Split('\n')) Reply("372", "- " + line.TrimEnd('\r'));
        Reply("376", "End of /MOTD command.");
    }

    private void Cap(IrcMessage m)
    {
        var me = _registered ? Nick : "*"; // CAP replies use * until registration completes
        switch (m.Param(0).ToUpperInvariant())
        {
            case "LS":
                if (!_registered) _capNegotiating = true;
                SendLine($":{Server} CAP {me} LS :{string.Join(' ', SupportedCaps)}");
                break;
            case "LIST":
                SendLine($":{Server} CAP {me} LIST :{string.Join(' ', _caps)}");
                break;
            case "REQ":
                if (!_registered) _capNegotiating = true;
                var wanted = m.Param(1).Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (wanted.All(c => SupportedCaps.Contains(c.TrimStart('-'))))
                {
                    foreach (var c in wanted)
                        if (c.StartsWith('-')) _caps.Remove(c[1..]); else _caps.Add(c);
                    SendLine($":{Server} CAP {me} ACK :{m.Param(1)}");
                }
                else
                {
                    SendLine($":{Server} CAP {me} NAK :{m.Param(1)}");
                }
                break;
            case "END":
                _capNegotiating = false;
                if (!_registered) TryRegister();
                break;
            default:
                Reply("410", m.Param(0), "Invalid CAP command");
                break;
        }
    }

    private void Pong(IrcMessage m)
    {
        if (m.Params.Count == 0) { Reply("409", "No origin specified"); return; }
        SendLine($":{Server} PONG {Server} :{m.Param(0)}");
    }

    private static class Process
    {
        public static readonly DateTime StartTime = DateTime.UtcNow;
    }

    private static string Timestamp(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
