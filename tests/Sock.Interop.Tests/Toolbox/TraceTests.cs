using System.Text.Json;
using System.Text.RegularExpressions;
using Sock.Interop.Tests.Infrastructure;

namespace Sock.Interop.Tests.Toolbox;

/// <summary>
/// `sock trace` across a chain of network namespaces built for the test (source → R1 → R2 →
/// destination, veth pairs, forwarding on inside the routers only), hop for hop against Debian's
/// traceroute and mtr on the same chain. R2 then drops forwarded ICMP echo (an nft rule in its
/// namespace), so only TCP SYN probes get through. Namespaces are removed in every case.
/// </summary>
public partial class TraceTests
{
    private static readonly string[] Route = ["10.77.1.1", "10.77.2.2", "10.77.3.2"];

    [Fact]
    public async Task IcmpUdpAndReportMatchTracerouteAndMtr()
    {
        await using var chain = await NetnsChain.CreateAsync();
        var (code, stdout, stderr) = await chain.InSourceAsync(SockCli.Path, "trace", "-n", "10.77.3.2");
        Assert.True(code == 0, stderr + stdout);
        var traceroute = await chain.InSourceAsync(Peers.Require("traceroute", "traceroute"), "-n", "-I", "10.77.3.2");
        Assert.Equal(Hops(traceroute.Stdout), Hops(stdout));
        Assert.Equal(Route, Hops(stdout));
        Assert.StartsWith("trace to 10.77.3.2 (10.77.3.2), 30 hops max, ICMP echo probes\n", stdout, StringComparison.Ordinal);

        var udp = await chain.InSourceAsync(SockCli.Path, "trace", "-n", "--udp", "10.77.3.2");
        Assert.True(udp.Code == 0, udp.Stderr);
        var tracerouteUdp = await chain.InSourceAsync(Peers.Require("traceroute", "traceroute"), "-n", "10.77.3.2");
        Assert.Equal(Hops(tracerouteUdp.Stdout), Hops(udp.Stdout));

        var mtr = await chain.InSourceAsync(Peers.Require("mtr", "mtr-tiny"), "--report", "-n", "-c", "3", "10.77.3.2");
        Assert.Equal(0, mtr.Code);
        var report = await chain.InSourceAsync(SockCli.Path, "trace", "--report", "-n", "-c", "3", "-i", "0.2", "--json", "10.77.3.2");
        Assert.True(report.Code == 0, report.Stderr);
        using var doc = JsonDocument.Parse(report.Stdout);
        var rows = doc.RootElement.GetProperty("hops").EnumerateArray().ToList();
        Assert.Equal(MtrHops(mtr.Stdout), rows.Select(r => r.GetProperty("address").GetString()!).ToArray());
        Assert.All(rows, r => Assert.Equal(3, r.GetProperty("sent").GetInt32()));
        Assert.Equal(0.0, rows[^1].GetProperty("loss").GetDouble()); // the destination answers every echo
        var text = await chain.InSourceAsync(SockCli.Path, "trace", "--report", "-n", "-c", "2", "-i", "0.2", "10.77.3.2");
        Assert.Contains("Loss%   Snt   Last   Avg  Best  Wrst StDev", text.Stdout, StringComparison.Ordinal);
        Assert.Contains("  3.|-- 10.77.3.2", text.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TcpGetsThroughARouterThatDropsIcmpEcho()
    {
        await using var chain = await NetnsChain.CreateAsync();
        await chain.DropForwardedEchoAtR2Async();
        // ICMP: R2 still answers for itself (TTL 2 expires there), but nothing beyond it.
        var icmp = await chain.InSourceAsync(SockCli.Path, "trace", "-n", "-m", "4", "-w", "0.5", "10.77.3.2");
        Assert.Equal(1, icmp.Code);
        Assert.Equal("sock: trace 10.77.3.2: destination not reached within 4 hops\n", icmp.Stderr);
        Assert.Equal(["10.77.1.1", "10.77.2.2", "*", "*"], Hops(icmp.Stdout));

        var tcp = await chain.InSourceAsync(SockCli.Path, "trace", "-n", "--tcp", "80", "--json", "10.77.3.2");
        Assert.True(tcp.Code == 0, tcp.Stderr);
        using var doc = JsonDocument.Parse(tcp.Stdout);
        Assert.True(doc.RootElement.GetProperty("reached").GetBoolean());
        Assert.Equal("tcp", doc.RootElement.GetProperty("protocol").GetString());
        var ours = doc.RootElement.GetProperty("hops").EnumerateArray()
            .Select(h => h.GetProperty("probes").EnumerateArray().Select(p => p.GetProperty("address").GetString()).FirstOrDefault(a => a is not null) ?? "*").ToArray();
        var traceroute = await chain.InSourceAsync(Peers.Require("traceroute", "traceroute"), "-n", "-T", "-p", "80", "10.77.3.2");
        Assert.Equal(Hops(traceroute.Stdout), ours);
        Assert.Equal(Route, ours);
        var mtr = await chain.InSourceAsync(Peers.Require("mtr", "mtr-tiny"), "--report", "-n", "-c", "2", "--tcp", "-P", "80", "10.77.3.2");
        Assert.Equal(MtrHops(mtr.Stdout), ours);
    }

    [Fact]
    public async Task UnroutableAddressIsOneLineAndExitOne()
    {
        await using var chain = await NetnsChain.CreateAsync();
        // R1 has routes for the chain only, no default: 192.0.2.1 (TEST-NET-1) has no route there.
        var icmp = await chain.InAsync("r1", SockCli.Path, "trace", "-n", "192.0.2.1");
        Assert.Equal(1, icmp.Code);
        Assert.Equal("sock: trace 192.0.2.1: send: network is unreachable (ENETUNREACH)\n", icmp.Stderr);
        var tcp = await chain.InAsync("r1", SockCli.Path, "trace", "-n", "--tcp", "80", "192.0.2.1");
        Assert.Equal(1, tcp.Code);
        Assert.Equal("sock: trace 192.0.2.1: connect: network is unreachable (ENETUNREACH)\n", tcp.Stderr);
        // From the source, R1 says so itself: ICMP network unreachable, shown as traceroute shows it.
        var fromSource = await chain.InSourceAsync(SockCli.Path, "trace", "-n", "-w", "0.5", "192.0.2.1");
        Assert.Equal(1, fromSource.Code);
        Assert.Contains(" 1  10.77.1.1  ", fromSource.Stdout, StringComparison.Ordinal);
        Assert.Contains("!N", fromSource.Stdout, StringComparison.Ordinal);
        Assert.Equal(2, (await SockCli.RunAsync("trace", "--udp", "--tcp", "80", "127.0.0.1")).Code);
        Assert.Equal(2, (await SockCli.RunAsync("trace", "-m", "0", "127.0.0.1")).Code);
    }

    [Fact]
    public async Task WithoutRawSocketsTheErrorSaysWhy()
    {
        var setpriv = Peers.Require("setpriv", "util-linux");
        var (code, _, stderr) = await Run.Async(setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", "--bounding-set=-all",
            SockCli.Path, "trace", "-n", "127.0.0.1");
        if (stderr.Contains("Permission denied", StringComparison.Ordinal) && !stderr.StartsWith("sock:", StringComparison.Ordinal))
            Assert.Skip($"nobody cannot run the test build under {Path.GetDirectoryName(SockCli.Path)}: {stderr.Trim()}");
        Assert.Equal(1, code);
        Assert.StartsWith("sock: trace 127.0.0.1: cannot open a raw ICMP socket (permission denied (EACCES)): ", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Trim().Split('\n'));
    }

    [GeneratedRegex(@"^\s*(\d+)\s+(.*)$")]
    private static partial Regex HopLine();

    [GeneratedRegex(@"\d+\.\d+\.\d+\.\d+")]
    private static partial Regex Address();

    /// <summary>Each hop's first answering address, "*" for none, from traceroute-style lines.</summary>
    private static string[] Hops(string text) => text.Split('\n')
        .Select(l => HopLine().Match(l)).Where(m => m.Success)
        .Select(m => Address().Match(m.Groups[2].Value) is { Success: true } a ? a.Value : "*").ToArray();

    /// <summary>The address column of mtr --report.</summary>
    private static string[] MtrHops(string text) => text.Split('\n')
        .Where(l => l.Contains("|--", StringComparison.Ordinal))
        .Select(l => l.Split("|--")[1].Trim().Split(' ')[0]).Select(a => a == "???" ? "*" : a).ToArray();
}

/// <summary>
/// source (10.77.1.2) — R1 (10.77.1.1 | 10.77.2.1) — R2 (10.77.2.2 | 10.77.3.1) — destination (10.77.3.2),
/// in namespaces with unique names, torn down on dispose. Needs CAP_NET_ADMIN: skipped with the reason
/// elsewhere, a failure under CI (which runs as root).
/// </summary>
internal sealed class NetnsChain : IAsyncDisposable
{
    private readonly string _id = "st" + Guid.NewGuid().ToString("N")[..6];
    private readonly List<string> _created = [];
    private static readonly string[] Roles = ["s", "r1", "r2", "d"];

    private string Ns(string role) => $"{_id}-{role}";

    public static async Task<NetnsChain> CreateAsync()
    {
        var ip = Peers.Require("ip", "iproute2");
        var chain = new NetnsChain();
        var probe = await Run.Async(ip, "netns", "add", chain.Ns("s"));
        if (probe.Code != 0)
        {
            var reason = $"cannot create network namespaces here (ip netns add: {probe.Stderr.Trim()}); the trace tests need root or CAP_NET_ADMIN";
            if (Peers.InCi) Assert.Fail(reason);
            Assert.Skip(reason);
        }
        chain._created.Add(chain.Ns("s"));
        try
        {
            await chain.BuildAsync(ip);
        }
        catch
        {
            await chain.DisposeAsync();
            throw;
        }
        return chain;
    }

    private async Task BuildAsync(string ip)
    {
        foreach (var role in Roles.Skip(1))
        {
            await Must(ip, "netns", "add", Ns(role));
            _created.Add(Ns(role));
        }
        foreach (var role in Roles) await Must(ip, "-n", Ns(role), "link", "set", "lo", "up");
        // Three links, each a veth pair with one end in each namespace.
        (string A, string B, string AddrA, string AddrB)[] links =
        [
            ("s", "r1", "10.77.1.2/24", "10.77.1.1/24"),
            ("r1", "r2", "10.77.2.1/24", "10.77.2.2/24"),
            ("r2", "d", "10.77.3.1/24", "10.77.3.2/24"),
        ];
        for (var i = 0; i < links.Length; i++)
        {
            var (a, b, addrA, addrB) = links[i];
            var (ifA, ifB) = ($"{_id}{i}a", $"{_id}{i}b");
            await Must(ip, "link", "add", ifA, "netns", Ns(a), "type", "veth", "peer", "name", ifB, "netns", Ns(b));
            await Must(ip, "-n", Ns(a), "addr", "add", addrA, "dev", ifA);
            await Must(ip, "-n", Ns(b), "addr", "add", addrB, "dev", ifB);
            await Must(ip, "-n", Ns(a), "link", "set", ifA, "up");
            await Must(ip, "-n", Ns(b), "link", "set", ifB, "up");
        }
        await Must(ip, "-n", Ns("s"), "route", "add", "default", "via", "10.77.1.1");
        await Must(ip, "-n", Ns("r1"), "route", "add", "10.77.3.0/24", "via", "10.77.2.2");
        await Must(ip, "-n", Ns("r2"), "route", "add", "10.77.1.0/24", "via", "10.77.2.1");
        await Must(ip, "-n", Ns("d"), "route", "add", "default", "via", "10.77.3.1");
        foreach (var router in new[] { "r1", "r2" })
        {
            await Must(ip, "netns", "exec", Ns(router), "sysctl", "-qw", "net.ipv4.ip_forward=1"); // inside the router's namespace only
            // Linux sends a host 6 time-exceeded in a burst, then one a second: three tracers in a row
            // would see each other's "*". The routers of this test chain answer every probe.
            await Must(ip, "netns", "exec", Ns(router), "sysctl", "-qw", "net.ipv4.icmp_ratelimit=0");
        }
    }

    /// <summary>R2 drops ICMP echo requests it would forward; its own time-exceeded answers still go out.</summary>
    public async Task DropForwardedEchoAtR2Async()
    {
        var ip = Peers.Require("ip", "iproute2");
        var nft = Peers.Require("nft", "nftables");
        await Must(ip, "netns", "exec", Ns("r2"), nft, "add", "table", "inet", "sock_test");
        await Must(ip, "netns", "exec", Ns("r2"), nft, "add", "chain", "inet", "sock_test", "forward_filter", "{ type filter hook forward priority 0; }");
        await Must(ip, "netns", "exec", Ns("r2"), nft, "add", "rule", "inet", "sock_test", "forward_filter", "icmp", "type", "echo-request", "drop");
    }

    public Task<(int Code, string Stdout, string Stderr)> InSourceAsync(string program, params string[] args) => InAsync("s", program, args);

    public Task<(int Code, string Stdout, string Stderr)> InAsync(string role, string program, params string[] args) =>
        Run.Async(Peers.Require("ip", "iproute2"), [.. new[] { "netns", "exec", Ns(role), program }, .. args]);

    private static async Task Must(string program, params string[] args)
    {
        var (code, stdout, stderr) = await Run.Async(program, args);
        Assert.True(code == 0, $"{program} {string.Join(' ', args)}: {stderr}{stdout}");
    }

    public async ValueTask DisposeAsync()
    {
        // Deleting a namespace deletes the veth ends inside it (and so their peers).
        foreach (var ns in _created) await Run.Async("ip", "netns", "del", ns);
        _created.Clear();
    }
}
