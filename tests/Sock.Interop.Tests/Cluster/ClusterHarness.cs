using System.Net.Sockets;
using Sock.Interop.Tests.Chat;
using Sock.Interop.Tests.Infrastructure;

namespace Sock.Interop.Tests.Cluster;

/// <summary>A real redis-server on a free loopback port, without persistence (as PEERS.md starts it).</summary>
public sealed class RedisProcess : IAsyncDisposable
{
    private RunningProcess _process;
    private bool _gone; // stopped, killed or disposed: nothing left to dispose (a set and its nodes may both dispose one)

    private readonly string? _dir;
    private readonly string[] _extra;

    private RedisProcess(RunningProcess process, int port, string? dir, string[] extra)
    {
        _process = process;
        Port = port;
        _dir = dir;
        _extra = extra;
    }

    public int Port { get; }
    public string Url => $"redis://127.0.0.1:{Port}";
    public int Pid => _process.Id;

    /// <summary>With <paramref name="dir"/>, SAVE writes a snapshot there that a restart loads (no automatic saves still).</summary>
    /// <param name="extra">More redis-server options (<c>--replicaof 127.0.0.1 PORT</c>).</param>
    public static async Task<RedisProcess> StartAsync(int? port = null, string? dir = null, params string[] extra)
    {
        var p = port ?? FreePort.Tcp();
        var process = Launch(p, dir, extra);
        await FreePort.WaitListeningAsync(p, TimeSpan.FromSeconds(10));
        return new RedisProcess(process, p, dir, extra);
    }

    private static RunningProcess Launch(int port, string? dir, string[] extra) =>
        RunningProcess.Start(Peers.RedisServer, ["--port", port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", .. dir is null ? Array.Empty<string>() : ["--dir", dir], .. extra]);

    /// <summary>Stops it by PID (its data is gone: no persistence), then waits until the port is free.</summary>
    public async Task StopAsync()
    {
        _process.Signal(15);
        await _process.WaitForExitAsync(TimeSpan.FromSeconds(10));
        await _process.DisposeAsync();
        _gone = true;
    }

    /// <summary>kill -9 by PID (no shutdown, no flush: a crash), then waits until it has exited.</summary>
    public async Task KillAsync()
    {
        _process.Signal(9);
        await _process.WaitForExitAsync(TimeSpan.FromSeconds(10));
        await _process.DisposeAsync();
        _gone = true;
    }

    /// <summary>Starts it again on the same port.</summary>
    public async Task RestartAsync()
    {
        _process = Launch(Port, _dir, _extra);
        _gone = false;
        await FreePort.WaitListeningAsync(Port, TimeSpan.FromSeconds(10));
    }

    /// <summary>One INFO section as redis-server writes it (spoken in RESP over a socket of its own).</summary>
    public async Task<string> InfoAsync(string section)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync("127.0.0.1", Port);
        await socket.SendAsync(System.Text.Encoding.ASCII.GetBytes($"*2\r\n$4\r\nINFO\r\n${section.Length}\r\n{section}\r\n"));
        var reply = new System.Text.StringBuilder();
        var buffer = new byte[16384];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        // "$LENGTH\r\n" then LENGTH bytes and "\r\n".
        while (true)
        {
            var n = await socket.ReceiveAsync(buffer, timeout.Token);
            if (n == 0) break;
            reply.Append(System.Text.Encoding.UTF8.GetString(buffer, 0, n));
            var text = reply.ToString();
            var header = text.IndexOf("\r\n", StringComparison.Ordinal);
            if (header > 0 && int.TryParse(text[1..header], out var length) && text.Length >= header + 2 + length) return text.Substring(header + 2, length);
        }
        throw new IOException($"redis-server closed the connection during INFO: {reply}");
    }

    /// <summary>SAVE: a snapshot of the data set now, in the directory given at the start.</summary>
    public async Task SaveAsync()
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync("127.0.0.1", Port);
        await socket.SendAsync("*1\r\n$4\r\nSAVE\r\n"u8.ToArray());
        var buffer = new byte[256];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var n = await socket.ReceiveAsync(buffer, timeout.Token);
        var reply = System.Text.Encoding.ASCII.GetString(buffer, 0, n);
        if (!reply.StartsWith("+OK", StringComparison.Ordinal)) throw new IOException($"redis-server SAVE: {reply}");
    }

    /// <summary>How many times Redis ran <paramref name="command"/> (INFO commandstats; 0 when never).</summary>
    public async Task<long> CallsAsync(string command)
    {
        var line = (await InfoAsync("commandstats")).Split("\r\n").FirstOrDefault(l => l.StartsWith($"cmdstat_{command}:calls=", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line.Split('=', ',')[1]);
    }

    public void Pause() => _process.Signal(19);
    public void Resume() => _process.Signal(18);

    public async ValueTask DisposeAsync()
    {
        if (_gone) return;
        _gone = true;
        await _process.DisposeAsync();
    }
}

/// <summary>Nodes of one cluster: `sock chat serve --cluster` processes sharing a Redis.</summary>
public sealed class ClusterNodes : IAsyncDisposable
{
    private readonly List<ChatServerProcess> _nodes = [];

    private ClusterNodes(RedisProcess redis) => Redis = redis;

    /// <summary>Nodes on a Redis started elsewhere, reached through <paramref name="url"/> (a Sentinel URL); the nodes own <paramref name="redis"/> from now on.</summary>
    public static async Task<ClusterNodes> StartAsync(int nodes, RedisProcess redis, string url)
    {
        var cluster = new ClusterNodes(redis);
        try
        {
            for (var i = 0; i < nodes; i++) await cluster.StartNodeAsync($"n{i}", [], redisUrl: url);
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
        return cluster;
    }

    public RedisProcess Redis { get; }
    public ChatServerProcess this[int i] => _nodes[i];
    public int Count => _nodes.Count;

    public static Task<ClusterNodes> StartAsync(int nodes, params string[] extra) => StartAsync(nodes, redisDir: null, extra);

    /// <summary>With <paramref name="redisDir"/>: Redis can SAVE a snapshot there, which a restart loads.</summary>
    public static async Task<ClusterNodes> StartAsync(int nodes, string? redisDir, params string[] extra)
    {
        var cluster = new ClusterNodes(await RedisProcess.StartAsync(dir: redisDir));
        try
        {
            for (var i = 0; i < nodes; i++) await cluster.StartNodeAsync($"n{i}", extra);
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
        return cluster;
    }

    /// <summary>Starts (or with the id of a killed one, restarts) a node.</summary>
    public async Task<ChatServerProcess> StartNodeAsync(string id, string[] extra, string? redisUrl = null, int? port = null)
    {
        var node = await ChatServerProcess.StartOnPortAsync(port ?? FreePort.Tcp(),
            ["--cluster", redisUrl ?? Redis.Url, "--node-id", id, "--password-iterations", "4096", "--min-password", "1", .. extra]);
        _nodes.Add(node);
        return node;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var n in _nodes) await n.DisposeAsync();
        await Redis.DisposeAsync();
    }
}

/// <summary>The cluster tests start several servers and a Redis each: one class at a time.</summary>
[CollectionDefinition(Name)]
public sealed class ClusterHeavy
{
    public const string Name = "cluster";
}
