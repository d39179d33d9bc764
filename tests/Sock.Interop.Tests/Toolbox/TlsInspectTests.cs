using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Sock.Interop.Tests.Chat;
using Sock.Interop.Tests.Infrastructure;

namespace Sock.Interop.Tests.Toolbox;

/// <summary>
/// `sock tls` against `openssl s_server` serving a chain openssl made (root → intermediate → leaf),
/// an expired leaf, a wrong name and a self-signed root; every certificate field compared with
/// `openssl x509` of the same file. STARTTLS against aiosmtpd, and sock's own chat server.
/// </summary>
public partial class TlsInspectTests
{
    private const string MakeCertificates = """
        set -e
        o=openssl
        $o req -x509 -newkey rsa:2048 -nodes -keyout root.key -out root.pem -days 3650 -subj "/O=Sock Test/CN=Sock Test Root" \
          -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
        $o req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout inter.key -out inter.csr -subj "/O=Sock Test/CN=Sock Test Intermediate" 2>/dev/null
        printf 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n' > ca.ext
        $o x509 -req -in inter.csr -CA root.pem -CAkey root.key -CAcreateserial -out inter.pem -days 1825 -sha384 -extfile ca.ext 2>/dev/null
        $o req -new -newkey rsa:2048 -nodes -keyout leaf.key -out leaf.csr -subj "/CN=leaf.test" 2>/dev/null
        printf 'basicConstraints=CA:FALSE\nsubjectAltName=DNS:leaf.test,DNS:www.leaf.test,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' > leaf.ext
        $o x509 -req -in leaf.csr -CA inter.pem -CAkey inter.key -CAcreateserial -out leaf.pem -days 90 -sha256 -extfile leaf.ext 2>/dev/null
        faketime '2020-01-01 00:00:00' $o x509 -req -in leaf.csr -CA inter.pem -CAkey inter.key -CAcreateserial -out expired.pem -days 30 -sha256 -extfile leaf.ext 2>/dev/null
        """;

    private static async Task<TempDir> CertificatesAsync()
    {
        Peers.Require("faketime", "faketime");
        var dir = new TempDir();
        await using var p = RunningProcess.Start("bash", ["-c", MakeCertificates], dir.Path);
        p.CloseStdin();
        Assert.True(await p.WaitForExitAsync(TimeSpan.FromSeconds(60)) == 0, p.Stderr);
        return dir;
    }

    /// <summary>openssl s_server on a free port with the given certificate options; stopped on dispose.</summary>
    private static async Task<(RunningProcess Server, int Port)> ServeAsync(TempDir dir, params string[] options)
    {
        var port = FreePort.Tcp();
        var server = RunningProcess.Start(Peers.Openssl, ["s_server", "-accept", $"127.0.0.1:{port}", "-www", .. options], dir.Path);
        await FreePort.WaitListeningAsync(port, TimeSpan.FromSeconds(20));
        return (server, port);
    }

    private static async Task<(int Code, JsonElement Json, string Stderr)> InspectAsync(params string[] args)
    {
        var (code, stdout, stderr) = await SockCli.RunAsync(["tls", .. args, "--json"]);
        Assert.True(stdout.Length > 0, $"no JSON (exit {code}): {stderr}");
        return (code, JsonDocument.Parse(stdout).RootElement, stderr);
    }

