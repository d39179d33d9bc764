using System.Text.Json;
using System.Text.RegularExpressions;
using Sock.Interop.Tests.Infrastructure;

namespace Sock.Interop.Tests.Toolbox;

/// <summary>`sock ping` against iputils ping as the oracle: same lines, same counts, round trips of the same order.</summary>
public partial class PingTests
{
    [GeneratedRegex(@"^(\d+) bytes from ([^:]+|[0-9a-f:]+): icmp_seq=(\d+)( ttl=\d+)? time=[0-9.]+ ms$")]
    private static partial Regex ReplyLine();

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    public async Task MatchesIputils(string host)
    {
        var oracle = await Run.Async(Peers.Ping, "-c", "3", "-i", "0.2", host);
        Assert.Equal(0, oracle.Code);
        var (code, stdout, stderr) = await SockCli.RunAsync("ping", "-c", "3", "-i", "0.2", host);
        Assert.True(code == 0, stderr);
        var ours = stdout.Split('\n');
        var theirs = oracle.Stdout.Split('\n');
        Assert.Equal(theirs[0], ours[0]); // "PING 127.0.0.1 (127.0.0.1) 56(84) bytes of data." / "PING ::1(::1) 56 data bytes"
        for (var i = 1; i <= 3; i++)
        {
            var m = ReplyLine().Match(ours[i]);
            Assert.True(m.Success, ours[i]);
            Assert.Equal(ReplyLine().Match(theirs[i]).Groups[1].Value, m.Groups[1].Value); // 64 bytes
            Assert.Equal(i.ToString(), m.Groups[3].Value);
        }
        Assert.Equal($"--- {host} ping statistics ---", ours[5]);
        Assert.StartsWith("3 packets transmitted, 3 received, 0% packet loss, time ", ours[6], StringComparison.Ordinal);
        Assert.StartsWith("rtt min/avg/max/mdev = ", ours[7], StringComparison.Ordinal);
        var ourAvg = double.Parse(ours[7].Split(" = ")[1].Split('/')[1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(ourAvg, 0, 100); // loopback on a loaded shared machine: milliseconds at most, as iputils sees
    }

    [Fact]
    public async Task JsonShape()
    {
        var (code, stdout, stderr) = await SockCli.RunAsync("ping", "-c", "2", "-i", "0.2", "--json", "127.0.0.1");
        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        Assert.Equal("127.0.0.1", root.GetProperty("host").GetString());
        Assert.Equal("127.0.0.1", root.GetProperty("address").GetString());
        Assert.Equal(2, root.GetProperty("transmitted").GetInt32());
        Assert.Equal(2, root.GetProperty("received").GetInt32());
        Assert.Equal(0.0, root.GetProperty("loss").GetDouble());
        var rtt = root.GetProperty("rtt_ms");
        Assert.True(rtt.GetProperty("min").GetDouble() <= rtt.GetProperty("avg").GetDouble());
        Assert.True(rtt.TryGetProperty("mdev", out _));
        Assert.Equal(2, root.GetProperty("replies").GetArrayLength());
        Assert.Equal(64, root.GetProperty("replies")[0].GetProperty("ttl").GetInt32());
    }

    [Fact]
    public async Task ErrorsAreOneLine()
    {
        var bad = await SockCli.RunAsync("ping", "-c", "1", "nosuch.invalid");
        Assert.Equal((1, "sock: ping nosuch.invalid: name or service not known (EAI_NONAME)\n"), (bad.Code, bad.Stderr));
        Assert.Equal(2, (await SockCli.RunAsync("ping", "-c", "0", "127.0.0.1")).Code);
        Assert.Equal(2, (await SockCli.RunAsync("ping", "-4", "-6", "127.0.0.1")).Code);
    }

    /// <summary>
    /// The unprivileged path: run as nobody (setpriv). With nobody's group inside net.ipv4.ping_group_range
    /// the ICMP datagram socket works; outside it (Debian's default "1 0" is an empty range) sock says
    /// why in one line. The range is the machine's setting, read and never changed.
    /// </summary>
    [Fact]
    public async Task UnprivilegedIcmpSocket()
    {
        var setpriv = Peers.Require("setpriv", "util-linux");
        var range = File.ReadAllText("/proc/sys/net/ipv4/ping_group_range").Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries).Select(long.Parse).ToArray();
        var allowed = range[0] <= 65534 && 65534 <= range[1];
        var (code, stdout, stderr) = await Run.Async(setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", SockCli.Path, "ping", "-c", "1", "127.0.0.1");
        if (stderr.Contains("Permission denied", StringComparison.Ordinal) && !stderr.StartsWith("sock:", StringComparison.Ordinal))
            Assert.Skip($"nobody cannot run the test build under {Path.GetDirectoryName(SockCli.Path)}: {stderr.Trim()}");
        if (allowed)
        {
            Assert.True(code == 0, stderr);
            Assert.Contains("1 packets transmitted, 1 received", stdout, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal(1, code);
            Assert.StartsWith("sock: ping: cannot open an ICMP socket: ", stderr, StringComparison.Ordinal);
            Assert.Contains("net.ipv4.ping_group_range", stderr, StringComparison.Ordinal);
            Assert.Single(stderr.TrimEnd('\n').Split('\n'));
        }
    }
}
