using Sock.Interop.Tests.Infrastructure;
using static Sock.Interop.Tests.Pipes.PipeTestKit;

namespace Sock.Interop.Tests.Pipes;

/// <summary>UDP datagrams both ways between `sock` and ncat, nc and socat, with sock in either role.</summary>
public class UdpInteropTests
{
    [Theory]
    [InlineData("ncat")]
    [InlineData("nc")]
    [InlineData("socat")]
    public async Task SockConnectToPeerListen(string peer)
    {
        var port = FreePort.Udp();
        await using var server = peer switch
        {
            "ncat" => RunningProcess.Start(Peers.Ncat, ["-u", "-l", "127.0.0.1", port.ToString()]),
            "nc" => RunningProcess.Start(Peers.Nc, ["-u", "-l", "127.0.0.1", port.ToString()]),
            _ => RunningProcess.Start(Peers.Socat, [$"UDP-LISTEN:{port},bind=127.0.0.1", "STDIO"]),
        };
        await WaitBoundAsync(port, udp: true);
        await using var sock = SockCli.Start("connect", "-u", "127.0.0.1", port.ToString());
        await sock.WriteAsync("ping 你好\n");
        await server.WaitForStdoutAsync("ping 你好\n", Short);
        await server.WriteAsync("pong\n");
        await sock.WaitForStdoutAsync("pong\n", Short);
    }

    [Theory]
    [InlineData("ncat")]
    [InlineData("nc")]
    [InlineData("socat")]
    public async Task PeerConnectToSockListen(string peer)
    {
        var port = FreePort.Udp();
        await using var sock = SockCli.Start("listen", "-u", "127.0.0.1", port.ToString());
        await WaitBoundAsync(port, udp: true);
        await using var client = peer switch
        {
            "ncat" => RunningProcess.Start(Peers.Ncat, ["-u", "127.0.0.1", port.ToString()]),
            "nc" => RunningProcess.Start(Peers.Nc, ["-u", "127.0.0.1", port.ToString()]),
            _ => RunningProcess.Start(Peers.Socat, ["STDIO", $"UDP:127.0.0.1:{port}"]),
        };
        await client.WriteAsync("ping 你好\n");
        await sock.WaitForStdoutAsync("ping 你好\n", Short);
        await sock.WriteAsync("pong\n"); // goes back to the last sender
        await client.WaitForStdoutAsync("pong\n", Short);
    }
}
