using System.Collections.Concurrent;

namespace Sock.Chat.Accounts;

/// <summary>Accounts for the life of the process (a server without --db).</summary>
public sealed class MemoryAccountStore : IAccountStore
{
    private readonly ConcurrentDictionary<string, Account> _accounts = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, RegisteredRoom> _rooms = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<(string, string), DateTimeOffset> _markers = new();

    public Account? Find(string name) => _accounts.GetValueOrDefault(name);

    public bool TryCreate(Account account) => _accounts.TryAdd(account.Name, account);

    public bool Update(Account account)
    {
        if (!_accounts.ContainsKey(account.Name)) return false;
        _accounts[account.Name] = account;
        return true;
    }

    public bool Drop(string name) => _accounts.TryRemove(name, out _);

    public IReadOnlyList<Account> All() => [.. _accounts.Values.OrderBy(a => a.Name, StringComparer.OrdinalIgnoreCase)];

    public Account? FindByCertificate(string fingerprint) =>
        _accounts.Values.FirstOrDefault(a => a.Certificates.Contains(fingerprint, StringComparer.OrdinalIgnoreCase));

    public RegisteredRoom? FindRoom(string name) => _rooms.GetValueOrDefault(name);

    public void SaveRoom(RegisteredRoom room) => _rooms[room.Name] = room;

    public bool DropRoom(string name) => _rooms.TryRemove(name, out _);

    public DateTimeOffset? ReadMarker(string account, string target) =>
        _markers.TryGetValue((account.ToLowerInvariant(), target.ToLowerInvariant()), out var t) ? t : null;

    public void SetReadMarker(string account, string target, DateTimeOffset time) =>
        _markers[(account.ToLowerInvariant(), target.ToLowerInvariant())] = time;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Account, string Key), string> _settings = new();

    public string? Setting(string account, string key) => _settings.GetValueOrDefault((account.ToLowerInvariant(), key));

    public void SetSetting(string account, string key, string? value)
    {
        if (value is null) _settings.TryRemove((account.ToLowerInvariant(), key), out _);
        else _settings[(account.ToLowerInvariant(), key)] = value;
    }

    public IReadOnlyList<KeyValuePair<string, string>> WithSetting(string key) =>
        [.. _settings.Where(x => x.Key.Key == key).Select(x => KeyValuePair.Create(x.Key.Account, x.Value))];

    public void Dispose() { }
}
