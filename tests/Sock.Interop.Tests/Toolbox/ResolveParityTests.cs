using System.Net.Sockets;
using System.Text.Json;
using Sock.Interop.Tests.Infrastructure;
using Sock.Net;

namespace Sock.Interop.Tests.Toolbox;

/// <summary>getaddrinfo: the library and `sock resolve` against Python's socket.getaddrinfo, case by case.</summary>
public class ResolveParityTests
{
    private const int AF_INET = 2, AF_INET6 = 10;
    private const int STREAM = 1, DGRAM = 2, RAW = 3;
    private const int PASSIVE = 1, CANON = 2, NUMERICHOST = 4, NUMERICSERV = 0x400;

    public sealed record Lookup(string? Host, string? Port, int Family, int Type, int Flags);

    private static readonly Lookup[] Cases =
    [
        new("localhost", "80", 0, 0, 0),
        new("localhost", null, 0, 0, 0),
        new("127.0.0.1", "22", 0, STREAM, 0),
        new("127.0.0.1", "22", 0, DGRAM, 0),
        new("127.0.0.1", "22", 0, RAW, 0),
        new("::1", "443", 0, 0, 0),
        new("::1", "443", AF_INET, 0, 0),
        new("127.0.0.1", "80", AF_INET6, 0, 0),
        new("localhost", "ssh", 0, STREAM, CANON),
        new("localhost", "80", 0, 0, CANON),
        new("127.0.0.1", "80", 0, STREAM, CANON),
        new("localhost", "domain", 0, DGRAM, 0),
        new("localhost", "http", 0, STREAM, NUMERICSERV),
        new("localhost", "nosuchservice", 0, 0, 0),
        new("localhost", "tftp", 0, STREAM, 0),
        new(null, "80", 0, 0, PASSIVE),
        new(null, "8080", AF_INET6, STREAM, PASSIVE),
        new(null, "80", 0, 0, 0),
        new(null, null, 0, 0, 0),
        new(null, null, 0, 0, PASSIVE),
        new("localhost", "80", 0, 0, NUMERICHOST),
        new("127.0.0.1", "80", 0, 0, NUMERICHOST),
        new("127.1", "80", AF_INET, STREAM, NUMERICHOST),
        new("0x7f.1", "80", AF_INET, STREAM, 0),
        new("0177.0.0.1", "80", 0, STREAM, 0),
        new("1", "80", 0, STREAM, 0),
        new("::ffff:1.2.3.4", "80", AF_INET6, STREAM, 0),
        new("1.2.3.4.5", "80", 0, 0, NUMERICHOST),
        new("nosuch.invalid", "80", 0, 0, 0),
        new("localhost", "80", AF_INET6, 0, 0),
        new("localhost", "99999", 0, STREAM, 0),
        new("", "80", 0, STREAM, 0),
        new("runsc", "0", AF_INET, STREAM, 0),
        new("a..b", "80", 0, STREAM, 0),
        new(new string('x', 64) + ".com", "80", 0, STREAM, 0),
        new("x." + new string('x', 64), "80", 0, STREAM, 0),
        new("b\u00fccher.invalid", "80", 0, STREAM, 0),
        new("localhost.", "80", 0, STREAM, 0),
        new("fe80::1%lo", "80", 0, STREAM, 0),
    ];

    private const string Python = """
        for c in cases:
            try:
                res = socket.getaddrinfo(c['Host'], c['Port'], c['Family'], c['Type'], 0, c['Flags'])
                out.append(["%s %s %d %s %s %d" % (fam(f), kind(t), p, cn, sa[0], sa[1]) for f, t, p, cn, sa in res])
            except Exception as e:
                out.append(err(e))
        """;

    private static List<string> Ours(Lookup c) => PythonSocket.Capture(() =>
        Resolver.GetAddrInfo(c.Host, c.Port, Family(c.Family), (SocketType)c.Type, 0, (AddrInfoHints)c.Flags)
            .Select(a => $"{SocketNames.Family(a.Family)} {SocketNames.Type(a.Type)} {a.Protocol} {a.CanonName} {a.Address} {a.Port}")
            .ToList());

