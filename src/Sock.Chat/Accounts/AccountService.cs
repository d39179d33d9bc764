namespace Sock.Chat.Accounts;

/// <summary>The outcome of an account operation; each front end (NickServ, SASL, REGISTER, the CLI) words it.</summary>
public enum AccountResult
{
    Ok,
    NoSuchAccount,
    WrongPassword,
    /// <summary>Too many failures: wait (<see cref="AccountService.LastWait"/>).</summary>
    Throttled,
    Exists,
    InvalidName,
    WeakPassword,
    /// <summary>The account store failed (a database error): refused, with the error logged.</summary>
    Unavailable,
    NotVerified,
}

/// <summary>
/// Accounts as the server uses them: registration, password and certificate checks with backoff,
/// changes. Unknown accounts cost the same work as wrong passwords, so timing tells nothing.
/// </summary>
public sealed class AccountService(IAccountStore store, AccountOptions options)
{
    /// <summary>Longest password accepted (a bound on the hashing work one request can ask for).</summary>
    public const int MaxPasswordLength = 1024;
    private readonly LoginThrottle _throttle = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _codes = new(StringComparer.OrdinalIgnoreCase);

    public IAccountStore Store => store;
    public AccountOptions Options => options;

    /// <summary>Failed logins and store errors, for the server's log.</summary>
    public event Action<string>? Log;

    /// <summary>How long the last <see cref="AccountResult.Throttled"/> asked to wait.</summary>
    public TimeSpan LastWait { get; private set; }

