using Sock.Chat.Accounts;

namespace Sock.Chat.Services;

/// <summary>
/// NickServ: accounts named after nicks. Replies are worded as Ergo's ("Account created",
/// "You're now logged in as NAME") so bots and clients that parse them work.
/// </summary>
public sealed class NickServ : ServiceMember
{
    internal NickServ(ChatHub hub) : base(hub, "NickServ")
    {
        Register(
        [
            new("REGISTER", RegisterCommand, 1, "REGISTER password [email]", "registers your current nick as an account and logs you in"),
            new("IDENTIFY", Identify, 1, "IDENTIFY [account] password", "logs you in"),
            new("LOGOUT", Logout, 0, "LOGOUT", "logs you out"),
            new("GHOST", GhostCommand, 1, "GHOST nick", "disconnects someone using your account's nick"),
            new("DROP", DropCommand, 0, "DROP", "deletes your account (you must be logged in to it)"),
            new("INFO", Info, 0, "INFO [account]", "shows an account"),
            new("SET", Set, 2, "SET PASSWORD newpassword", "changes your password"),
            new("CLIENTS", Clients, 1, "CLIENTS LIST | LOGOUT device|all", "lists your account's connected devices, or ends one (or all)"),
            new("CERT", Cert, 1, "CERT ADD [fingerprint] | DEL fingerprint | LIST", "TLS client certificates that log you in (SASL EXTERNAL)"),
        ]);
    }

    /// <summary>What a failed login says; "no such account" and "wrong password" read the same on purpose.</summary>
    public static string Describe(AccountResult r, AccountService s) => r switch
    {
        AccountResult.Throttled => $"Too many failed attempts; try again in {Math.Ceiling(s.LastWait.TotalSeconds)} seconds",
        AccountResult.Unavailable => "Accounts are unavailable right now (a database error); try again later",
        AccountResult.NotVerified => "This account is not verified yet",
        AccountResult.Exists => "Account already exists",
        AccountResult.InvalidName => "That name cannot be an account (nick rules; not a service's name)",
        AccountResult.WeakPassword => $"Passwords must be {s.Options.MinPasswordLength} to {AccountService.MaxPasswordLength} characters",
        _ => "Authentication failed: invalid account name or password",
    };

    private void RegisterCommand(ChatMember m, string[] args)
    {
        if (m.Account is not null) { Tell(m, $"You are already logged in as {m.Account}"); return; }
        var result = Hub.Accounts.Register(m.Nick, args[0], args.Length > 1 ? args[1] : null, out var account);
        if (result != AccountResult.Ok) { Tell(m, Describe(result, Hub.Accounts)); return; }
        Tell(m, "Account created");
        if (!account!.Verified) { Tell(m, "An operator must verify it before you can log in (sock chat accounts verify)"); return; }
        Hub.LogIn(m, account.Name);
        Tell(m, $"You're now logged in as {account.Name}");
    }

    private void Identify(ChatMember m, string[] args)
    {
        var (login, password) = args.Length > 1 ? (args[0], args[1]) : (m.Nick, args[0]);
        // account@device names this connection's device (docs/devices.md).
        if (!Devices.DeviceNames.TrySplit(login, out var name, out var device, out var error)) { Tell(m, $"Not logged in: {error}"); return; }
        if (m is Devices.AccountPresence) { Tell(m, $"You are already logged in as {m.Account}"); return; }
        var result = Hub.Accounts.Authenticate(name, password, m.Host, out var account);
        if (result != AccountResult.Ok) { Tell(m, Describe(result, Hub.Accounts)); return; }
        if (device != Devices.DeviceNames.Default) Hub.NameDevice(m, device);
        Hub.LogIn(m, account!.Name);
        Tell(m, $"You're now logged in as {account.Name}");
        // Still on a guest nick (a plain user's /login) while another device of the account holds its nick: this
        // connection becomes one more device of it. One that chose a nick of its own keeps it (GHOST takes the nick).
        if (m is ChatConnection c && c.Nick.StartsWith("guest-", StringComparison.Ordinal) && Hub.AttachTarget(c, account.Name, account.Name) is { } holder)
        {
            switch (Hub.Attach(c, holder))
            {
                case ChatError.None:
                    Tell(Hub.Acting(c), $"Device {Hub.DeviceName(c)} attached: {holder.Nick} is now on {(Hub.PresenceOf(c)?.DeviceCount ?? 1)} devices");
                    Hub.ShowRooms(c);
                    break;
                case ChatError.TooManyDevices:
                    Tell(m, $"{account.Name} already has {Hub.Options.MaxDevicesPerAccount} devices connected (the server's limit): this connection stays {m.Nick}. End one with CLIENTS LOGOUT device");
                    break;
            }
        }
    }

