namespace Sock.Chat.Cluster;

/// <summary>
/// Every Redis key the cluster uses. A room's keys share the hash tag <c>{#room}</c> so Redis Cluster
/// keeps a room on one shard (its script touches only those); the cluster-wide keys (users, nodes,
/// accounts) share <c>{sock}</c> and so live on one shard.
/// </summary>
internal static class ClusterKeys
{
    /// <summary>The one pub/sub channel: room events (published by the room script) and node notices.</summary>
    public const string Bus = "sock:bus";

    public const string Users = "sock:{sock}:users";
    public const string Nodes = "sock:{sock}:nodes";
    public const string Rooms = "sock:{sock}:rooms";
    public const string Generation = "sock:{sock}:generation";
    public const string Accounts = "sock:{sock}:accounts";
    public const string Certificates = "sock:{sock}:certs";
    public const string RegisteredRooms = "sock:{sock}:chanserv";
    public const string ReadMarkers = "sock:{sock}:markers";
    public const string Conversations = "sock:{sock}:conversations";

    public static string Heartbeat(string node) => $"sock:{{sock}}:node:{node}";
    public static string Reaping(string node) => $"sock:{{sock}}:reap:{node}";

    /// <summary>The tag of a room or conversation key: its case-folded name.</summary>
    public static string Tag(string name) => "{" + ChatNames.Fold(name) + "}";

    public static string RoomState(string room) => $"sock:{Tag(room)}:state";
    public static string RoomMembers(string room) => $"sock:{Tag(room)}:members";
    /// <summary>Every room event, trimmed: what a node that missed some reads back (XRANGE) in order.</summary>
    public static string RoomLog(string room) => $"sock:{Tag(room)}:log";
    /// <summary>What history shows (messages, topics), trimmed to --history: CHATHISTORY reads it.</summary>
    public static string History(string key) => $"sock:{Tag(key)}:history";
}