    public AccountResult Register(string name, string password, string? email, out Account? account)
    {
        account = null;
        if (!ChatNames.IsValidNick(name, options.NickLength) || IsService(name)) return AccountResult.InvalidName;
        if (password.Length < options.MinPasswordLength || password.Length > MaxPasswordLength) return AccountResult.WeakPassword;
        var created = new Account(name, DateTimeOffset.UtcNow, PasswordVerifier.Create(password, options.Iterations), [], !options.VerifyAccounts, email);
        var result = Guarded(() => store.TryCreate(created) ? AccountResult.Ok : AccountResult.Exists);
        account = result == AccountResult.Ok ? created : null;
        if (account is { Verified: false })
        {
            // No mail is sent from this server: the operator reads the code from the log and passes it on.
            var code = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4)).ToLowerInvariant();
            _codes[name] = code;
            Log?.Invoke($"account {name} registered, waiting for verification: code {code}");
        }
        return result;
    }

    /// <summary>The pseudo-users' names are never accounts.</summary>
    public static bool IsService(string name) => name.Equals("NickServ", StringComparison.OrdinalIgnoreCase) || name.Equals("ChanServ", StringComparison.OrdinalIgnoreCase);

    /// <summary>PLAIN-style check of a password, with backoff per account and per <paramref name="address"/>.</summary>
    public AccountResult Authenticate(string name, string password, string address, out Account? account)
    {
        account = null;
        var wait = _throttle.Wait("a:" + name, "h:" + address);
        if (wait > TimeSpan.Zero) { LastWait = wait; Log?.Invoke($"login for {name} from {address} refused: backing off {wait.TotalSeconds:0} s after failures"); return AccountResult.Throttled; }
        Account? found = null;
        var result = Guarded(() => { found = store.Find(name); return AccountResult.Ok; });
        if (result != AccountResult.Ok) return result;
        var ok = false;
        if (found is null) PasswordVerifier.VerifyNothing(password, options.Iterations);
        else ok = found.Verifier.Verify(password);
        if (!ok)
        {
            _throttle.Failed("a:" + name, "h:" + address);
            Log?.Invoke($"failed login for {name} from {address}");
            return found is null ? AccountResult.NoSuchAccount : AccountResult.WrongPassword;
        }
        if (!found!.Verified) return AccountResult.NotVerified;
        _throttle.Succeeded("a:" + name);
        account = found;
        return AccountResult.Ok;
    }

    /// <summary>A SCRAM exchange against the store; call <see cref="ScramFinished"/> with its outcome.</summary>
    public ScramServer NewScram() => new(name => { try { return store.Find(Devices.DeviceNames.AccountOf(name))?.Verifier; } catch (SockException) { return null; } });

    /// <summary>Backoff check before a SCRAM exchange may finish.</summary>
    public bool ScramAllowed(string name, string address)
    {
        var wait = _throttle.Wait("a:" + name, "h:" + address);
        LastWait = wait;
        return wait == TimeSpan.Zero;
    }

    public void ScramFinished(string name, string address, bool ok)
    {
        if (ok) { _throttle.Succeeded("a:" + name); return; }
        _throttle.Failed("a:" + name, "h:" + address);
        Log?.Invoke($"failed SCRAM login for {name} from {address}");
    }

    public Account? Find(string name)
    {
        try { return store.Find(name); }
        catch (SockException e) { Log?.Invoke(e.Message); return null; }
    }

    public Account? FindByCertificate(string fingerprint)
    {
        try { return store.FindByCertificate(fingerprint); }
        catch (SockException e) { Log?.Invoke(e.Message); return null; }
    }

    public AccountResult SetPassword(string name, string password)
    {
        if (password.Length < options.MinPasswordLength || password.Length > MaxPasswordLength) return AccountResult.WeakPassword;
        return Guarded(() =>
        {
            var a = store.Find(name);
            if (a is null) return AccountResult.NoSuchAccount;
            return store.Update(a with { Verifier = PasswordVerifier.Create(password, options.Iterations) }) ? AccountResult.Ok : AccountResult.NoSuchAccount;
        });
    }

    public AccountResult Drop(string name) => Guarded(() => store.Drop(name) ? AccountResult.Ok : AccountResult.NoSuchAccount);

    /// <summary>VERIFY with the code the server logged at registration.</summary>
    public AccountResult Verify(string name, string code)
    {
        if (!_codes.TryGetValue(name, out var expected)
            || !System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(expected), System.Text.Encoding.UTF8.GetBytes(code)))
            return AccountResult.WrongPassword;
        var result = Verify(name);
        if (result == AccountResult.Ok) _codes.TryRemove(name, out _);
        return result;
    }

    public AccountResult Verify(string name) => Guarded(() =>
    {
        var a = store.Find(name);
        return a is null ? AccountResult.NoSuchAccount : store.Update(a with { Verified = true }) ? AccountResult.Ok : AccountResult.NoSuchAccount;
    });

    /// <summary>Adds or removes a certificate fingerprint (lower-case hex SHA-256).</summary>
    public AccountResult ChangeCertificate(string name, string fingerprint, bool add) => Guarded(() =>
    {
        var a = store.Find(name);
        if (a is null) return AccountResult.NoSuchAccount;
        var fp = fingerprint.Replace(":", "", StringComparison.Ordinal).ToLowerInvariant();
        if (fp.Length != 64 || !fp.All(char.IsAsciiHexDigit)) return AccountResult.InvalidName;
        var certs = a.Certificates.Where(c => !c.Equals(fp, StringComparison.OrdinalIgnoreCase)).ToList();
        if (add)
        {
            if (store.FindByCertificate(fp) is { } owner && !owner.Name.Equals(name, StringComparison.OrdinalIgnoreCase)) return AccountResult.Exists;
            certs.Add(fp);
        }
        return store.Update(a with { Certificates = certs }) ? AccountResult.Ok : AccountResult.NoSuchAccount;
    });

    /// <summary>Runs a store operation; a store failure is logged and becomes <see cref="AccountResult.Unavailable"/>.</summary>
    private AccountResult Guarded(Func<AccountResult> work)
    {
        try { return work(); }
        catch (SockException e)
        {
            Log?.Invoke(e.Message + " (account operation refused)");
            return AccountResult.Unavailable;
        }
    }
}

/// <summary>The accounts part of the server's options.</summary>
public sealed record AccountOptions
{
    public int Iterations { get; init; } = PasswordVerifier.DefaultIterations;
    public int MinPasswordLength { get; init; } = 6;
    public int NickLength { get; init; } = 30;
    /// <summary>New accounts must be VERIFYed (with the code the server logs) before they can log in.</summary>
    public bool VerifyAccounts { get; init; }
    /// <summary>draft/account-registration: REGISTER may come before NICK/USER complete.</summary>
    public bool RegisterBeforeConnect { get; init; } = true;
    /// <summary>REGISTER needs an e-mail address (its syntax is checked; nothing is sent).</summary>
    public bool RequireEmail { get; init; }
}
