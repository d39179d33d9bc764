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
}
