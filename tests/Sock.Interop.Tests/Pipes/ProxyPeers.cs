using Sock.Interop.Tests.Infrastructure;

namespace Sock.Interop.Tests.Pipes;

/// <summary>Real proxies on free loopback ports: microsocks, dante (danted), tinyproxy and ncat's HTTP proxy.</summary>
internal sealed class ProxyPeer : IAsyncDisposable
{
    private readonly RunningProcess _process;
    private readonly TempDir _dir;

    public int Port { get; }
    public string Address => $"127.0.0.1:{Port}";
    public string Stderr => _process.Stderr;

    private ProxyPeer(RunningProcess process, TempDir dir, int port)
    {
        _process = process;
        _dir = dir;
        Port = port;
    }

    public static Task<ProxyPeer> MicrosocksAsync(string? user = null, string? password = null)
    {
        var port = FreePort.Tcp();
        string[] auth = user is null ? [] : ["-u", user, "-P", password!];
        return StartAsync(Peers.Microsocks, ["-i", "127.0.0.1", "-p", port.ToString(), .. auth], new TempDir(), port);
    }

    /// <summary>danted allowing loopback, except <paramref name="blockedPort"/> on 127.0.0.1 (a ruleset refusal).</summary>
    public static Task<ProxyPeer> DanteAsync(int blockedPort)
    {
        var port = FreePort.Tcp();
        var dir = new TempDir();
        var conf = dir.File("danted.conf");
        File.WriteAllText(conf, $"""
            logoutput: stderr
            internal: 127.0.0.1 port = {port}
            external: 127.0.0.1
            socksmethod: none
            clientmethod: none
            user.privileged: root
            user.unprivileged: nobody
            client pass {"{"} from: 127.0.0.0/8 to: 0.0.0.0/0 {"}"}
            socks block {"{"} from: 0.0.0.0/0 to: 127.0.0.1/32 port = {blockedPort} {"}"}
            socks pass {"{"} from: 127.0.0.0/8 to: 0.0.0.0/0 {"}"}

            """);
        return StartAsync(Peers.Danted, ["-f", conf, "-p", dir.File("danted.pid")], dir, port);
    }

    public static Task<ProxyPeer> TinyproxyAsync(string user, string password)
    {
        var port = FreePort.Tcp();
        var dir = new TempDir();
        var conf = dir.File("tinyproxy.conf");
        File.WriteAllText(conf, $"Port {port}\nListen 127.0.0.1\nTimeout 30\nAllow 127.0.0.1\nBasicAuth {user} {password}\n");
        return StartAsync(Peers.Tinyproxy, ["-d", "-c", conf], dir, port);
    }

    public static Task<ProxyPeer> NcatHttpAsync()
    {
        var port = FreePort.Tcp();
        return StartAsync(Peers.Ncat, ["-l", "127.0.0.1", port.ToString(), "--proxy-type", "http"], new TempDir(), port);
    }

    /// <summary>A "proxy" that runs <paramref name="script"/> for each client: garbage, hang-ups, silence.</summary>
    public static Task<ProxyPeer> ScriptedAsync(string script)
    {
        var port = FreePort.Tcp();
        return StartAsync(Peers.Ncat, ["-l", "-k", "127.0.0.1", port.ToString(), "--sh-exec", script], new TempDir(), port);
    }

    private static async Task<ProxyPeer> StartAsync(string program, string[] args, TempDir dir, int port)
    {
        var process = RunningProcess.Start(program, args, dir.Path);
        var peer = new ProxyPeer(process, dir, port);
        try
        {
            await PipeTestKit.WaitBoundAsync(port);
        }
        catch
        {
            await peer.DisposeAsync();
            throw;
        }
        return peer;
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        _dir.Dispose();
    }
}
