using Sock.Interop.Tests.Infrastructure;

namespace Sock.Interop.Tests.ChatClient;

/// <summary>`--tls` against ngIRCd's TLS port: verification, --insecure, and trust-on-first-use pinning.</summary>
public sealed class TlsTests
{
    [Fact]
    public async Task A_self_signed_server_is_refused_then_trusted_on_first_use_and_a_changed_certificate_is_refused_loudly()
    {
        var server = new NgircdServer(tls: true);
        await using var _ = server;
        server.NewCertificate();
        var first = server.Fingerprint!;
        await server.StartAsync();
        using var home = new TempDir();
        var address = $"127.0.0.1:{server.TlsPort}";
        var knownServers = home.File("config/sock/known_servers");

        // No CA vouches for it: refused, with the way forward.
        await using (var refused = ChatProcess.Plain(address, "alice", home, "--tls"))
        {
            Assert.Equal(1, await refused.WaitForExitAsync(ChatProcess.Wait));
            Assert.Contains("certificate not trusted", refused.Stderr);
            Assert.Contains($"its SHA-256 is {first}: use --insecure to trust it on first use", refused.Stderr);
        }
        Assert.False(File.Exists(knownServers));

        // --insecure: trusted on first use and remembered.
        await using (var tofu = ChatProcess.Plain(address, "alice", home, "--tls", "--insecure"))
        {
            await tofu.WaitForStdoutAsync($"trusting {address} on first use: certificate SHA-256 {first}", ChatProcess.Wait);
            await tofu.WaitForStdoutAsync("you joined #lobby", ChatProcess.Wait);
            tofu.CloseStdin();
            Assert.Equal(0, await tofu.WaitForExitAsync(ChatProcess.Wait));
        }
        Assert.Equal($"{address} {first}\n", await File.ReadAllTextAsync(knownServers, TestContext.Current.CancellationToken));

        // Next time the pin alone is enough.
        await using (var pinned = ChatProcess.Plain(address, "alice", home, "--tls"))
        {
            await pinned.WaitForStdoutAsync($"over TLS (certificate SHA-256 {first})", ChatProcess.Wait);
            pinned.CloseStdin();
            Assert.Equal(0, await pinned.WaitForExitAsync(ChatProcess.Wait));
        }

        // The server comes back with another certificate: refused loudly, even with --insecure.
        await server.StopAsync();
        server.NewCertificate();
        await server.StartAsync();
        await using (var changed = ChatProcess.Plain(address, "alice", home, "--tls", "--insecure"))
        {
            Assert.Equal(1, await changed.WaitForExitAsync(ChatProcess.Wait));
            Assert.Contains($"WARNING: the TLS certificate of {address} HAS CHANGED", changed.Stderr);
            Assert.Contains($"was SHA-256 {first}, now {server.Fingerprint}", changed.Stderr);
            Assert.Contains(knownServers, changed.Stderr);
            Assert.DoesNotContain("joined", changed.Stdout);
        }
    }
}