    private void Logout(ChatMember m, string[] args)
    {
        if (m is Devices.AccountPresence p) { Tell(m, $"{m.Account} is connected on {p.DeviceCount} devices: CLIENTS LOGOUT device|all ends them"); return; }
        Hub.LogOut(m);
        Tell(m, "You're now logged out");
    }

    /// <summary>CLIENTS LIST | LOGOUT device|all: the account's connected devices (Ergo's NickServ CLIENTS).</summary>
    private void Clients(ChatMember m, string[] args)
    {
        if (m.Account is null) { Tell(m, "You must be logged in"); return; }
        var devices = m is Devices.AccountPresence p ? p.Devices.Select(d => (d.Name, d.Connection, d.Since)).ToList()
            : m is ChatConnection c ? [(Hub.DeviceName(c), c, c.Connected)] : [];
        switch (args[0].ToUpperInvariant())
        {
            case "LIST":
                Tell(m, $"{m.Nick} ({m.Account}) is connected on {devices.Count} device(s):");
                foreach (var (name, connection, since) in devices)
                    Tell(m, $"{name}: {connection.Remote.Address} ({connection.Protocol}{(connection.Transport == "tcp" ? "" : ", " + connection.Transport)}), since {since:yyyy-MM-dd HH:mm:ss} UTC");
                break;
            case "LOGOUT":
                if (args.Length < 2) { Tell(m, "Syntax: CLIENTS LOGOUT device|all"); return; }
                var by = Devices.AccountPresence.Acting is { } acting ? Hub.DeviceName(acting) : "?";
                if (!args[1].Equals("all", StringComparison.OrdinalIgnoreCase) && !Devices.DeviceNames.IsValid(args[1])) { Tell(m, $"Invalid device name: {Devices.DeviceNames.MaxLength} letters, digits, '-', '_' or '.' at most (CLIENTS LIST shows them)"); return; }
                if (!devices.Any(d => args[1].Equals("all", StringComparison.OrdinalIgnoreCase) || string.Equals(d.Name, args[1], StringComparison.OrdinalIgnoreCase)))
                {
                    Tell(m, $"No device named {args[1]} is connected (CLIENTS LIST shows them)");
                    return;
                }
                Tell(m, args[1].Equals("all", StringComparison.OrdinalIgnoreCase) ? "Logging out every device" : $"Logging out device {args[1]}");
                Hub.LogoutDevice(m, args[1], by);
                break;
            default:
                Tell(m, "Syntax: CLIENTS LIST | LOGOUT device|all");
                break;
        }
    }

    private void GhostCommand(ChatMember m, string[] args)
    {
        switch (Hub.Ghost(m, args[0]))
        {
            case ChatError.None: Tell(m, $"{args[0]} has been ghosted"); break;
            case ChatError.NoPrivileges: Tell(m, "You must be logged in to that nick's account"); break;
            default: Tell(m, $"No one is using {args[0]}"); break;
        }
    }

    private void DropCommand(ChatMember m, string[] args)
    {
        if (m.Account is not { } account) { Tell(m, "You must be logged in to drop your account"); return; }
        var result = Hub.Accounts.Drop(account);
        if (result != AccountResult.Ok) { Tell(m, Describe(result, Hub.Accounts)); return; }
        Hub.LogOut(m);
        Tell(m, $"Account {account} has been dropped");
    }

    private void Info(ChatMember m, string[] args)
    {
        var name = args.Length > 0 ? args[0] : m.Account ?? m.Nick;
        if (Hub.Accounts.Find(name) is not { } a) { Tell(m, $"{name} is not a registered account"); return; }
        Tell(m, $"Account {a.Name}, registered {a.Created:yyyy-MM-dd HH:mm} UTC{(a.Verified ? "" : ", not verified")}");
        if (string.Equals(m.Account, a.Name, StringComparison.OrdinalIgnoreCase) || m.IsOperator)
            Tell(m, $"{a.Certificates.Count} certificate(s); password hashed with PBKDF2-SHA-256, {a.Verifier.Iterations} iterations");
        var online = Hub.Members.Where(x => string.Equals(x.Account, a.Name, StringComparison.OrdinalIgnoreCase)).Select(x => x.Nick).ToList();
        Tell(m, online.Count == 0 ? "Not logged in anywhere now" : "Logged in now as: " + string.Join(", ", online));
    }

