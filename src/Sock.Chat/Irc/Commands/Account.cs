using System.Text;
using Sock.Chat.Accounts;
using Sock.Chat.Devices;

namespace Sock.Chat.Irc;

/// <summary>Accounts over IRC: SASL (AUTHENTICATE: PLAIN, SCRAM-SHA-256, EXTERNAL), draft/account-registration (REGISTER, VERIFY), draft/read-marker (MARKREAD), and the NS/CS service aliases.</summary>
public sealed partial class IrcSession
{
    /// <summary>The longest SASL payload taken (base64, all chunks); longer is ERR_SASLTOOLONG.</summary>
    private const int MaxSaslBytes = 8192;

    internal static string SaslMechanisms(ChatServerOptions o) => o.Tls is null ? "PLAIN,SCRAM-SHA-256" : "PLAIN,SCRAM-SHA-256,EXTERNAL";

    internal void Authenticate(IrcMessage m)
    {
        var arg = m.Param(0);
        if (!Has(IrcCap.Sasl)) { Reply(Err.SaslFail, "SASL authentication failed: request the sasl capability first"); return; }
        if (arg == "*") { ResetSasl(); Reply(Err.SaslAborted, "SASL authentication aborted"); return; }
        if (SaslMechanism is null)
        {
            if (Account is not null && !_registered) { Reply(Err.SaslAlready, "You have already authenticated using SASL"); return; }
            var mechanism = arg.ToUpperInvariant();
            if (!SaslMechanisms(Options).Split(',').Contains(mechanism))
            {
                Reply(Rpl.SaslMechs, SaslMechanisms(Options), "are available SASL mechanisms");
                Reply(Err.SaslFail, "SASL authentication failed");
                return;
            }
            SaslMechanism = mechanism;
            SaslBuffer = new StringBuilder();
            Scram = mechanism == "SCRAM-SHA-256" ? Hub.Accounts.NewScram() : null;
            Emit("AUTHENTICATE +");
            return;
        }
        // Payload chunks of 400 bytes; a shorter one (or "+") ends it.
        if (arg.Length > 400) { ResetSasl(); Reply(Err.SaslTooLong, "SASL message too long"); return; }
        if (arg != "+") SaslBuffer!.Append(arg);
        if (SaslBuffer!.Length > MaxSaslBytes) { SaslFailed("the payload is too long"); return; }
        if (arg.Length == 400) return;
        byte[] payload;
        try { payload = Convert.FromBase64String(SaslBuffer.ToString()); }
        catch (FormatException) { SaslFailed("the payload is not base64"); return; }
        SaslBuffer.Clear();
        switch (SaslMechanism)
        {
            case "PLAIN": SaslPlain(payload); break;
            case "EXTERNAL": SaslExternal(payload); break;
            default: SaslScram(payload); break;
        }
    }

    private void SaslPlain(byte[] payload)
    {
        var parts = Encoding.UTF8.GetString(payload).Split('\0');
        if (parts.Length != 3 || parts[1].Length == 0) { SaslFailed("malformed PLAIN payload"); return; }
        var (authzid, login, password) = (parts[0], parts[1], parts[2]);
        if (!TakeDeviceName(login, out var authcid)) return;
        if (authzid.Length > 0 && !authzid.Equals(authcid, StringComparison.OrdinalIgnoreCase) && !authzid.Equals(login, StringComparison.OrdinalIgnoreCase)) { SaslFailed("authorization identity must be the account"); return; }
        var result = Hub.Accounts.Authenticate(authcid, password, Host, out var account);
        if (result != AccountResult.Ok) { SaslFailed(Services.NickServ.Describe(result, Hub.Accounts)); return; }
        SaslSucceeded(account!.Name);
    }

    private void SaslExternal(byte[] payload)
    {
        var authzid = Encoding.UTF8.GetString(payload);
        var account = CertificateFingerprint is { } fp ? Hub.Accounts.FindByCertificate(fp) : null;
        if (account is null || (authzid.Length > 0 && !authzid.Equals(account.Name, StringComparison.OrdinalIgnoreCase)))
        {
            SaslFailed(CertificateFingerprint is null ? "no client certificate" : "this certificate is not registered (NickServ CERT ADD)");
            return;
        }
        SaslSucceeded(account.Name);
    }

