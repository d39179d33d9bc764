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
            new("LOGOUT", (m, _) => { Hub.LogOut(m); Tell(m, "You're now logged out"); }, 0, "LOGOUT", "logs you out"),
            new("GHOST", GhostCommand, 1, "GHOST nick", "disconnects someone using your account's nick"),
            new("DROP", DropCommand, 0, "DROP", "deletes your account (you must be logged in to it)"),
            new("INFO", Info, 0, "INFO [account]", "shows an account"),
            new("SET", Set, 2, "SET PASSWORD newpassword", "changes your password"),
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
        var (name, password) = args.Length > 1 ? (args[0], args[1]) : (m.Nick, args[0]);
        var result = Hub.Accounts.Authenticate(name, password, m.Host, out var account);
        if (result != AccountResult.Ok) { Tell(m, Describe(result, Hub.Accounts)); return; }
        Hub.LogIn(m, account!.Name);
        Tell(m, $"You're now logged in as {account.Name}");
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
        if (!args[0].Equals("PASSWORD", StringComparison.OrdinalIgnoreCase)) { Tell(m, "Syntax: SET PASSWORD newpassword"); return; }
        if (m.Account is not { } account) { Tell(m, "You must be logged in"); return; }
        var result = Hub.Accounts.SetPassword(account, args[1]);
        Tell(m, result == AccountResult.Ok ? "Password changed" : Describe(result, Hub.Accounts));
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
