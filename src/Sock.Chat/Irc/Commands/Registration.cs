using System.Text;

namespace Sock.Chat.Irc;

/// <summary>Connection registration: CAP, PASS, NICK, USER, the welcome burst; PING, QUIT, MOTD.</summary>
public sealed partial class IrcSession
{
    internal void Cap(IrcMessage m)
    {
        var me = _registered ? Nick : "*"; // CAP replies use * until registration completes
        switch (m.Param(0).ToUpperInvariant())
        {
            case "LS":
                if (!_registered) _capNegotiating = true;
                if (int.TryParse(m.Param(1), out var v) && v >= 302)
                {
                    _capVersion = Math.Max(_capVersion, v);
                    _caps |= IrcCap.CapNotify; // implied by 302
                }
                CapList(me, "LS", IrcCapability.Offer(Options).Select(c => c.Advertise(Options, IsSecure, _capVersion >= 302)));
                break;
            case "LIST":
                CapList(me, "LIST", IrcCapability.All.Where(c => Has(c.Bit)).Select(c => c.Name));
                break;
            case "REQ":
                if (!_registered) _capNegotiating = true;
                CapRequest(me, m.Param(1));
                break;
            case "END":
                _capNegotiating = false;
                if (!_registered) TryRegister();
                break;
            default:
                Reply(Err.InvalidCapCmd, Word(m.Param(0)), "Invalid CAP command");
                break;
        }
    }

    /// <summary>One CAP line, or (for 302 clients only) several marked with '*' when they would be too long.</summary>
    private void CapList(string me, string sub, IEnumerable<string> caps)
    {
        var all = caps.ToList();
        if (_capVersion < 302) { Emit($":{Server} CAP {me} {sub} :{string.Join(' ', all)}"); return; }
        var line = new StringBuilder();
        foreach (var c in all)
        {
            if (line.Length + c.Length + 1 > 380) { Emit($":{Server} CAP {me} {sub} * :{line}"); line.Clear(); }
            if (line.Length > 0) line.Append(' ');
            line.Append(c);
        }
        Emit($":{Server} CAP {me} {sub} :{line}");
    }

    /// <summary>All or nothing: one unknown capability NAKs the whole request.</summary>
    private void CapRequest(string me, string request)
    {
        var wanted = request.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var bits = new List<(bool Remove, IrcCap Bit)>();
        foreach (var w in wanted)
        {
            var remove = w.StartsWith('-');
            var cap = IrcCapability.Find(remove ? w[1..] : w);
            if (cap is null || !cap.IsOffered(Options) || wanted.Length > 64) { Emit($":{Server} CAP {me} NAK :{Truncate(request, 400)}"); return; }
            bits.Add((remove, cap.Bit));
        }
        if (bits.Count == 0) { Emit($":{Server} CAP {me} NAK :{Truncate(request, 400)}"); return; }
        foreach (var (remove, bit) in bits)
            _caps = remove ? _caps & ~bit : _caps | bit;
        MetadataCapsChanged();
        Emit($":{Server} CAP {me} ACK :{request.Trim()}");
    }

    private static string Truncate(string s, int n) => s.Length <= n ? s : s[..n];

    internal void Pass(IrcMessage m)
    {
        if (_registered) { Reply(Err.AlreadyRegistered, "You may not reregister"); return; }
        _passOk = Options.Password is null || m.Param(0) == Options.Password;
    }

    internal void NickCommand(IrcMessage m)
    {
        if (m.Params.Count == 0 || m.Param(0).Length == 0) { Reply(Err.NoNicknameGiven, "No nickname given"); return; }
        var nick = m.Param(0);
        if (!ChatNames.IsValidNick(nick, Options.NickLength)) { Reply(Err.ErroneusNickname, Word(nick), "Erroneous nickname"); return; }
        if (_registered)
        {
            switch (Hub.ClaimNick(Self, nick))
            {
                case ChatError.NickInUse: Reply(Err.NicknameInUse, nick, "Nickname is already in use"); break;
                case ChatError.Unavailable: Reply(Err.UnavailResource, nick, Unavailable); break;
            }
            return;
        }
        // Held by someone logged in: this connection may yet log in to that account (SASL) and attach as its device, so registration decides.
        if (Hub.FindMember(nick) is { } holder && !(Options.Multiclient && holder.Account is not null && _capNegotiating)) { _refusedNick = nick; Reply(Err.NicknameInUse, nick, "Nickname is already in use"); return; }
        _pendingNick = nick;
        TryRegister();
    }

