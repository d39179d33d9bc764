using Sock.Chat.Accounts;
using Sock.Chat.Storage;

namespace Sock.Chat;

/// <summary>One server's history and accounts in one SQLite file (--db): both survive a restart.</summary>
public sealed class SqliteChatBackend : IChatBackend
{
    private readonly SqliteHistoryStore _history;
    private readonly SqliteAccountStore _accounts;

    private SqliteChatBackend(SqliteHistoryStore history, SqliteAccountStore accounts)
    {
        _history = history;
        _accounts = accounts;
        _history.WriteFailed += m => Log?.Invoke(m);
    }

    /// <summary>Opens (or creates) the database, failing early on a locked or unwritable file.</summary>
    public static SqliteChatBackend Open(string path, int historyLength)
    {
        var history = SqliteHistoryStore.Open(path, historyLength);
        try { return new SqliteChatBackend(history, SqliteAccountStore.Open(path)); }
        catch
        {
            history.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }
    }

    public IHistoryStore History => _history;
    public IAccountStore Accounts => _accounts;
    public IChatFanout? Fanout => null;
    public INickRegistry? Nicks => null;
    public bool Healthy => true;
    /// <summary>A history write that failed (the changes stay in memory); the server logs it.</summary>
    public event Action<string>? Log;
    public Task AttachAsync(ChatHub hub) => Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        await _history.DisposeAsync();
        _accounts.Dispose();
    }
}
