using System.Text.Json;
using Sock.Interop.Tests.Infrastructure;
using Sock.Net;

namespace Sock.Interop.Tests.Toolbox;

/// <summary>getservbyname / getservbyport and the services listing against Python and the services file.</summary>
public class ServiceParityTests
{
    public sealed record ByName(string Name, string? Proto);

    public sealed record ByPort(int Port, string? Proto);

    private static readonly ByName[] Names =
    [
        new("ssh", null), new("ssh", "tcp"), new("ssh", "udp"), new("http", null), new("www", "tcp"),
        new("domain", "udp"), new("domain", "tcp"), new("smtp", null), new("mail", null), new("tftp", "udp"),
        new("tftp", "tcp"), new("ftp", null), new("ftp-data", null), new("telnet", null), new("pop3", null),
        new("mysql", null), new("mongodb", null), new("nosuchservice", null), new("SSH", null), new("ntp", "udp"),
        new("https", null), new("", null),
    ];

    private static readonly ByPort[] Ports =
    [
        new(22, null), new(22, "tcp"), new(22, "udp"), new(53, "udp"), new(80, null), new(69, "udp"), new(69, "tcp"),
        new(20, null), new(21, null), new(23, null), new(25, null), new(110, null), new(3306, null), new(27017, null),
        new(443, "tcp"), new(1, null), new(0, null), new(65535, null), new(65536, null), new(-1, null),
    ];

    [Fact]
    public async Task GetServByNameMatchesPython()
    {
        var python = await PythonSocket.RunAsync("""
            for c in cases:
                try:
                    out.append([str(socket.getservbyname(c['Name'], c['Proto']) if c['Proto'] else socket.getservbyname(c['Name']))])
                except Exception as e:
                    out.append(err(e))
            """, Names);
        PythonSocket.AssertSame(Names, python, c => PythonSocket.Capture(() =>
            [ServicesDatabase.GetByName(c.Name, c.Proto).Port.ToString(System.Globalization.CultureInfo.InvariantCulture)]));
    }

    [Fact]
    public async Task GetServByPortMatchesPython()
    {
        var python = await PythonSocket.RunAsync("""
            for c in cases:
                try:
                    out.append([socket.getservbyport(c['Port'], c['Proto']) if c['Proto'] else socket.getservbyport(c['Port'])])
                except Exception as e:
                    out.append(err(e))
            """, Ports);
        PythonSocket.AssertSame(Ports, python, c => PythonSocket.Capture(() => [ServicesDatabase.GetByPort(c.Port, c.Proto).Name]));
    }

    [Fact]
    public async Task ListingIsTheServicesFileInPortOrder()
    {
        var (code, stdout, stderr) = await SockCli.RunAsync("services", "--json");
        Assert.True(code == 0, stderr);
        var ours = JsonDocument.Parse(stdout).RootElement.EnumerateArray()
            .Where(e => e.GetProperty("in_database").GetBoolean())
            .Select(e => (List<string>)[e.GetProperty("name").GetString()!, e.GetProperty("port").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture),
                e.GetProperty("proto").GetString()!, string.Join(",", e.GetProperty("aliases").EnumerateArray().Select(a => a.GetString()))])
            .ToList();
        // Python has no getservent: the file the C library reads (nsswitch "services: files") is the oracle,
        // and Python's getservbyname must agree that each entry's name maps to a port of that protocol.
        var python = await PythonSocket.RunAsync("""
            rows = []
            try:
                for line in open('/etc/services'):
                    f = line.split('#')[0].split()
                    if len(f) >= 2 and '/' in f[1]:
                        port, proto = f[1].split('/')
                        rows.append([f[0], str(int(port)), proto, ",".join(f[2:])])
            except OSError:
                pass
            rows.sort(key=lambda r: (int(r[1]), r[2]))
            for r in rows:
                socket.getservbyname(r[0], r[2])
            out.extend(rows)
            """, Array.Empty<int>());
        Assert.Equal(python.Count, ours.Count);
        for (var i = 0; i < ours.Count; i++)
            Assert.Equal(python[i], ours[i]);
    }

    [Fact]
    public async Task ArticleTableIsListedAndMarkedEvenWhenTheDatabaseLacksIt()
    {
        var (code, stdout, _) = await SockCli.RunAsync("services", "--well-known", "--json");
        Assert.Equal(0, code);
        var rows = JsonDocument.Parse(stdout).RootElement.EnumerateArray().ToList();
        var ports = rows.Select(r => $"{r.GetProperty("port").GetInt32()}/{r.GetProperty("proto").GetString()}").ToHashSet();
        foreach (var w in WellKnownPorts.Table)
            Assert.Contains($"{w.Port}/{w.Proto}", ports);
        Assert.All(rows, r => Assert.True(r.GetProperty("well_known").GetBoolean()));
        // in_database must say what the C library says.
        foreach (var r in rows)
        {
            var known = ServicesDatabase.TryGetByPort(r.GetProperty("port").GetInt32(), r.GetProperty("proto").GetString()) is not null;
            Assert.Equal(known, r.GetProperty("in_database").GetBoolean());
        }
        var mongo = rows.Single(r => r.GetProperty("port").GetInt32() == 27017);
        Assert.Equal("MongoDB", mongo.GetProperty("label").GetString());
    }

    [Fact]
    public async Task CliServiceJsonShapeAndErrors()
    {
        var (code, stdout, stderr) = await SockCli.RunAsync("service", "ssh", "--json");
        Assert.True(code == 0, stderr);
        var doc = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(["name", "port", "proto", "aliases"], doc.EnumerateObject().Select(p => p.Name));
        Assert.Equal(22, doc.GetProperty("port").GetInt32());
        Assert.Equal("tcp", doc.GetProperty("proto").GetString());

        (code, stdout, _) = await SockCli.RunAsync("service", "53", "--proto", "udp", "--json");
        Assert.Equal(0, code);
        Assert.Equal((await PythonSocket.EvalAsync("socket.getservbyport(53, 'udp')")).GetString(), JsonDocument.Parse(stdout).RootElement.GetProperty("name").GetString());

        (code, stdout, stderr) = await SockCli.RunAsync("service", "nosuchservice");
        Assert.Equal(1, code);
        Assert.Equal("sock: service nosuchservice: service/proto not found\n", stderr);

        (code, _, stderr) = await SockCli.RunAsync("service", "70000");
        Assert.Equal(2, code);
        Assert.Contains("out of range", stderr, StringComparison.Ordinal);

        (code, _, _) = await SockCli.RunAsync("service", "ssh", "--proto", "sctp");
        Assert.Equal(2, code);
    }
}
