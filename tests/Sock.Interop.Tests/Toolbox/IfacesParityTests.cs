using System.Text.Json;
using Sock.Interop.Tests.Infrastructure;

namespace Sock.Interop.Tests.Toolbox;

/// <summary>`sock ifaces` against Python's socket.if_nameindex and the kernel's own view of loopback.</summary>
public class IfacesParityTests
{
    [Fact]
    public async Task IndexOrderAndNamesMatchPython()
    {
        var (code, stdout, stderr) = await SockCli.RunAsync("ifaces", "--json");
        Assert.True(code == 0, stderr);
        var ours = JsonDocument.Parse(stdout).RootElement.EnumerateArray().ToList();
        var python = await PythonSocket.EvalAsync("[[i, n] for i, n in socket.if_nameindex()]");
        Assert.Equal(
            python.EnumerateArray().Select(p => $"{p[0].GetInt32()} {p[1].GetString()}"),
            ours.Select(o => $"{o.GetProperty("index").GetInt32()} {o.GetProperty("name").GetString()}"));
        Assert.All(ours, o => Assert.Equal(["index", "name", "up", "mtu", "addresses"], o.EnumerateObject().Select(p => p.Name)));
    }

    [Fact]
    public async Task LoopbackIsUpWithItsAddressesAndMtu()
    {
        var (_, stdout, _) = await SockCli.RunAsync("ifaces", "--json");
        var lo = JsonDocument.Parse(stdout).RootElement.EnumerateArray().Single(o => o.GetProperty("name").GetString() == "lo");
        Assert.True(lo.GetProperty("up").GetBoolean());
        Assert.Equal(int.Parse(File.ReadAllText("/sys/class/net/lo/mtu").Trim(), System.Globalization.CultureInfo.InvariantCulture), lo.GetProperty("mtu").GetInt32());
        var addresses = lo.GetProperty("addresses").EnumerateArray().Select(a => a.GetString()).ToList();
        Assert.Contains("127.0.0.1/8", addresses);
        // ::1 exists exactly when Python can bind it.
        var python = await PythonSocket.EvalAsync("(lambda s: (s.bind(('::1', 0)), True)[1])(socket.socket(socket.AF_INET6))");
        Assert.Equal(python.GetBoolean(), addresses.Contains("::1/128"));
    }

    [Fact]
    public async Task HumanTableHasOneRowPerInterface()
    {
        var (code, stdout, _) = await SockCli.RunAsync("ifaces");
        Assert.Equal(0, code);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("INDEX  NAME", lines[0], StringComparison.Ordinal);
        var python = await PythonSocket.EvalAsync("len(socket.if_nameindex())");
        Assert.Equal(python.GetInt32() + 1, lines.Length);
        Assert.DoesNotContain('\e', stdout);
    }
}
