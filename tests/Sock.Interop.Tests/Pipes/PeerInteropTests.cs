using Sock.Interop.Tests.Infrastructure;
using static Sock.Interop.Tests.Pipes.PipeTestKit;

namespace Sock.Interop.Tests.Pipes;

/// <summary>
/// 16 MiB of random bytes between `sock` and ncat, nc (OpenBSD) and socat, over TCP, Unix
/// sockets and TLS, with sock in either role; the SHA-256 of what arrives must match.
/// </summary>
public class PeerInteropTests
{
    public static TheoryData<string, string> Cases => new()
    {
        { "ncat", "tcp" }, { "nc", "tcp" }, { "socat", "tcp" },
        { "ncat", "unix" }, { "nc", "unix" }, { "socat", "unix" },
        { "ncat", "tls" }, { "socat", "tls" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task PeerSendsToSockListen(string peer, string transport)
    {
        using var dir = FreePort.TempDir();
        var file = RandomFile(dir);
        var (sockArgs, address, wait) = SockSide(dir, transport);
        await using var receiver = SockCli.Start(["listen", .. sockArgs]);
        var (r, s) = await TransferAsync(receiver, wait, PeerConnect(peer, transport, address, dir), file);
        Assert.Equal(0, r);
        Assert.True(s == 0, $"{peer} exited {s}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task SockConnectSendsToPeer(string peer, string transport)
    {
        using var dir = FreePort.TempDir();
        var file = RandomFile(dir);
        var (_, address, wait) = SockSide(dir, transport);
        await using var receiver = Shell(PeerListen(peer, transport, address, dir));
        var connectArgs = transport switch
        {
            "unix" => $"connect -U {Q(address)}",
            "tls" => $"connect --tls --insecure 127.0.0.1 {address}",
            _ => $"connect 127.0.0.1 {address}",
        };
        var (_, s) = await TransferAsync(receiver, wait, $"{SockExe} {connectArgs}", file);
        Assert.Equal(0, s);
    }

    /// <summary>sock's listen arguments, the address peers use (port or path), and how to wait for the listener.</summary>
    private static (string[] Args, string Address, Func<Task> Wait) SockSide(TempDir dir, string transport)
    {
        if (transport == "unix")
        {
            var path = dir.File("pipe.sock");
            return (["-U", path], path, () => WaitUnixListeningAsync(path));
        }
        var port = FreePort.Tcp();
        string[] args = transport == "tls" ? ["--tls", "127.0.0.1", port.ToString()] : ["127.0.0.1", port.ToString()];
        return (args, port.ToString(), () => WaitBoundAsync(port));
    }

    private static string PeerConnect(string peer, string transport, string address, TempDir dir) => (peer, transport) switch
    {
        ("ncat", "tcp") => $"{Peers.Ncat} 127.0.0.1 {address}",
        ("nc", "tcp") => $"{Peers.Nc} -N 127.0.0.1 {address}",
        ("socat", "tcp") => $"{Peers.Socat} STDIO TCP:127.0.0.1:{address}",
        ("ncat", "unix") => $"{Peers.Ncat} -U {Q(address)}",
        ("nc", "unix") => $"{Peers.Nc} -N -U {Q(address)}",
        ("socat", "unix") => $"{Peers.Socat} STDIO UNIX-CONNECT:{address}",
        ("ncat", "tls") => $"{Peers.Ncat} --ssl 127.0.0.1 {address}",
        ("socat", "tls") => $"{Peers.Socat} STDIO OPENSSL:127.0.0.1:{address},verify=0",
        _ => throw new ArgumentException(peer + " " + transport),
    };

    private static string PeerListen(string peer, string transport, string address, TempDir dir) => (peer, transport) switch
    {
        ("ncat", "tcp") => $"exec {Peers.Ncat} -l 127.0.0.1 {address}",
        ("nc", "tcp") => $"exec {Peers.Nc} -l 127.0.0.1 {address}",
        ("socat", "tcp") => $"exec {Peers.Socat} TCP-LISTEN:{address},bind=127.0.0.1,reuseaddr STDIO",
        ("ncat", "unix") => $"exec {Peers.Ncat} -l -U {Q(address)}",
        ("nc", "unix") => $"exec {Peers.Nc} -l -U {Q(address)}",
        ("socat", "unix") => $"exec {Peers.Socat} UNIX-LISTEN:{address} STDIO",
        ("ncat", "tls") => $"exec {Peers.Ncat} --ssl -l 127.0.0.1 {address}",
        ("socat", "tls") => $"exec {Peers.Socat} OPENSSL-LISTEN:{address},bind=127.0.0.1,reuseaddr,cert={TestCertificate.Write(dir).Combined},verify=0 STDIO",
        _ => throw new ArgumentException(peer + " " + transport),
    };
}
