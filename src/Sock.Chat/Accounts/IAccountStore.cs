namespace Sock.Chat.Accounts;

/// <summary>
/// Where accounts, registered rooms and read markers live: in memory without --db, in the
/// history's SQLite file with it (its own tables); a cluster node gets a Redis one. Names compare
/// without regard to ASCII case. Implementations are thread-safe; calls may block briefly on disk.
/// </summary>
public interface IAccountStore : IDisposable
{
    Account? Find(string name);

    /// <summary>Adds an account; false when the name is taken.</summary>
    bool TryCreate(Account account);

    /// <summary>Replaces an account's data (password, certificates, verified flag); false when it does not exist.</summary>
    bool Update(Account account);

    bool Drop(string name);

    IReadOnlyList<Account> All();

    /// <summary>The account a TLS client-certificate fingerprint (SHA-256, lower-case hex) belongs to.</summary>
    Account? FindByCertificate(string fingerprint);

    RegisteredRoom? FindRoom(string name);

    /// <summary>Adds or replaces a registered room.</summary>
    void SaveRoom(RegisteredRoom room);

    bool DropRoom(string name);

    /// <summary>draft/read-marker: the last time an account read a target (null: never).</summary>
    DateTimeOffset? ReadMarker(string account, string target);

    void SetReadMarker(string account, string target, DateTimeOffset time);

    /// <summary>
    /// One of an account's settings (docs/devices.md: "always-on", "autoreplay-lines", an always-on
    /// member's "nick" and "rooms"); null when unset. A store that keeps none answers null.
    /// </summary>
    string? Setting(string account, string key) => null;

    /// <summary>Sets (or with null removes) one of an account's settings.</summary>
    void SetSetting(string account, string key, string? value) { }

    /// <summary>Every account that has <paramref name="key"/> set, with its value (restoring always-on members at start).</summary>
    IReadOnlyList<KeyValuePair<string, string>> WithSetting(string key) => [];
}
