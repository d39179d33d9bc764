using System.Text.Json;
using Sock.Interop.Tests.Infrastructure;
using Sock.Net;

namespace Sock.Interop.Tests.Toolbox;

/// <summary>getnameinfo with every NI_* flag against Python's socket.getnameinfo.</summary>
public class NameInfoParityTests
{
    private const int NUMERICHOST = 1, NUMERICSERV = 2, NOFQDN = 4, NAMEREQD = 8, DGRAM = 16;

    public sealed record Query(string Address, int Port, int Flags);

    private static readonly Query[] Cases =
    [
        new("127.0.0.1", 22, 0),
        new("127.0.0.1", 22, NUMERICHOST),
        new("127.0.0.1", 22, NUMERICSERV),
        new("127.0.0.1", 22, NUMERICHOST | NUMERICSERV),
        new("127.0.0.1", 53, DGRAM),
        new("127.0.0.1", 69, DGRAM),
        new("127.0.0.1", 69, 0),
        new("127.0.0.1", 80, NOFQDN),
        new("127.0.0.1", 80, NAMEREQD),
        new("127.0.0.1", 12345, 0),
        new("127.0.0.1", 0, 0),
        new("::1", 80, 0),
        new("::1", 80, NAMEREQD),
        new("::1", 443, NUMERICHOST),
        new("::ffff:127.0.0.1", 22, 0),
        new("10.1.1.1", 80, NAMEREQD),
        new("192.0.2.7", 25, 0),
        new("localhost", 22, 0),
        new("1.2.3", 22, NUMERICHOST),
        new("nosuch.invalid", 22, 0),
        new("127.0.0.1", 70000, 0),
        new("fe80::1%lo", 80, NUMERICHOST),
        new("fe80::1%lo", 80, 0),
    ];

    [Fact]
    public async Task LibraryMatchesPythonOnEveryCase()
    {
        var python = await PythonSocket.RunAsync("""
            for c in cases:
                try:
                    h, s = socket.getnameinfo((c['Address'], c['Port']), c['Flags'])
                    out.append([h, s])
                except Exception as e:
                    out.append(err(e))
            """, Cases);
        PythonSocket.AssertSame(Cases, python, c => PythonSocket.Capture(() =>
        {
            var info = Resolver.GetNameInfo(c.Address, c.Port, (NameInfoOptions)c.Flags);
            return [info.Host, info.Service];
        }));
    }

    [Theory]
    [InlineData("127.0.0.1", 22, 0)]
    [InlineData("::1", 53, DGRAM, "--dgram")]
    [InlineData("127.0.0.1", 80, NUMERICHOST | NUMERICSERV, "--numeric-host", "--numeric-serv")]
    [InlineData("127.0.0.1", 80, NOFQDN, "--no-fqdn")]
    public async Task CliJsonMatchesPython(string address, int port, int flags, params string[] options)
    {
        var (code, stdout, stderr) = await SockCli.RunAsync(["nameinfo", address, port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--json", .. options]);
        Assert.True(code == 0, stderr);
        var doc = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(["host", "service"], doc.EnumerateObject().Select(p => p.Name));
        var python = await PythonSocket.EvalAsync($"socket.getnameinfo(({JsonSerializer.Serialize(address)}, {port}), {flags})");
        Assert.Equal(python[0].GetString(), doc.GetProperty("host").GetString());
        Assert.Equal(python[1].GetString(), doc.GetProperty("service").GetString());
    }

    [Fact]
    public async Task NameRequiredFailureAndBadPort()
    {
        var (code, _, stderr) = await SockCli.RunAsync("nameinfo", "::1", "80", "--name-required");
        Assert.Equal(1, code);
        Assert.Equal("sock: nameinfo ::1 80: name or service not known (EAI_NONAME)\n", stderr);

        (code, _, stderr) = await SockCli.RunAsync("nameinfo", "127.0.0.1", "70000");
        Assert.Equal(2, code);
        Assert.Contains("out of range", stderr, StringComparison.Ordinal);

        (code, _, _) = await SockCli.RunAsync("nameinfo", "127.0.0.1", "http");
        Assert.Equal(2, code);
    }
}
