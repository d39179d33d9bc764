using System.Text.Json;
using StackExchange.Redis;
using Sock.Chat.Accounts;

namespace Sock.Chat.Cluster;

/// <summary>
/// Accounts, ChanServ rooms and read markers in Redis hashes, so an account registered on one node
/// logs in on every other. Creation is HSETNX: two nodes registering one name, one wins.
/// </summary>
internal sealed class RedisAccountStore(ClusterNode node) : IAccountStore
{
    private static string Key(string name) => name.ToLowerInvariant();

    public Account? Find(string name) => Read(node.Db.HashGet(ClusterKeys.Accounts, Key(name)));

    public bool TryCreate(Account account)
    {
        if (!node.Db.HashSet(ClusterKeys.Accounts, Key(account.Name), Write(account), When.NotExists)) return false;
        foreach (var fp in account.Certificates) node.Db.HashSet(ClusterKeys.Certificates, fp.ToLowerInvariant(), account.Name);
        return true;
    }

    public bool Update(Account account)
    {
        var old = Find(account.Name);
        if (old is null) return false;
        node.Db.HashSet(ClusterKeys.Accounts, Key(account.Name), Write(account));
        foreach (var fp in old.Certificates.Except(account.Certificates, StringComparer.OrdinalIgnoreCase)) node.Db.HashDelete(ClusterKeys.Certificates, fp.ToLowerInvariant());
        foreach (var fp in account.Certificates) node.Db.HashSet(ClusterKeys.Certificates, fp.ToLowerInvariant(), account.Name);
        return true;
    }

    public bool Drop(string name)
    {
        var old = Find(name);
        if (old is null) return false;
        foreach (var fp in old.Certificates) node.Db.HashDelete(ClusterKeys.Certificates, fp.ToLowerInvariant());
        return node.Db.HashDelete(ClusterKeys.Accounts, Key(name));
    }

    public IReadOnlyList<Account> All() =>
        [.. node.Db.HashValues(ClusterKeys.Accounts).Select(Read).OfType<Account>().OrderBy(a => a.Name, StringComparer.OrdinalIgnoreCase)];

    public Account? FindByCertificate(string fingerprint) =>
        node.Db.HashGet(ClusterKeys.Certificates, fingerprint.ToLowerInvariant()) is { IsNull: false } name ? Find((string)name!) : null;

    public RegisteredRoom? FindRoom(string name) =>
        node.Db.HashGet(ClusterKeys.RegisteredRooms, Key(name)) is { IsNull: false } v ? JsonSerializer.Deserialize((string)v!, ClusterJson.Default.RegisteredRoom) : null;

    public void SaveRoom(RegisteredRoom room) =>
        node.Db.HashSet(ClusterKeys.RegisteredRooms, Key(room.Name), JsonSerializer.Serialize(room, ClusterJson.Default.RegisteredRoom));

    public bool DropRoom(string name) => node.Db.HashDelete(ClusterKeys.RegisteredRooms, Key(name));

    public DateTimeOffset? ReadMarker(string account, string target) =>
        node.Db.HashGet(ClusterKeys.ReadMarkers, Key(account) + " " + Key(target)) is { IsNull: false } v && long.TryParse((string)v!, out var ms)
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;

    public void SetReadMarker(string account, string target, DateTimeOffset time) =>
        node.Db.HashSet(ClusterKeys.ReadMarkers, Key(account) + " " + Key(target), time.ToUnixTimeMilliseconds());

    public void Dispose() { }

    private static string Write(Account a) => JsonSerializer.Serialize(new WireAccount
    {
        Name = a.Name, Created = a.Created.ToUnixTimeSeconds(), Salt = Convert.ToBase64String(a.Verifier.Salt), Iterations = a.Verifier.Iterations,
        StoredKey = Convert.ToBase64String(a.Verifier.StoredKey), ServerKey = Convert.ToBase64String(a.Verifier.ServerKey),
        Certificates = [.. a.Certificates], Verified = a.Verified, Email = a.Email,
    }, ClusterJson.Default.WireAccount);

    private static Account? Read(RedisValue v)
    {
        if (v.IsNull || JsonSerializer.Deserialize((string)v!, ClusterJson.Default.WireAccount) is not { } w) return null;
        return new Account(w.Name, DateTimeOffset.FromUnixTimeSeconds(w.Created),
            new PasswordVerifier(Convert.FromBase64String(w.Salt), w.Iterations, Convert.FromBase64String(w.StoredKey), Convert.FromBase64String(w.ServerKey)),
            w.Certificates, w.Verified, w.Email);
    }
}
