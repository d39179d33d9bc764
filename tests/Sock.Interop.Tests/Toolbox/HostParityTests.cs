using System.Text.Json;
using Sock.Interop.Tests.Infrastructure;
using Sock.Net;

namespace Sock.Interop.Tests.Toolbox;

/// <summary>gethostbyname_ex, gethostbyname, gethostbyaddr, gethostname, getfqdn, has_ipv6 against Python.</summary>
public class HostParityTests
{
    private static readonly string[] Names =
        ["localhost", "127.0.0.1", "127.1", "runsc", "vm", "nosuch.invalid", "::1", "", "<broadcast>", "1.2.3.4.5", "LOCALHOST", "a..b", "b\u00fccher.invalid"];

    private static readonly string[] Addresses =
        ["127.0.0.1", "::1", "localhost", "10.255.255.1", "192.0.2.7", "nosuch.invalid", "1.2.3.4.5", "127.1", "::ffff:127.0.0.1", "a..b", "fe80::1%lo"];

    private static List<string> Render(HostEntry e) => [e.Name, string.Join(",", e.Aliases), string.Join(",", e.Addresses)];

    [Fact]
    public async Task GetHostByNameExMatchesPython()
    {
        var python = await PythonSocket.RunAsync("""
            for c in cases:
                try:
                    n, a, ips = socket.gethostbyname_ex(c)
                    out.append([n, ",".join(a), ",".join(ips)])
                except Exception as e:
                    out.append(err(e))
            """, Names);
        PythonSocket.AssertSame(Names, python, n => PythonSocket.Capture(() => Render(Resolver.GetHostByName(n))));
    }

    [Fact]
    public async Task GetHostByNameMatchesPython()
    {
        var python = await PythonSocket.RunAsync("""
            for c in cases:
                try:
                    out.append([socket.gethostbyname(c)])
                except Exception as e:
                    out.append(err(e))
            """, Names);
        PythonSocket.AssertSame(Names, python, n => PythonSocket.Capture(() => [Resolver.GetHostAddress(n)]));
    }

    [Fact]
    public async Task GetHostByAddrMatchesPython()
    {
        var python = await PythonSocket.RunAsync("""
            for c in cases:
                try:
                    n, a, ips = socket.gethostbyaddr(c)
                    out.append([n, ",".join(a), ",".join(ips)])
                except Exception as e:
                    out.append(err(e))
            """, Addresses);
        PythonSocket.AssertSame(Addresses, python, a => PythonSocket.Capture(() => Render(Resolver.GetHostByAddr(a))));
    }

    [Fact]
    public async Task HostNameFqdnAndIpv6MatchPython()
    {
        var python = await PythonSocket.EvalAsync("[socket.gethostname(), socket.getfqdn(), socket.getfqdn('localhost'), socket.getfqdn('127.0.0.1'), socket.getfqdn('nosuch.invalid'), socket.has_ipv6]");
        Assert.Equal(python[0].GetString(), Resolver.GetHostName());
        Assert.Equal(python[1].GetString(), Resolver.GetFqdn());
        Assert.Equal(python[2].GetString(), Resolver.GetFqdn("localhost"));
        Assert.Equal(python[3].GetString(), Resolver.GetFqdn("127.0.0.1"));
        Assert.Equal(python[4].GetString(), Resolver.GetFqdn("nosuch.invalid"));
        Assert.Equal(python[5].GetBoolean(), Resolver.HasIPv6());
    }

    [Fact]
    public async Task CliInfoMatchesPython()
    {
        var (code, stdout, stderr) = await SockCli.RunAsync("info", "--json");
        Assert.True(code == 0, stderr);
        var info = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(["hostname", "fqdn", "has_ipv6", "addresses"], info.EnumerateObject().Select(p => p.Name));
        var python = await PythonSocket.EvalAsync("[socket.gethostname(), socket.getfqdn(), socket.has_ipv6, socket.gethostbyname_ex(socket.gethostname())[2]]");
        Assert.Equal(python[0].GetString(), info.GetProperty("hostname").GetString());
        Assert.Equal(python[1].GetString(), info.GetProperty("fqdn").GetString());
        Assert.Equal(python[2].GetBoolean(), info.GetProperty("has_ipv6").GetBoolean());
        Assert.Equal(python[3].EnumerateArray().Select(e => e.GetString()), info.GetProperty("addresses").EnumerateArray().Select(e => e.GetString()));
    }

    [Theory]
    [InlineData("host", "localhost")]
    [InlineData("host", "127.0.0.1")]
    [InlineData("reverse", "127.0.0.1")]
    [InlineData("reverse", "localhost")]
    public async Task CliHostAndReverseMatchPython(string command, string input)
    {
        var (code, stdout, stderr) = await SockCli.RunAsync(command, input, "--json");
        Assert.True(code == 0, stderr);
        var doc = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(["name", "aliases", "addresses"], doc.EnumerateObject().Select(p => p.Name));
        var fn = command == "host" ? "gethostbyname_ex" : "gethostbyaddr";
        var python = await PythonSocket.EvalAsync($"socket.{fn}({JsonSerializer.Serialize(input)})");
        Assert.Equal(python[0].GetString(), doc.GetProperty("name").GetString());
        Assert.Equal(python[1].EnumerateArray().Select(e => e.GetString()), doc.GetProperty("aliases").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(python[2].EnumerateArray().Select(e => e.GetString()), doc.GetProperty("addresses").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task CliErrorsNameInputAndResolverCode()
    {
        var (code, stdout, stderr) = await SockCli.RunAsync("host", "nosuch.invalid");
        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        Assert.Equal("sock: host nosuch.invalid: name or service not known (EAI_NONAME)\n", stderr);

        (code, stdout, _) = await SockCli.RunAsync("reverse", "192.0.2.7", "--json");
        Assert.Equal(1, code);
        Assert.Equal("reverse 192.0.2.7: unknown host (HOST_NOT_FOUND)", JsonDocument.Parse(stdout).RootElement.GetProperty("error").GetString());

        (code, _, stderr) = await SockCli.RunAsync("host", "b\u00fccher.invalid");
        Assert.Equal(1, code);
        Assert.Equal("sock: host b\u00fccher.invalid: name or service not known (EAI_NONAME)\n", stderr);

        (code, _, stderr) = await SockCli.RunAsync("host", "a..b");
        Assert.Equal(2, code);
        Assert.Equal("sock: host a..b: label empty or too long\n", stderr);

        (code, _, stderr) = await SockCli.RunAsync("host", "::1");
        Assert.Equal(1, code);
        Assert.Contains("(EAI_ADDRFAMILY)", stderr, StringComparison.Ordinal);
    }
}
