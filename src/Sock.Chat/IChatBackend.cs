using Sock.Chat.Accounts;
using Sock.Chat.Storage;

namespace Sock.Chat;

/// <summary>
/// Where a chat server keeps its state and how it shares it: memory alone (<see cref="MemoryChatBackend"/>),
/// SQLite for one server (Sock.Chat.Sqlite), or Redis for a cluster of nodes (Sock.Chat.Redis).
/// The server and its hub see only these interfaces; a single server and a cluster node differ
/// only in which backend they are given.
/// </summary>
public interface IChatBackend : IAsyncDisposable
{
    IHistoryStore History { get; }
    IAccountStore Accounts { get; }
    /// <summary>How room events reach members (null: in this process only).</summary>
    IChatFanout? Fanout { get; }
    /// <summary>Who holds which nick (null: this process only).</summary>
    INickRegistry? Nicks { get; }
    /// <summary>False while the backend cannot do its job (a cluster node without Redis); /healthz says so.</summary>
    bool Healthy { get; }
    /// <summary>Log lines for the operator (store write failures, cluster events).</summary>
    event Action<string>? Log;
    /// <summary>Called once the hub exists, before the server accepts anyone (a cluster node subscribes here).</summary>
    Task AttachAsync(ChatHub hub);
}

/// <summary>History and accounts in memory: nothing survives a restart (the default without --db).</summary>
public sealed class MemoryChatBackend(int historyLength) : IChatBackend
{
    public IHistoryStore History { get; } = new MemoryHistoryStore(historyLength);
    public IAccountStore Accounts { get; } = new MemoryAccountStore();
    public IChatFanout? Fanout => null;
    public INickRegistry? Nicks => null;
    public bool Healthy => true;
    // Memory stores never fail a write; the event exists for the interface.
    public event Action<string>? Log { add { } remove { } }
    public Task AttachAsync(ChatHub hub) => Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        await History.DisposeAsync();
        Accounts.Dispose();
    }
}