    private void SaslScram(byte[] payload)
    {
        var text = Encoding.UTF8.GetString(payload);
        if (Scram!.User is null)
        {
            var first = Scram.First(text, out var error);
            if (first is null) { SaslFailed(error!); return; }
            if (!TakeDeviceName(Scram.User!, out _)) return;
            if (!Hub.Accounts.ScramAllowed(DeviceNames.AccountOf(Scram.User!), Host)) { SaslFailed(Services.NickServ.Describe(AccountResult.Throttled, Hub.Accounts)); return; }
            SendSasl(first);
            return;
        }
        if (ScramVerified is { } verified) { SaslSucceeded(verified); return; }
        var final = Scram.Final(text, out var finalError);
        Hub.Accounts.ScramFinished(DeviceNames.AccountOf(Scram.User), Host, final is not null);
        if (final is null) { SaslFailed(finalError!); return; }
        var account = Hub.Accounts.Find(DeviceNames.AccountOf(Scram.User));
        if (account is null || !account.Verified) { SaslFailed("authentication failed"); return; }
        // server-final, then (after the client's "+") success: RFC 5802's last step is the client's check.
        ScramVerified = account.Name;
        SendSasl(final);
    }

    /// <summary>A server challenge, base64 in chunks of 400 (an exact multiple ends with "+").</summary>
    private void SendSasl(string message)
    {
        var b64 = Convert.ToBase64String(Encoding.UTF8.GetBytes(message));
        for (var i = 0; i < b64.Length; i += 400) Emit("AUTHENTICATE " + b64[i..Math.Min(i + 400, b64.Length)]);
        if (b64.Length % 400 == 0) Emit("AUTHENTICATE +");
    }

    private void SaslSucceeded(string account)
    {
        ResetSasl();
        Hub.LogIn(Self, account); // 900 comes back as the account event
        Reply(Rpl.SaslSuccess, "SASL authentication successful");
    }

    private void SaslFailed(string why)
    {
        ResetSasl();
        Reply(Err.SaslFail, "SASL authentication failed: " + why);
    }

    private void ResetSasl()
    {
        SaslMechanism = null;
        SaslBuffer = null;
        Scram = null;
        ScramVerified = null;
    }

    /// <summary>draft/account-registration: REGISTER account|* email|* password (the account is the nick).</summary>
    internal void RegisterCommand(IrcMessage m)
    {
        var (name, email, password) = (m.Param(0), m.Param(1), m.Param(2));
        var nick = _registered ? Nick : _pendingNick;
        if (!_registered && !Options.AccountOptions.RegisterBeforeConnect)
        {
            Fail("REGISTER", "COMPLETE_CONNECTION_REQUIRED", Word(name), "Finish connecting (NICK, USER, CAP END) before registering");
            return;
        }
        if (nick is null)
        {
            // The nick asked for is held by someone else: it cannot be registered out from under them.
            if (_refusedNick is not null) { Fail("REGISTER", "ACCOUNT_EXISTS", Word(_refusedNick), "That nick is in use"); return; }
            Fail("REGISTER", "COMPLETE_CONNECTION_REQUIRED", Word(name), "Choose a nick first");
            return;
        }
        if (name == "*") name = nick;
        if (!name.Equals(nick, StringComparison.OrdinalIgnoreCase)) { Fail("REGISTER", "ACCOUNT_NAME_MUST_BE_NICK", Word(name), "Your account name must be your nick"); return; }
        if (Account is not null) { Fail("REGISTER", "ALREADY_AUTHENTICATED", Word(name), "You are already logged in"); return; }
        if (email == "*") email = "";
        if (Options.AccountOptions.RequireEmail && !IsEmail(email)) { Fail("REGISTER", "INVALID_EMAIL", Word(name), "An e-mail address is required"); return; }
        switch (Hub.Accounts.Register(name, password, email.Length > 0 ? email : null, out var account))
        {
            case AccountResult.Ok when account!.Verified:
                Hub.LogIn(Self, account.Name);
                Emit($":{Server} REGISTER SUCCESS {account.Name} :Account successfully registered");
                break;
            case AccountResult.Ok:
                Emit($":{Server} REGISTER VERIFICATION_REQUIRED {account!.Name} :Ask an operator for your verification code, then VERIFY {account.Name} CODE");
                break;
            case AccountResult.Exists: Fail("REGISTER", "ACCOUNT_EXISTS", Word(name), "Account already exists"); break;
            case AccountResult.WeakPassword: Fail("REGISTER", "WEAK_PASSWORD", Word(name), $"Passwords must be {Options.AccountOptions.MinPasswordLength} to {AccountService.MaxPasswordLength} characters"); break;
            case AccountResult.InvalidName: Fail("REGISTER", "BAD_ACCOUNT_NAME", Word(name), "That name cannot be an account"); break;
            default: Fail("REGISTER", "TEMPORARILY_UNAVAILABLE", Word(name), "Accounts are unavailable right now; try again later"); break;
        }
    }

