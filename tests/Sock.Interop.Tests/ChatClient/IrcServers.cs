using System.Security.Cryptography.X509Certificates;
using Sock.Interop.Tests.Infrastructure;
using Sock.Tls;

namespace Sock.Interop.Tests.ChatClient;

/// <summary>
/// A real IRC server on a free loopback port, started for one test and stopped (by PID) after.
/// Tests take the kind as a theory parameter, so <c>sock chat serve</c> can be added as one
/// more kind once it exists.
/// </summary>
public abstract class IrcServer : IAsyncDisposable
{
    protected TempDir Dir { get; } = new();
    private RunningProcess? _process;

    public int Port { get; } = FreePort.Tcp();
    /// <summary>The TLS port, when the server was started with TLS.</summary>
    public int TlsPort { get; protected set; }
    public abstract string Kind { get; }
    public string Address => $"127.0.0.1:{Port}";

    public static async Task<IrcServer> StartAsync(string kind, bool tls = false)
    {
        IrcServer server = kind switch
        {
            "ngircd" => new NgircdServer(tls),
            "inspircd" => new InspircdServer(),
            "sock" => new SockChatServer(),
            _ => throw new ArgumentException("unknown IRC server kind " + kind),
        };
        await server.StartAsync();
        return server;
    }

    protected abstract (string Program, string[] Args) Command();

    public async Task StartAsync()
    {
        var (program, args) = Command();
        _process = RunningProcess.Start(program, args, Dir.Path);
        try
        {
            await FreePort.WaitListeningAsync(Port, TimeSpan.FromSeconds(15));
            if (TlsPort != 0) await FreePort.WaitListeningAsync(TlsPort, TimeSpan.FromSeconds(15));
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or TimeoutException)
        {
            throw new InvalidOperationException($"{Kind} did not start: {_process.Stdout} {_process.Stderr}", e);
        }
    }

    /// <summary>Stops the server (the clients see the connection drop).</summary>
    public async Task StopAsync()
    {
        if (_process is null) return;
        _process.Signal(9);
        await _process.WaitForExitAsync(TimeSpan.FromSeconds(10));
        await _process.DisposeAsync();
        _process = null;
    }

    /// <summary>World-readable: ngIRCd drops root to nobody before it reads some of its files.</summary>
    protected string WriteFile(string name, string text)
    {
        var path = Dir.File(name);
        File.WriteAllText(path, text);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            File.SetUnixFileMode(Dir.Path, (UnixFileMode)0b111_101_101);
        }
        return path;
    }

    /// <summary>A new self-signed certificate as PEM files; returns its SHA-256 fingerprint.</summary>
    public string WriteCertificate(string certName = "cert.pem", string keyName = "key.pem")
    {
        using var cert = TlsCertificates.CreateSelfSigned("localhost");
        WriteFile(certName, cert.ExportCertificatePem());
        using var key = cert.GetECDsaPrivateKey()!;
        WriteFile(keyName, key.ExportPkcs8PrivateKeyPem());
        return TlsCertificates.Fingerprint(cert);
    }

    public virtual async ValueTask DisposeAsync()
    {
        await StopAsync();
        Dir.Dispose();
        GC.SuppressFinalize(this);
    }
}

public sealed class NgircdServer : IrcServer
{
    private readonly bool _tls;

    public NgircdServer(bool tls)
    {
        _tls = tls;
        if (tls) TlsPort = FreePort.Tcp();
    }

    public override string Kind => "ngircd";

    /// <summary>ffdhe2048 from RFC 7919 (`openssl genpkey -genparam -algorithm DH -pkeyopt dh_param:ffdhe2048`).</summary>
    private const string Ffdhe2048 = """
        -----BEGIN DH PARAMETERS-----
        MIIBCAKCAQEA//////////+t+FRYortKmq/cViAnPTzx2LnFg84tNpWp4TZBFGQz
        +8yTnc4kmz75fS/jY2MMddj2gbICrsRhetPfHtXV/WVhJDP1H18GbtCFY2VVPe0a
        87VXE15/V8k1mE8McODmi3fipona8+/och3xWKE2rec1MKzKT0g6eXq8CrGCsyT7
        YdEIqUuyyOP7uWrat2DX9GgdT0Kj3jlN9K5W7edjcrsZCwenyO4KbXCeAvzhzffi
        7MA0BM0oNC9hkXL+nOmFg/+OTxIy7vKBg8P+OxtMb61zO7X8vC7CIAXFjvGDfRaD
        ssbzSibBsu/6iGtCOGEoXJf//////////wIBAg==
        -----END DH PARAMETERS-----

        """;

    /// <summary>The fingerprint of the certificate the next start uses (a new one each call of <see cref="NewCertificate"/>).</summary>
    public string? Fingerprint { get; private set; }

    public void NewCertificate() => Fingerprint = WriteCertificate();

    protected override (string, string[]) Command()
    {
        var program = Peers.Require("ngircd", "ngircd");
        if (_tls && Fingerprint is null) NewCertificate();
        // Without a DHFile ngIRCd generates 2048-bit DH parameters at every start, which took longer than
        // the 15 s start-up wait on a loaded CI machine; the standard RFC 7919 group is instant.
        var ssl = _tls
            ? $"[SSL]\nCertFile = {Dir.File("cert.pem")}\nKeyFile = {Dir.File("key.pem")}\nDHFile = {WriteFile("dh.pem", Ffdhe2048)}\nPorts = {TlsPort}\n"
            : "";
        var motd = WriteFile("motd", "sock test server\n");
        var config = WriteFile("ngircd.conf", $"""
            [Global]
            Name = irc.test
            Info = sock test
            Listen = 127.0.0.1
            Ports = {Port}
            MotdFile = {motd}
            [Limits]
            MaxNickLength = 30
            [Options]
            PAM = no
            DNS = no
            Ident = no
            RequireAuthPing = no
            {ssl}
            """);
        return (program, ["--nodaemon", "--config", config]);
    }
}

public sealed class InspircdServer : IrcServer
{
    public override string Kind => "inspircd";

    protected override (string, string[]) Command()
    {
        var program = Peers.Require("inspircd", "inspircd");
        var config = WriteFile("inspircd.conf", $"""
            <config format="xml">
            <server name="insp.test" description="sock test" network="Test">
            <admin name="t" nick="t" email="t@t">
            <bind address="127.0.0.1" port="{Port}" type="clients">
            <connect allow="*" timeout="60" pingfreq="120" fakelag="no" threshold="1000000" commandrate="1000000" hardsendq="10M" softsendq="1M" recvq="1M" localmax="1000" globalmax="1000" resolvehostnames="no" usednsbl="no" useident="no">
            <pid file="{Dir.File("inspircd.pid")}">
            <log method="file" type="* -USERINPUT -USEROUTPUT" level="default" target="{Dir.File("inspircd.log")}">
            <options>
            <performance softlimit="1000" somaxconn="128">
            <limits maxnick="30" maxchan="64" maxline="512">
            <module name="cap">
            <module name="ircv3">
            <module name="ircv3_servertime">
            <module name="ircv3_echomessage">
            """);
        return (program, ["--runasroot", "--nofork", "--config", config]);
    }
}

/// <summary>Our own <c>sock chat serve</c>, so the client is tested against it like any IRC server.</summary>
public sealed class SockChatServer : IrcServer
{
    public override string Kind => "sock";

    protected override (string, string[]) Command() =>
        (SockCli.Path, ["chat", "serve", "--bind", "127.0.0.1", "--port", Port.ToString(), "--name", "sock.test"]);
}
