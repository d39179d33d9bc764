using System.Net.Sockets;
using System.Text;
using Sock.Interop.Tests.Infrastructure;

namespace Sock.Interop.Tests.Cluster;

/// <summary>
/// A Redis master, two replicas and three redis-sentinel processes watching it as "mymaster", all on free
/// loopback ports (Sentinel's config files in a temporary directory, which it rewrites as it learns).
/// </summary>
public sealed class RedisSentinelSet : IAsyncDisposable
{
    public const string Master = "mymaster";
    private readonly List<RedisProcess> _servers = [];
    private readonly List<RunningProcess> _sentinels = [];
    private readonly List<int> _sentinelPorts = [];
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("sock-sentinel-");

    public IReadOnlyList<RedisProcess> Servers => _servers;
    /// <summary>The Sentinel URL the nodes are given.</summary>
    public string Url => "redis+sentinel://" + string.Join(",", _sentinelPorts.Select(p => $"127.0.0.1:{p}")) + "/" + Master;

    public static async Task<RedisSentinelSet> StartAsync()
    {
        var set = new RedisSentinelSet();
        try
        {
            // Each in a directory of its own: a replica's full sync writes dump.rdb there, which a later Redis started in the same place would load.
            var master = await RedisProcess.StartAsync(dir: set._dir.CreateSubdirectory("r0").FullName);
            set._servers.Add(master);
            for (var i = 1; i <= 2; i++)
                set._servers.Add(await RedisProcess.StartAsync(dir: set._dir.CreateSubdirectory($"r{i}").FullName, extra: ["--replicaof", "127.0.0.1", master.Port.ToString()]));
            for (var i = 0; i < 3; i++)
            {
                var port = FreePort.Tcp();
                var conf = Path.Combine(set._dir.FullName, $"sentinel{i}.conf");
                await File.WriteAllTextAsync(conf, $"""
                    port {port}
                    bind 127.0.0.1
                    daemonize no
                    dir {set._dir.FullName}
                    sentinel monitor {Master} 127.0.0.1 {master.Port} 2
                    sentinel down-after-milliseconds {Master} 1000
                    sentinel failover-timeout {Master} 4000
                    sentinel parallel-syncs {Master} 2

                    """);
                set._sentinels.Add(RunningProcess.Start(Peers.RedisSentinel, [conf]));
                set._sentinelPorts.Add(port);
                await FreePort.WaitListeningAsync(port, TimeSpan.FromSeconds(10));
            }
            // Ready when every Sentinel knows both replicas and the other two Sentinels (they find each other through the master).
            var until = DateTime.UtcNow + TimeSpan.FromSeconds(40);
            while (true)
            {
                var ready = true;
                foreach (var p in set._sentinelPorts)
                {
                    var info = Pairs(await Resp.CallAsync(p, "SENTINEL", "MASTER", Master));
                    ready &= info.GetValueOrDefault("num-slaves") == "2" && info.GetValueOrDefault("num-other-sentinels") == "2";
                }
                if (ready) break;
                if (DateTime.UtcNow > until) throw new TimeoutException("the Sentinels did not find the replicas and each other within 40 s");
                await Task.Delay(200);
            }
        }
        catch
        {
            await set.DisposeAsync();
            throw;
        }
        return set;
    }

    /// <summary>The master's port as the Sentinels (the first that answers) have it now.</summary>
    public async Task<int> MasterPortAsync()
    {
        var reply = (List<object?>)(await Resp.CallAsync(_sentinelPorts[0], "SENTINEL", "GET-MASTER-ADDR-BY-NAME", Master))!;
        return int.Parse((string)reply[1]!);
    }

    public RedisProcess ServerOn(int port) => _servers.Single(s => s.Port == port);

    /// <summary>SENTINEL FAILOVER, then waits (at most 30 s) until the Sentinels name another master.</summary>
    public async Task FailoverAsync()
    {
        var old = await MasterPortAsync();
        var reply = await Resp.CallAsync(_sentinelPorts[0], "SENTINEL", "FAILOVER", Master);
        if (reply as string != "OK") throw new IOException($"SENTINEL FAILOVER: {reply}");
        await WaitNewMasterAsync(old);
    }

    /// <summary>Waits (at most 30 s) until the Sentinels name a master other than <paramref name="old"/>.</summary>
    public async Task<int> WaitNewMasterAsync(int old)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < until)
        {
            var now = await MasterPortAsync();
            if (now != old)
            {
                // Promoted is not yet writable everywhere: wait until it says it is a master.
                var role = (List<object?>)(await Resp.CallAsync(now, "ROLE"))!;
                if ((string?)role[0] == "master") return now;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"the Sentinels named no new master within 30 s (still {old})");
    }

    private static Dictionary<string, string> Pairs(object? flat)
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        if (flat is List<object?> l)
            for (var i = 0; i + 1 < l.Count; i += 2) d[(string)l[i]!] = l[i + 1] as string ?? "";
        return d;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var s in _sentinels) await s.DisposeAsync();
        foreach (var s in _servers) await s.DisposeAsync();
        try { _dir.Delete(recursive: true); } catch (IOException) { }
    }
}

/// <summary>One Redis command over a socket of its own, its RESP2 reply read back (strings, integers as strings, arrays as lists, errors as "-ERR …").</summary>
public static class Resp
{
    public static async Task<object?> CallAsync(int port, params string[] args)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await socket.ConnectAsync("127.0.0.1", port, timeout.Token);
        var request = new StringBuilder($"*{args.Length}\r\n");
        foreach (var a in args) request.Append($"${Encoding.UTF8.GetByteCount(a)}\r\n{a}\r\n");
        await socket.SendAsync(Encoding.UTF8.GetBytes(request.ToString()), timeout.Token);
        var data = new List<byte>();
        var buffer = new byte[16384];
        while (true)
        {
            var n = await socket.ReceiveAsync(buffer, timeout.Token);
            if (n == 0) throw new IOException($"Redis on {port} closed the connection during {args[0]}");
            data.AddRange(buffer.AsSpan(0, n));
            var pos = 0;
            if (TryRead([.. data], ref pos, out var reply)) return reply;
        }
    }

    private static bool TryRead(byte[] d, ref int pos, out object? value)
    {
        value = null;
        var eol = Array.IndexOf(d, (byte)'\n', pos);
        if (eol < 0) return false;
        var line = Encoding.UTF8.GetString(d, pos + 1, eol - pos - 2);
        var kind = (char)d[pos];
        pos = eol + 1;
        switch (kind)
        {
            case '+' or ':': value = line; return true;
            case '-': value = "-" + line; return true;
            case '$':
                var len = int.Parse(line);
                if (len < 0) return true;
                if (d.Length < pos + len + 2) return false;
                value = Encoding.UTF8.GetString(d, pos, len);
                pos += len + 2;
                return true;
            case '*':
                var count = int.Parse(line);
                var list = new List<object?>();
                for (var i = 0; i < count; i++)
                {
                    if (!TryRead(d, ref pos, out var item)) return false;
                    list.Add(item);
                }
                value = count < 0 ? null : list;
                return true;
            default: throw new IOException($"not RESP: {kind}{line}");
        }
    }
}
