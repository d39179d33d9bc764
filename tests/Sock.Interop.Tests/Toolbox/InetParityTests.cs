using System.Net.Sockets;
using System.Text.Json;
using Sock.Interop.Tests.Infrastructure;
using Sock.Net;

namespace Sock.Interop.Tests.Toolbox;

/// <summary>inet_aton / inet_ntoa / inet_pton / inet_ntop against Python, every accepted and rejected form.</summary>
public class InetParityTests
{
    private static readonly string[] AtonForms =
    [
        "127.0.0.1", "127.1", "0x7f.1", "0177.0.0.1", "1", "0", "2130706433", "0x7f000001", "017700000001",
        "127.0.1", "255.255.255.255", "256.1.1.1", "1.2.3.4.5", "", "abc", "127.0.0.1 ", " 127.0.0.1", "127.0.0.1 junk",
        "0x100000000", "4294967295", "4294967296", "1.16777215", "1.16777216", "08.1.1.1", "0x.1", "1..2", "::1", "127.0.0.1.",
    ];

    private static readonly string[] NtoaHex = ["7f000001", "00000000", "ffffffff", "c0a80001", "7f0000", "7f00000102"];

    public sealed record Pton(string Family, string Text);

    private static readonly Pton[] PtonCases =
    [
        new("inet", "127.0.0.1"), new("inet", "127.1"), new("inet", "0x7f.0.0.1"), new("inet", "255.255.255.255"),
        new("inet", "256.0.0.1"), new("inet", "01.2.3.4"), new("inet", ""), new("inet", "::1"),
        new("inet6", "::1"), new("inet6", "::"), new("inet6", "::ffff:1.2.3.4"), new("inet6", "fe80::1"),
        new("inet6", "2001:db8::1:0:0:1"), new("inet6", "2001:DB8:0:0:0:0:0:1"), new("inet6", "1:2:3:4:5:6:7:8"),
        new("inet6", "1:2:3:4:5:6:7:8:9"), new("inet6", ":::"), new("inet6", "127.0.0.1"), new("inet6", "::1.2.3.4"),
        new("inet6", "fe80::1%lo"), new("inet6", "gggg::"),
    ];

    public sealed record Ntop(string Family, string Hex);

    private static readonly Ntop[] NtopCases =
    [
        new("inet", "7f000001"), new("inet", "0a000001"), new("inet", "7f00"),
        new("inet6", "00000000000000000000000000000001"), new("inet6", "00000000000000000000000000000000"),
        new("inet6", "00000000000000000000ffff01020304"), new("inet6", "00000000000000000000000001020304"),
        new("inet6", "20010db8000000000001000000000001"), new("inet6", "fe800000000000000000000000000001"),
        new("inet6", "20010db8000000010000000000000000"), new("inet6", "7f000001"),
    ];

    [Fact]
    public async Task AtonAcceptsAndRejectsExactlyWhatPythonDoes()
    {
        var python = await PythonSocket.RunAsync("""
            for c in cases:
                try:
                    out.append([socket.inet_aton(c).hex()])
                except Exception as e:
                    out.append(err(e))
            """, AtonForms);
        PythonSocket.AssertSame(AtonForms, python, a => PythonSocket.Capture(() => [Hex.Format(Inet.Aton(a))]));
        // The documented forms really are accepted.
        Assert.Equal("7f000001", python[Array.IndexOf(AtonForms, "0x7f.1")][0]);
    }

    [Fact]
    public async Task NtoaMatchesPython()
    {
        var python = await PythonSocket.RunAsync("""
            for c in cases:
                try:
                    out.append([socket.inet_ntoa(bytes.fromhex(c))])
                except Exception as e:
                    out.append(err(e))
            """, NtoaHex);
        PythonSocket.AssertSame(NtoaHex, python, h => PythonSocket.Capture(() => [Inet.Ntoa(Hex.Parse(h))]));
    }