    private void Set(ChatMember m, string[] args)
    {
        if (args[0].Equals("ALWAYS-ON", StringComparison.OrdinalIgnoreCase)) { SetAlwaysOn(m, args[1]); return; }
        if (args[0].Equals("AUTOREPLAY-LINES", StringComparison.OrdinalIgnoreCase)) { SetAutoreplay(m, args[1]); return; }
        if (!args[0].Equals("PASSWORD", StringComparison.OrdinalIgnoreCase)) { Tell(m, "Syntax: SET PASSWORD newpassword | SET ALWAYS-ON ON|OFF|DEFAULT | SET AUTOREPLAY-LINES N"); return; }
        if (m.Account is not { } account) { Tell(m, "You must be logged in"); return; }
        var result = Hub.Accounts.SetPassword(account, args[1]);
        Tell(m, result == AccountResult.Ok ? "Password changed" : Describe(result, Hub.Accounts));
    }

    private void SetAlwaysOn(ChatMember m, string value)
    {
        var word = value.ToUpperInvariant();
        if (word is not ("ON" or "OFF" or "DEFAULT")) { Tell(m, "Syntax: SET ALWAYS-ON ON|OFF|DEFAULT"); return; }
        bool? on = word == "DEFAULT" ? null : word == "ON";
        switch (Hub.SetAlwaysOn(m, on))
        {
            case ChatError.None:
                var effective = Hub.IsAlwaysOn(m.Account!);
                Tell(m, $"Always-on is {(effective ? "ON" : "OFF")} for {m.Account}{(on is null ? " (the server's default)" : "")}: " +
                    (effective ? "you stay in your rooms, away, when your last device leaves" : "you leave when your last device does"));
                break;
            case ChatError.AccountRequired: Tell(m, "You must be logged in"); break;
            default: Tell(m, "Always-on is not available on this server (--always-on off, --multiclient off, or a cluster)"); break;
        }
    }

    private void SetAutoreplay(ChatMember m, string value)
    {
        if (m.Account is not { } account) { Tell(m, "You must be logged in"); return; }
        if (!int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var lines) || lines > 1000)
        {
            Tell(m, "Syntax: SET AUTOREPLAY-LINES N (0 to 1000; 0: no replay)");
            return;
        }
        try { Hub.Accounts.Store.SetSetting(account, "autoreplay-lines", lines.ToString(System.Globalization.CultureInfo.InvariantCulture)); }
        catch (SockException) { Tell(m, Describe(AccountResult.Unavailable, Hub.Accounts)); return; }
        Tell(m, $"A device of {account} without chathistory that comes back is replayed at most {lines} missed line(s)");
    }

    private void Cert(ChatMember m, string[] args)
    {
        if (m.Account is not { } account) { Tell(m, "You must be logged in"); return; }
        switch (args[0].ToUpperInvariant())
        {
            case "LIST":
                var certs = Hub.Accounts.Find(account)?.Certificates ?? [];
                Tell(m, certs.Count == 0 ? "No certificates" : "Certificates: " + string.Join(", ", certs));
                break;
            case "ADD" or "DEL":
                var add = args[0].Equals("ADD", StringComparison.OrdinalIgnoreCase);
                var fp = args.Length > 1 ? args[1] : m.CertificateFingerprint;
                if (fp is null) { Tell(m, "Give a fingerprint, or connect with a TLS client certificate"); return; }
                var result = Hub.Accounts.ChangeCertificate(account, fp, add);
                Tell(m, result switch
                {
                    AccountResult.Ok => add ? $"Certificate {fp} added: it logs you in with SASL EXTERNAL" : $"Certificate {fp} removed",
                    AccountResult.InvalidName => "A fingerprint is 64 hex digits (SHA-256)",
                    AccountResult.Exists => "That certificate belongs to another account",
                    _ => Describe(result, Hub.Accounts),
                });
                break;
            default:
                Tell(m, "Syntax: CERT ADD [fingerprint] | DEL fingerprint | LIST");
                break;
        }
    }
}