    private static bool IsEmail(string s) => s.Length is > 2 and < 255 && s.IndexOf('@', StringComparison.Ordinal) is > 0 and var at && at < s.Length - 1 && !s.Contains(' ', StringComparison.Ordinal);

    internal void VerifyCommand(IrcMessage m)
    {
        var (name, code) = (m.Param(0), m.Param(1));
        switch (Hub.Accounts.Verify(name, code))
        {
            case AccountResult.Ok:
                Hub.LogIn(Self, Hub.Accounts.Find(name)?.Name ?? name);
                Emit($":{Server} VERIFY SUCCESS {name} :Account verified");
                break;
            default: Fail("VERIFY", "INVALID_CODE", Word(name), "Invalid verification code"); break;
        }
    }

    /// <summary>draft/read-marker: per account (shared by its clients) when logged in, else for this connection; a marker only moves forward.</summary>
    internal void MarkReadCommand(IrcMessage m)
    {
        if (m.Params.Count == 0 || m.Param(0).Length == 0) { Fail("MARKREAD", "NEED_MORE_PARAMS", "Not enough parameters"); return; }
        var target = m.Param(0);
        if (m.Params.Count < 2) { SendMarker(target); return; }
        var value = m.Param(1);
        if (!value.StartsWith("timestamp=", StringComparison.Ordinal)
            || !DateTimeOffset.TryParse(value[10..], System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var time))
        {
            Fail("MARKREAD", "INVALID_PARAMS", Word(target), Word(value), "Expected timestamp=YYYY-MM-DDThh:mm:ss.sssZ");
            return;
        }
        if (Marker(target) is { } known && time <= known) { SendMarker(target); return; }
        if (Account is not { } account)
        {
            GuestMarkers ??= new(StringComparer.OrdinalIgnoreCase);
            if (GuestMarkers.Count < Options.MaxChannelsPerClient * 4 || GuestMarkers.ContainsKey(target)) GuestMarkers[target] = time;
            SendMarker(target);
            return;
        }
        try { Hub.Accounts.Store.SetReadMarker(account, target, time); }
        catch (SockException) { Fail("MARKREAD", "TEMPORARILY_UNAVAILABLE", Word(target), "Read markers are unavailable right now"); return; }
        foreach (var x in Hub.Members)
        {
            // The account's devices share its markers: each one with the cap is told.
            if (x is AccountPresence p) { foreach (var d in p.Devices) if (d.Connection is IrcSession ds && ds.Has(IrcCap.ReadMarker)) ds.SendMarker(target); }
            else if (x is IrcSession s && s.Has(IrcCap.ReadMarker) && string.Equals(s.Account, account, StringComparison.OrdinalIgnoreCase)) s.SendMarker(target);
        }
    }

    private DateTimeOffset? Marker(string target)
    {
        if (Account is not { } account) return GuestMarkers is not null && GuestMarkers.TryGetValue(target, out var t) ? t : null;
        try { return Hub.Accounts.Store.ReadMarker(account, target); }
        catch (SockException) { return null; }
    }

    private void SendMarker(string target) =>
        Emit($":{Server} MARKREAD {target} {(Marker(target) is { } x ? "timestamp=" + Timestamp(x) : "*")}");

    /// <summary>NS/CS (and NICKSERV/CHANSERV): the rest of the line goes to the service, as `/msg NickServ …` would.</summary>
    internal void ServiceAlias(IrcMessage m)
    {
        var service = Hub.Services.ByAlias(m.Command)!;
        Hub.Say(Self, service.Nick, string.Join(' ', m.Params), ChatEventKind.Message, out _);
    }
}