    [Fact]
    public async Task PtonMatchesPython()
    {
        var python = await PythonSocket.RunAsync("""
            for c in cases:
                try:
                    af = socket.AF_INET if c['Family'] == 'inet' else socket.AF_INET6
                    out.append([socket.inet_pton(af, c['Text']).hex()])
                except Exception as e:
                    out.append(err(e))
            """, PtonCases);
        PythonSocket.AssertSame(PtonCases, python, c => PythonSocket.Capture(() => [Hex.Format(Inet.Pton(Inet.ParseFamily(c.Family)!.Value, c.Text))]));
    }

    [Fact]
    public async Task NtopMatchesPython()
    {
        var python = await PythonSocket.RunAsync("""
            for c in cases:
                try:
                    af = socket.AF_INET if c['Family'] == 'inet' else socket.AF_INET6
                    out.append([socket.inet_ntop(af, bytes.fromhex(c['Hex']))])
                except ValueError as e:
                    out.append(["ERR OSError"])
                except Exception as e:
                    out.append(err(e))
            """, NtopCases);
        PythonSocket.AssertSame(NtopCases, python, c => PythonSocket.Capture(() => [Inet.Ntop(Inet.ParseFamily(c.Family)!.Value, Hex.Parse(c.Hex))]));
    }

    [Theory]
    [InlineData("{\"hex\":\"7f000001\"}", "aton", "127.1")]
    [InlineData("{\"hex\":\"7f000001\"}", "aton", "0x7f.1")]
    [InlineData("{\"hex\":\"7f000001\"}", "aton", "0177.0.0.1")]
    [InlineData("{\"hex\":\"00000001\"}", "aton", "1")]
    [InlineData("{\"address\":\"127.0.0.1\"}", "ntoa", "7f000001")]
    [InlineData("{\"hex\":\"00000000000000000000ffff01020304\"}", "pton", "inet6", "::ffff:1.2.3.4")]
    [InlineData("{\"address\":\"::ffff:1.2.3.4\"}", "ntop", "inet6", "00000000000000000000ffff01020304")]
    [InlineData("{\"address\":\"10.0.0.1\"}", "ntop", "inet", "0x0a000001")]
    public async Task CliJsonShapes(string expected, params string[] args)
    {
        var (code, stdout, stderr) = await SockCli.RunAsync(["inet", .. args, "--json"]);
        Assert.True(code == 0, stderr);
        Assert.Equal(expected, JsonSerializer.Serialize(JsonDocument.Parse(stdout).RootElement));
    }

    [Fact]
    public async Task CliBadInput()
    {
        var (code, stdout, stderr) = await SockCli.RunAsync("inet", "aton", "256.1.1.1");
        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        Assert.Equal("sock: inet aton 256.1.1.1: illegal IP address string passed to inet_aton\n", stderr);

        (code, stdout, _) = await SockCli.RunAsync("inet", "pton", "inet", "127.1", "--json");
        Assert.Equal(1, code);
        Assert.Equal("inet pton inet 127.1: illegal IP address string passed to inet_pton", JsonDocument.Parse(stdout).RootElement.GetProperty("error").GetString());

        (code, _, stderr) = await SockCli.RunAsync("inet", "ntop", "inet6", "7f000001");
        Assert.Equal(1, code);
        Assert.Contains("invalid length", stderr, StringComparison.Ordinal);

        (code, _, stderr) = await SockCli.RunAsync("inet", "ntoa", "7g000001");
        Assert.Equal(2, code);
        Assert.Contains("not hex", stderr, StringComparison.Ordinal);

        (code, _, stderr) = await SockCli.RunAsync("inet", "pton", "ipx", "1.2.3.4");
        Assert.Equal(2, code);
        Assert.Contains("unknown address family 'ipx'", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void FamilyNamesParse()
    {
        Assert.Equal(AddressFamily.InterNetwork, Inet.ParseFamily("AF_INET"));
        Assert.Equal(AddressFamily.InterNetworkV6, Inet.ParseFamily("inet6"));
        Assert.Null(Inet.ParseFamily("unix"));
    }
}