    internal void User(IrcMessage m)
    {
        if (_registered) { Reply(Err.AlreadyRegistered, "You may not reregister"); return; }
        if (m.Param(0).Length == 0 || m.Param(3).Length == 0) { Reply(Err.NeedMoreParams, "USER", "Not enough parameters"); return; }
        UserName = CleanUser(m.Param(0), Options.UserLength);
        RealName = m.Param(3).Length > Options.RealNameLength ? m.Param(3)[..Options.RealNameLength] : m.Param(3);
        _userGiven = true;
        TryRegister();
    }

    /// <summary>The username as shown in prefixes: letters, digits, '-', '_', '.'; "~" + that when nothing usable is left.</summary>
    private static string CleanUser(string user, int max)
    {
        var sb = new StringBuilder();
        foreach (var c in user)
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') sb.Append(c);
        var s = sb.ToString();
        return s.Length == 0 ? "user" : s.Length > max ? s[..max] : s;
    }

    private void TryRegister()
    {
        if (_pendingNick is null || !_userGiven || _capNegotiating) return;
        if (Options.Password is not null && _passOk != true)
        {
            Reply(Err.PasswdMismatch, "Password incorrect");
            Disconnect("Bad password");
            return;
        }
        var error = Hub.ClaimNick(this, _pendingNick);
        if (error == ChatError.NickInUse && TryAttach(_pendingNick)) return; // another device of this account (IrcSession.Devices.cs)
        if (error == ChatError.NickInUse) { _refusedNick = _pendingNick; Reply(Err.NicknameInUse, _pendingNick, "Nickname is already in use"); _pendingNick = null; return; }
        if (error == ChatError.Unavailable) { Reply(Err.UnavailResource, _pendingNick, Unavailable); _pendingNick = null; return; }
        if (error != ChatError.None) { Reply(Err.ErroneusNickname, _pendingNick, "Erroneous nickname"); _pendingNick = null; return; }
        _registered = true;
        Welcome();
    }

    private void Welcome()
    {
        Reply(Rpl.Welcome, $"Welcome to the {Options.NetworkName} IRC network, {Prefix}");
        Reply(Rpl.YourHost, $"Your host is {Server}, running version {Version}");
        Reply(Rpl.Created, $"This server was created {Process.StartTime:yyyy-MM-dd HH:mm:ss} UTC");
        ReplyTo(Rpl.MyInfo, false, Server, Version, IrcSupport.UserModeLetters, RoomMode.Letters, RoomMode.LettersWithParameter);
        SendISupport();
        Lusers();
        MetadataOnWelcome(); // before the MOTD's end, as draft/metadata-3 asks
        Motd();
    }

    /// <summary>RPL_ISUPPORT, at most 13 tokens a line.</summary>
    private void SendISupport()
    {
        foreach (var chunk in IrcSupport.Tokens(Options).Chunk(13))
            ReplyTo(Rpl.ISupport, true, [.. chunk, "are supported by this server"]);
    }

    internal void MotdCommand(IrcMessage m)
    {
        if (m.Params.Count > 0 && !IsThisServer(m.Param(0))) { Reply(Err.NoSuchServer, m.Param(0), "No such server"); return; }
        Motd();
    }

    private void Motd()
    {
        if (string.IsNullOrWhiteSpace(Options.Motd)) { Reply(Err.NoMotd, "MOTD File is missing"); return; }
        Reply(Rpl.MotdStart, $"- {Server} Message of the day - ");
        foreach (var line in Options.Motd.Split('\n')) Reply(Rpl.Motd, "- " + line.TrimEnd('\r'));
        Reply(Rpl.EndOfMotd, "End of /MOTD command.");
    }

    /// <summary>A server-name parameter (TIME, VERSION, ADMIN, MOTD …) names this server (or a nick on it).</summary>
    private bool IsThisServer(string target) =>
        target.Length == 0 || string.Equals(target, Server, StringComparison.OrdinalIgnoreCase) || Masks.Match(target, Server) || Hub.FindMember(target) is not null;

    internal void Ping(IrcMessage m)
    {
        if (m.Params.Count == 0 || m.Param(0).Length == 0) { Reply(Err.NoOrigin, "No origin specified"); return; }
        Emit($":{Server} PONG {Server} :{m.Param(0)}");
    }

    internal void QuitCommand(IrcMessage m) => Disconnect(m.Params.Count > 0 && m.Param(0).Length > 0 ? "Quit: " + m.Param(0) : "Quit");
}
