using Sock.Interop.Tests.Infrastructure;
using static Sock.Interop.Tests.Pipes.PipeTestKit;

namespace Sock.Interop.Tests.Pipes;

/// <summary>--ca, --sni, --alpn and client certificates, with openssl s_server / s_client as the peers and openssl as the CA.</summary>
public class TlsOptionTests
{
    /// <summary>A throwaway CA, a server certificate for localhost and sock.test, and a client certificate for CN=alice.</summary>
    private static async Task<TempDir> PkiAsync()
    {
        var dir = FreePort.TempDir();
        await using var p = Shell($"""
            set -e; cd {Q(dir.Path)}
            o={Peers.Openssl}
            $o req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ca.key -out ca.pem -subj /CN=test-ca -days 2 2>/dev/null
            $o req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout server.key -out server.csr -subj /CN=localhost 2>/dev/null
            printf 'subjectAltName=DNS:localhost,DNS:sock.test\n' > san.ext
            $o x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 -extfile san.ext 2>/dev/null
            $o req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout client.key -out client.csr -subj /CN=alice 2>/dev/null
            $o x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out client.pem -days 2 2>/dev/null
            """);
        Assert.Equal(0, await p.WaitForExitAsync(Long));
        return dir;
    }

    private static async Task<RunningProcess> SServerAsync(TempDir pki, int port, params string[] extra)
    {
        var p = RunningProcess.Start(Peers.Openssl, ["s_server", "-accept", $"127.0.0.1:{port}", "-cert", pki.File("server.pem"), "-key", pki.File("server.key"), "-naccept", "1", .. extra]);
        await WaitBoundAsync(port);
        return p;
    }

    [Fact]
    public async Task CaAndSniDecideTrustAndName()
    {
        using var pki = await PkiAsync();
        var port = FreePort.Tcp();
        await using (var server = await SServerAsync(pki, port, "-www"))
        {
            // s_server -www answers a GET with its status page: the request went through a verified tunnel.
            await using var ok = Shell($"printf 'GET / HTTP/1.0\\r\\n\\r\\n' | {SockExe} connect --tls --ca {Q(pki.File("ca.pem"))} --sni sock.test 127.0.0.1 {port}");
            await ok.WaitForExitAsync(Short);
            Assert.Contains("HTTP/1.0 200 ok", ok.Stdout, StringComparison.Ordinal);
            Assert.DoesNotContain("certificate", ok.Stderr, StringComparison.Ordinal);
        }
        var port2 = FreePort.Tcp();
        await using (var server = await SServerAsync(pki, port2, "-quiet"))
        {
            var untrusted = await SockCli.RunAsync("connect", "--tls", "--sni", "sock.test", "127.0.0.1", port2.ToString());
            Assert.Equal(1, untrusted.Code);
            Assert.Contains("certificate not trusted (unknown issuer or self-signed)", untrusted.Stderr, StringComparison.Ordinal);
        }
        var port3 = FreePort.Tcp();
        await using (var server = await SServerAsync(pki, port3, "-quiet"))
        {
            var wrongName = await SockCli.RunAsync("connect", "--tls", "--ca", pki.File("ca.pem"), "--sni", "other.test", "127.0.0.1", port3.ToString());
            Assert.Equal(1, wrongName.Code);
            Assert.Contains("TLS handshake with other.test: certificate not trusted (name does not match)", wrongName.Stderr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ClientCertificateOnConnect()
    {
        using var pki = await PkiAsync();
        var port = FreePort.Tcp();
        await using var server = await SServerAsync(pki, port, "-Verify", "1", "-CAfile", pki.File("ca.pem"));
        await using var client = Shell($"printf 'hello\\n'; sleep 1 | {SockExe} connect --tls --ca {Q(pki.File("ca.pem"))} --cert {Q(pki.File("client.pem"))} --key {Q(pki.File("client.key"))} localhost {port}");
        await server.WaitForStdoutAsync("CN=alice", Short).ContinueWith(t => t.IsCompletedSuccessfully ? Task.CompletedTask : server.WaitForStdoutAsync("CN = alice", Short)).Unwrap();
        await client.WaitForExitAsync(Short);
    }

    [Fact]
    public async Task VerifyClientOnListenReportsTheSubjectAndRefusesOthers()
    {
        using var pki = await PkiAsync();
        var port = FreePort.Tcp();
        await using var listen = SockCli.Start("listen", "-k", "--tls", "--cert", pki.File("server.pem"), "--key", pki.File("server.key"),
            "--verify-client", pki.File("ca.pem"), "--alpn", "h2,http/1.1", "127.0.0.1", port.ToString());
        await WaitBoundAsync(port);
        await using (var s = RunningProcess.Start(Peers.Openssl, ["s_client", "-connect", $"127.0.0.1:{port}", "-cert", pki.File("client.pem"), "-key", pki.File("client.key"), "-alpn", "h2"]))
        {
            await listen.WaitForStderrAsync("(TLS client CN=alice, SHA-256 ", Short);
            await s.WaitForStdoutAsync("ALPN protocol: h2", Short);
            s.CloseStdin();
            await s.WaitForExitAsync(Short);
        }
        await using (var anonymous = RunningProcess.Start(Peers.Openssl, ["s_client", "-connect", $"127.0.0.1:{port}"]))
        {
            anonymous.CloseStdin();
            await anonymous.WaitForExitAsync(Short);
        }
        await listen.WaitForStderrAsync("TLS handshake failed", Short);
        Assert.False(listen.HasExited);
    }

    [Theory]
    [InlineData("connect", "--sni", "x", "127.0.0.1", "1")]
    [InlineData("connect", "--tls", "--key", "k.pem", "127.0.0.1", "1")]
    [InlineData("listen", "--verify-client", "ca.pem", "1")]
    public async Task UsageErrors(params string[] args) => Assert.Equal(2, (await SockCli.RunAsync(args)).Code);
}