    [Fact]
    public async Task ThreeCertificateChainMatchesOpensslX509FieldByField()
    {
        using var dir = await CertificatesAsync();
        var (server, port) = await ServeAsync(dir, "-cert", "leaf.pem", "-key", "leaf.key", "-cert_chain", "inter.pem", "-alpn", "h2,http/1.1");
        await using var _ = server;
        var (code, report, stderr) = await InspectAsync($"127.0.0.1:{port}", "--sni", "leaf.test", "--ca", dir.File("root.pem"), "--alpn", "h2");
        Assert.True(code == 0, stderr + report);
        Assert.True(report.GetProperty("verified").GetBoolean());
        Assert.Empty(report.GetProperty("problems").EnumerateArray());
        Assert.Equal("leaf.test", report.GetProperty("sni").GetString());
        Assert.Equal("h2", report.GetProperty("alpn").GetString());
        Assert.Equal("TLSv1.3", report.GetProperty("protocol").GetString());
        Assert.Equal(3, report.GetProperty("chain_length").GetInt32());
        var certs = report.GetProperty("certificates").EnumerateArray().ToList();
        Assert.Equal(2, certs.Count); // what the server sent: leaf and intermediate, not the root
        await AssertMatchesOpensslAsync(dir.File("leaf.pem"), certs[0]);
        await AssertMatchesOpensslAsync(dir.File("inter.pem"), certs[1]);
        Assert.Equal(["leaf.test", "www.leaf.test"], certs[0].GetProperty("dns_names").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["127.0.0.1"], certs[0].GetProperty("ip_addresses").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("P-256", certs[1].GetProperty("curve").GetString());

        // The same server, judged by the system's roots: our root is not one of them.
        var (untrustedCode, untrusted, _) = await InspectAsync($"127.0.0.1:{port}", "--sni", "leaf.test");
        Assert.Equal(1, untrustedCode);
        Assert.False(untrusted.GetProperty("verified").GetBoolean());
        Assert.Contains(untrusted.GetProperty("problems").EnumerateArray(), p => p.GetString()!.Contains("chain", StringComparison.Ordinal) || p.GetString()!.Contains("root", StringComparison.Ordinal));

        // A name the certificate does not carry.
        var (wrongCode, wrong, _) = await InspectAsync($"127.0.0.1:{port}", "--sni", "other.test", "--ca", dir.File("root.pem"));
        Assert.Equal(1, wrongCode);
        Assert.Equal(["name mismatch: other.test is not among the certificate's names (leaf.test, www.leaf.test, 127.0.0.1)"],
            wrong.GetProperty("problems").EnumerateArray().Select(p => p.GetString()));

        // The human form names the same things.
        var (_, text, _) = await SockCli.RunAsync("tls", $"127.0.0.1:{port}", "--sni", "leaf.test", "--ca", dir.File("root.pem"));
        Assert.Contains("certificate 1 (intermediate)", text, StringComparison.Ordinal);
        Assert.Contains("verified    yes, for leaf.test (a chain of 3)", text, StringComparison.Ordinal);
        Assert.Contains(certs[0].GetProperty("sha256").GetString()!, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExpiredLeafIsExplained()
    {
        using var dir = await CertificatesAsync();
        var (server, port) = await ServeAsync(dir, "-cert", "expired.pem", "-key", "leaf.key", "-cert_chain", "inter.pem");
        await using var _ = server;
        var (code, report, _) = await InspectAsync($"127.0.0.1:{port}", "--sni", "leaf.test", "--ca", dir.File("root.pem"));
        Assert.Equal(1, code);
        var leaf = report.GetProperty("certificates")[0];
        await AssertMatchesOpensslAsync(dir.File("expired.pem"), leaf);
        Assert.True(leaf.GetProperty("days_left").GetInt32() < -2000);
        var problem = Assert.Single(report.GetProperty("problems").EnumerateArray()).GetString()!;
        Assert.Matches(@"^expired: certificate 0 \(CN=leaf\.test\) expired 2020-0[12]-\d\d \d\d:\d\d:\d\d UTC \(\d+ days ago\)$", problem);
    }

    [Fact]
    public async Task SelfSignedRootAloneIsSelfSigned()
    {
        using var dir = await CertificatesAsync();
        var (server, port) = await ServeAsync(dir, "-cert", "root.pem", "-key", "root.key", "-tls1_2");
        await using var _ = server;
        var (code, report, _) = await InspectAsync($"127.0.0.1:{port}");
        Assert.Equal(1, code);
        Assert.Equal(JsonValueKind.Null, report.GetProperty("sni").ValueKind); // an address is never sent as SNI
        Assert.Equal("TLSv1.2", report.GetProperty("protocol").GetString());
        Assert.False(report.GetProperty("ocsp_stapled").GetBoolean()); // visible in TLS 1.2, and s_server staples nothing here
        var cert = Assert.Single(report.GetProperty("certificates").EnumerateArray());
        Assert.True(cert.GetProperty("self_signed").GetBoolean());
        await AssertMatchesOpensslAsync(dir.File("root.pem"), cert);
        var problems = report.GetProperty("problems").EnumerateArray().Select(p => p.GetString()!).ToList();
        Assert.Contains(problems, p => p.StartsWith("self-signed", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("name mismatch: 127.0.0.1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StartTlsSmtpAgainstAiosmtpd()
    {
        var python = Peers.DebianPython3;
        var (hasModule, _, _) = await Run.Async(python, "-c", "import aiosmtpd");
        if (hasModule != 0)
        {
            const string reason = "python3-aiosmtpd is not installed (./test.sh installs it)";
            if (Peers.InCi) Assert.Fail(reason);
            Assert.Skip(reason);
        }
        using var dir = await CertificatesAsync();
        File.WriteAllText(dir.File("leaf-chain.pem"), File.ReadAllText(dir.File("leaf.pem")) + File.ReadAllText(dir.File("inter.pem")));
        var port = FreePort.Tcp();
        await using var smtp = RunningProcess.Start(python,
            ["-m", "aiosmtpd", "-n", "-l", $"127.0.0.1:{port}", "--tlscert", "leaf-chain.pem", "--tlskey", "leaf.key", "-c", "aiosmtpd.handlers.Sink"], dir.Path);
        await FreePort.WaitListeningAsync(port, TimeSpan.FromSeconds(20));
        var (code, report, stderr) = await InspectAsync($"127.0.0.1:{port}", "--starttls", "smtp", "--sni", "leaf.test", "--ca", dir.File("root.pem"));
        Assert.True(code == 0, stderr + report);
        Assert.Equal("smtp", report.GetProperty("start_tls").GetString());
        Assert.True(report.GetProperty("verified").GetBoolean());
        await AssertMatchesOpensslAsync(dir.File("leaf.pem"), report.GetProperty("certificates")[0]);
    }

    [Fact]
    public async Task ChatServersCertificateAndItsLackOfIrcStartTls()
    {
        await using var server = await ChatServerProcess.StartAsync("--tls");
        var (code, report, stderr) = await InspectAsync($"127.0.0.1:{server.Port}");
        Assert.Equal(1, code); // self-signed, made at start-up
        var cert = Assert.Single(report.GetProperty("certificates").EnumerateArray());
        Assert.Contains(cert.GetProperty("sha256").GetString()!, server.Process.Stderr, StringComparison.Ordinal);
        Assert.True(cert.GetProperty("self_signed").GetBoolean());

        // The chat server takes TLS on its port from the first byte, not by IRC's STARTTLS.
        var (irc, stdout, ircErr) = await SockCli.RunAsync("tls", $"127.0.0.1:{server.Port}", "--starttls", "irc");
        Assert.Equal(1, irc);
        Assert.Equal("", stdout);
        Assert.Matches(@"^sock: starttls irc: the server refused STARTTLS: ':\S+ (421|451) .*'\n$", ircErr);
    }

    [Theory]
    [InlineData("tls", "127.0.0.1:0")]
    [InlineData("tls", "127.0.0.1:http")]
    [InlineData("tls", "[::1")]
    [InlineData("tls", "127.0.0.1:443", "--starttls", "gopher")]
    [InlineData("tls", "127.0.0.1:443", "--timeout", "0")]
    [InlineData("tls", "127.0.0.1:443", "--alpn", ",")]
    public async Task BadArgumentsExit2WithOneLine(params string[] args)
    {
        var (code, stdout, stderr) = await SockCli.RunAsync(args);
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.StartsWith("sock: ", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public async Task RefusedAndNotTlsAreOneLineErrors()
    {
        using var refusing = FreePort.Refusing(out var closed);
        var (code, _, stderr) = await SockCli.RunAsync("tls", $"127.0.0.1:{closed}");
        Assert.Equal(1, code);
        Assert.Equal($"sock: connect 127.0.0.1:{closed}: connection refused (ECONNREFUSED)\n", stderr);

        // A server that answers TLS with clear text.
        var port = FreePort.Tcp();
        await using var plain = RunningProcess.Start(Peers.DebianPython3, ["-c",
            $"import socket; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1',{port})); s.listen(); " +
            "print('ready', flush=True)\nwhile True:\n c,_=s.accept(); c.recv(1024); c.sendall(b'HTTP/1.0 400 Bad Request\\r\\n\\r\\n'); c.close()"]);
        await FreePort.WaitListeningAsync(port, TimeSpan.FromSeconds(20));
        var (notTls, _, notTlsErr) = await SockCli.RunAsync("tls", $"127.0.0.1:{port}");
        Assert.Equal(1, notTls);
        Assert.StartsWith($"sock: tls 127.0.0.1:{port}: handshake failed: ", notTlsErr, StringComparison.Ordinal);
        Assert.Single(notTlsErr.TrimEnd('\n').Split('\n'));
    }

    /// <summary>Every field sock reports for a certificate, against `openssl x509` reading the same file.</summary>
    private static async Task AssertMatchesOpensslAsync(string pem, JsonElement cert)
    {
        var (code, stdout, stderr) = await Run.Async(Peers.Openssl, "x509", "-in", pem, "-noout", "-text", "-fingerprint", "-sha256",
            "-subject", "-issuer", "-serial", "-startdate", "-enddate", "-nameopt", "RFC2253");
        Assert.True(code == 0, stderr);
        string Field(string name) => Regex.Match(stdout, $"^{Regex.Escape(name)}=(.*)$", RegexOptions.Multiline).Groups[1].Value.Trim();
        static string Rfc2253(string dotnet) => dotnet.Replace(", ", ",", StringComparison.Ordinal);
        Assert.Equal(Field("subject"), Rfc2253(cert.GetProperty("subject").GetString()!));
        Assert.Equal(Field("issuer"), Rfc2253(cert.GetProperty("issuer").GetString()!));
        Assert.Equal(Field("serial").TrimStart('0'), cert.GetProperty("serial").GetString()!.TrimStart('0'));
        Assert.Equal(Field("sha256 Fingerprint"), cert.GetProperty("sha256").GetString());
        Assert.Equal(OpensslDate(Field("notBefore")), cert.GetProperty("not_before").GetDateTime().ToUniversalTime());
        Assert.Equal(OpensslDate(Field("notAfter")), cert.GetProperty("not_after").GetDateTime().ToUniversalTime());
        Assert.Equal(Regex.Match(stdout, @"Signature Algorithm: (\S+)").Groups[1].Value, cert.GetProperty("signature_algorithm").GetString());
        Assert.Equal(int.Parse(Regex.Match(stdout, @"Public-Key: \((\d+) bit\)").Groups[1].Value, CultureInfo.InvariantCulture), cert.GetProperty("key_bits").GetInt32());
        var algorithm = Regex.Match(stdout, @"Public Key Algorithm: (\S+)").Groups[1].Value;
        Assert.Equal(algorithm == "rsaEncryption" ? "RSA" : algorithm == "id-ecPublicKey" ? "EC" : algorithm, cert.GetProperty("key_type").GetString());
        var sans = Regex.Match(stdout, @"X509v3 Subject Alternative Name:.*\n\s*(.*)").Groups[1].Value;
        var expected = sans.Length == 0 ? [] : sans.Split(", ").Select(s => s.Replace("DNS:", "", StringComparison.Ordinal).Replace("IP Address:", "", StringComparison.Ordinal)).ToList();
        Assert.Equal(expected, cert.GetProperty("dns_names").EnumerateArray().Concat(cert.GetProperty("ip_addresses").EnumerateArray()).Select(e => e.GetString()));
    }

    private static DateTime OpensslDate(string text) =>
        DateTime.ParseExact(Regex.Replace(text, " +", " "), "MMM d HH:mm:ss yyyy 'GMT'", CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
}
