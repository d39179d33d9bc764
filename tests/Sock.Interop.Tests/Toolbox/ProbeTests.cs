using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Sock.Interop.Tests.Infrastructure;
using Sock.Net;

namespace Sock.Interop.Tests.Toolbox;

/// <summary>`sock probe` against real listeners: Python's connect_ex is the oracle for each port's errno.</summary>
public class ProbeTests
{
    [Fact]
    public async Task OpenAndClosedPortsAgreeWithPythonsConnectErrno()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(16);
        var open = ((IPEndPoint)listener.LocalEndPoint!).Port;
        using var refusing = FreePort.Refusing(out var closed);

        var (code, stdout, stderr) = await SockCli.RunAsync("probe", "127.0.0.1", $"{open}", $"{closed}", "--json");
        Assert.True(code == 0, stderr);
        var rows = JsonDocument.Parse(stdout).RootElement.EnumerateArray().ToList();
        Assert.Equal(2, rows.Count);
        Assert.Equal(["host", "address", "port", "state", "errno", "error", "ms"], rows[0].EnumerateObject().Select(p => p.Name));

        var python = await PythonSocket.EvalAsync($"[(lambda s: s.connect_ex(('127.0.0.1', p)))(socket.socket()) for p in ({open}, {closed})]");
        Assert.Equal(0, python[0].GetInt32());
        Assert.Equal(python[0].GetInt32(), rows[0].GetProperty("errno").GetInt32());
        Assert.Equal("open", rows[0].GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Null, rows[0].GetProperty("error").ValueKind);
        Assert.Equal(python[1].GetInt32(), rows[1].GetProperty("errno").GetInt32());
        Assert.Equal("closed", rows[1].GetProperty("state").GetString());
        Assert.Equal("ECONNREFUSED", rows[1].GetProperty("error").GetString());
        Assert.True(rows[1].GetProperty("ms").GetDouble() >= 0);
    }

    [Fact]
    public async Task AnAddressTcpCannotReachIsUnreachableWithPythonsErrno()
    {
        // TCP cannot connect to a multicast group: the kernel refuses at once (ENETUNREACH) without
        // sending a packet, whatever the machine's routes, so this stays on the machine.
        const string group = "224.0.0.1";
        var (code, stdout, stderr) = await SockCli.RunAsync("probe", group, "9", "--timeout", "2", "--json");
        Assert.Equal(1, code); // nothing open
        var row = JsonDocument.Parse(stdout).RootElement.EnumerateArray().Single();
        var python = await PythonSocket.EvalAsync($"[socket.socket().connect_ex(('{group}', 9))]");
        Assert.Equal(python[0].GetInt32(), row.GetProperty("errno").GetInt32());
        Assert.Equal("unreachable", row.GetProperty("state").GetString());
        Assert.Equal("ENETUNREACH", row.GetProperty("error").GetString());
        Assert.DoesNotContain("Exception", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RangesKeepOrderAndBoundedConcurrencyProbesEveryPort()
    {
        var first = FreePort.Tcp();
        var low = Math.Min(first, 65535 - 40);
        var results = await PortProbe.RunAsync("localhost", PortRanges.Parse([$"{low}-{low + 39}"]),
            new ProbeOptions { Concurrency = 3, Timeout = TimeSpan.FromSeconds(2) }, TestContext.Current.CancellationToken);
        Assert.Equal(Enumerable.Range(low, 40), results.Select(r => r.Port));
        Assert.All(results, r => Assert.Equal("127.0.0.1", r.Address));
        Assert.All(results, r => Assert.Contains(r.State, new[] { PortState.Open, PortState.Closed }));
    }

    [Fact]
    public async Task UdpClosedPortIsReportedFromIcmpAndAnsweringPortIsOpen()
    {
        using var echo = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        echo.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)echo.LocalEndPoint!).Port;
        var answer = Task.Run(async () =>
        {
            var buffer = new byte[64];
            var from = await echo.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), TestContext.Current.CancellationToken);
            await echo.SendToAsync("pong"u8.ToArray(), from.RemoteEndPoint, TestContext.Current.CancellationToken);
        }, TestContext.Current.CancellationToken);
        var closed = FreePort.Udp();
        var (code, stdout, stderr) = await SockCli.RunAsync("probe", "127.0.0.1", $"{port}", $"{closed}", "--udp", "--timeout", "2", "--json");
        Assert.True(code == 0, stderr);
        await answer.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        var rows = JsonDocument.Parse(stdout).RootElement.EnumerateArray().ToList();
        Assert.Equal("open", rows[0].GetProperty("state").GetString());
        Assert.Equal("closed", rows[1].GetProperty("state").GetString());
        Assert.Equal(111, rows[1].GetProperty("errno").GetInt32());
    }

    [Fact]
    public async Task AllClosedExits1AndHumanTableNamesErrno()
    {
        using var refusing = FreePort.Refusing(out var closed);
        var (code, stdout, _) = await SockCli.RunAsync("probe", "127.0.0.1", $"{closed}");
        Assert.Equal(1, code);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Contains("closed", lines[1], StringComparison.Ordinal);
        Assert.Contains("ECONNREFUSED (111)", lines[1], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("probe", "127.0.0.1", "80-70")]
    [InlineData("probe", "127.0.0.1", "0")]
    [InlineData("probe", "127.0.0.1", "70000")]
    [InlineData("probe", "127.0.0.1", "http")]
    [InlineData("probe", "127.0.0.1", "22", "--timeout", "0")]
    [InlineData("probe", "127.0.0.1", "22", "--concurrency", "0")]
    public async Task BadArgumentsExit2WithOneLine(params string[] args)
    {
        var (code, stdout, stderr) = await SockCli.RunAsync(args);
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.StartsWith("sock: probe: ", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public async Task UnknownHostIsResolverError()
    {
        var (code, _, stderr) = await SockCli.RunAsync("probe", "nosuch.invalid", "22");
        Assert.Equal(1, code);
        Assert.Equal("sock: resolve nosuch.invalid: name or service not known (EAI_NONAME)\n", stderr);
    }
}
