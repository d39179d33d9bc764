using Sock.Chat;
using Sock.Chat.Cluster;

namespace Sock.Cli.Chat;

/// <summary>
/// Picks the chat server's backend from its options: --cluster (Sock.Chat.Redis), --db
/// (Sock.Chat.Sqlite), or memory. The one place where `chat serve` ties the packages together.
/// </summary>
internal static class ChatBackends
{
    public static async Task<IChatBackend> OpenAsync(ChatServerOptions options, CancellationToken ct)
    {
        if (options.ClusterUrl is { } url) return await ClusterNode.ConnectAsync(url, options, ct);
        if (options.DatabasePath is { } path) return SqliteChatBackend.Open(path, options.HistoryLength);
        return new MemoryChatBackend(options.HistoryLength);
    }
}
