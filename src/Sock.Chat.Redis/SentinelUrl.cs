using StackExchange.Redis;

namespace Sock.Chat.Cluster;

/// <summary>
/// <c>redis+sentinel://[USER:PASSWORD@]HOST[:PORT],HOST[:PORT],…/MASTERNAME</c> (<c>rediss+sentinel://</c>
/// for TLS): a master with replicas behind Redis Sentinel. StackExchange.Redis asks the Sentinels
/// for the master of that name and follows them when they fail over (+switch-master); the node
/// sees the switch as Redis lost and back, and catches up (checking its rooms: a replica promoted
/// before it had caught up is a data set that went backwards).
/// </summary>
internal static class SentinelUrl
{
    /// <summary>The Sentinels' default port.</summary>
    public const int DefaultPort = 26379;

    /// <summary>False when <paramref name="url"/> is not a Sentinel URL at all; a clear error when it is one, malformed.</summary>
    public static bool TryParse(string url, out ConfigurationOptions config)
    {
        config = null!;
        var tls = url.StartsWith("rediss+sentinel://", StringComparison.OrdinalIgnoreCase);
        if (!tls && !url.StartsWith("redis+sentinel://", StringComparison.OrdinalIgnoreCase)) return false;
        var rest = url[(tls ? "rediss+sentinel://" : "redis+sentinel://").Length..];
        var slash = rest.IndexOf('/');
        var master = slash < 0 ? "" : Uri.UnescapeDataString(rest[(slash + 1)..]).TrimEnd('/');
        var hosts = slash < 0 ? rest : rest[..slash];
        string? user = null, password = null;
        var at = hosts.LastIndexOf('@');
        if (at >= 0)
        {
            var parts = Uri.UnescapeDataString(hosts[..at]).Split(':', 2);
            if (parts.Length == 2) { if (parts[0].Length > 0) user = parts[0]; password = parts[1]; }
            else password = parts[0];
            hosts = hosts[(at + 1)..];
        }
        if (master.Length == 0 || master.Contains('/'))
            throw new SockException($"--cluster: '{url}' names no master: redis+sentinel://HOST:PORT,HOST:PORT/MASTERNAME");
        config = Options(tls);
        config.ServiceName = master;
        foreach (var h in hosts.Split(','))
        {
            if (!Uri.TryCreate("redis://" + h, UriKind.Absolute, out var u) || u.Host.Length == 0 || u.AbsolutePath.Length > 1)
                throw new SockException($"--cluster: '{h}' in '{url}' is not a Sentinel address such as 127.0.0.1:26379");
            config.EndPoints.Add(u.Host, u.Port > 0 ? u.Port : DefaultPort);
        }
        if (user is not null) config.User = user;
        if (password is not null) config.Password = password;
        return true;
    }

    /// <summary>What every cluster connection uses, plain Redis or Sentinel (<see cref="ClusterNode.ParseUrl"/>).</summary>
    internal static ConfigurationOptions Options(bool tls) => new()
    {
        Ssl = tls,
        // A command issued while Redis is away fails at once (the sender is told) instead of waiting to be replayed.
        BacklogPolicy = BacklogPolicy.FailFast,
        AbortOnConnectFail = false,
        ConnectTimeout = 3000,
        // A paused Redis delays what is in flight rather than failing it after it may have run.
        AsyncTimeout = 30_000,
        SyncTimeout = 5_000,
        KeepAlive = 1,
        ClientName = "sock",
    };
}