    private static AddressFamily Family(int af) => af switch
    {
        AF_INET => AddressFamily.InterNetwork,
        AF_INET6 => AddressFamily.InterNetworkV6,
        _ => AddressFamily.Unspecified,
    };

    [Fact]
    public async Task LibraryMatchesPythonOnEveryCase()
    {
        var python = await PythonSocket.RunAsync(Python, Cases);
        PythonSocket.AssertSame(Cases, python, Ours);
    }

    [Theory]
    [InlineData("localhost", "80")]
    [InlineData("127.0.0.1", "ssh", "--type", "stream", "--canonical")]
    [InlineData("::1", "53", "--type", "dgram")]
    [InlineData("*", "8080", "--passive")]
    [InlineData("*", "8080", "--passive", "-6", "--type", "stream")]
    [InlineData("localhost", "http", "-4")]
    public async Task CliJsonMatchesPython(string host, string port, params string[] flags)
    {
        var (code, stdout, stderr) = await SockCli.RunAsync(["resolve", host, port, "--json", .. flags]);
        Assert.True(code == 0, stderr);
        var c = new Lookup(host == "*" ? null : host, port,
            flags.Contains("-4") ? AF_INET : flags.Contains("-6") ? AF_INET6 : 0,
            flags.Contains("stream") ? STREAM : flags.Contains("dgram") ? DGRAM : 0,
            (flags.Contains("--passive") ? PASSIVE : 0) | (flags.Contains("--canonical") ? CANON : 0));
        var python = await PythonSocket.RunAsync(Python, new[] { c });
        var ours = JsonDocument.Parse(stdout).RootElement.EnumerateArray()
            .Select(e => $"{e.GetProperty("family").GetString()} {e.GetProperty("type").GetString()} {e.GetProperty("proto").GetInt32()} {e.GetProperty("canonname").GetString()} {e.GetProperty("address").GetString()} {e.GetProperty("port").GetInt32()}")
            .ToList();
        Assert.Equal(python[0], ours);
    }

    [Fact]
    public async Task JsonShapeHasExactlyTheDocumentedKeys()
    {
        var (code, stdout, _) = await SockCli.RunAsync("resolve", "127.0.0.1", "80", "--type", "stream", "--json");
        Assert.Equal(0, code);
        var entry = JsonDocument.Parse(stdout).RootElement.EnumerateArray().Single();
        Assert.Equal(["family", "type", "proto", "canonname", "address", "port"], entry.EnumerateObject().Select(p => p.Name));
        Assert.Equal("inet", entry.GetProperty("family").GetString());
        Assert.Equal(6, entry.GetProperty("proto").GetInt32());
    }

    [Fact]
    public async Task UnknownHostIsOneLineNamingHostAndEaiCode()
    {
        var (code, stdout, stderr) = await SockCli.RunAsync("resolve", "nosuch.invalid", "80");
        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        Assert.Equal("sock: resolve nosuch.invalid 80: name or service not known (EAI_NONAME)\n", stderr);
    }

    [Fact]
    public async Task UnknownServiceAndNumericHostErrorsInJson()
    {
        var (code, stdout, _) = await SockCli.RunAsync("resolve", "localhost", "nosuchservice", "--json");
        Assert.Equal(1, code);
        Assert.Contains("EAI_SERVICE", JsonDocument.Parse(stdout).RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);

        (code, stdout, _) = await SockCli.RunAsync("resolve", "localhost", "80", "--numeric", "--json");
        Assert.Equal(1, code);
        Assert.Equal("resolve localhost 80: name or service not known (EAI_NONAME)", JsonDocument.Parse(stdout).RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public async Task BadUsageExits2()
    {
        var (code, _, stderr) = await SockCli.RunAsync("resolve", "localhost", "80", "-4", "-6");
        Assert.Equal(2, code);
        Assert.StartsWith("sock: resolve: -4 and -6", stderr, StringComparison.Ordinal);
        (code, _, _) = await SockCli.RunAsync("resolve", "localhost", "--type", "bogus");
        Assert.Equal(2, code);
    }
}
