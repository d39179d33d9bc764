using System.Text;
using Sock.Net.Proxy;

namespace Sock.Tests.Proxy;

/// <summary>The pure reply parsers: every prefix of a good reply is Incomplete with the right length, and no input throws.</summary>
public class ProxyRepliesTests
{
    [Fact]
    public void Socks5ConnectIPv4NeedsTenBytesAndAcceptsThem()
    {
        byte[] reply = [5, 0, 0, 1, 127, 0, 0, 1, 0x1F, 0x90];
        Assert.Equal(ProxyReply.Need(2), ProxyReplies.Socks5Connect([]));
        Assert.Equal(ProxyReply.Need(5), ProxyReplies.Socks5Connect(reply.AsSpan(0, 3)));
        Assert.Equal(ProxyReply.Need(10), ProxyReplies.Socks5Connect(reply.AsSpan(0, 5)));
        Assert.Equal(new ProxyReply(ProxyReplyStatus.Accepted, 10), ProxyReplies.Socks5Connect(reply));
    }

    [Fact]
    public void Socks5ConnectDomainAndIPv6Lengths()
    {
        Assert.Equal(ProxyReply.Need(4 + 1 + 9 + 2), ProxyReplies.Socks5Connect([5, 0, 0, 3, 9]));
        Assert.Equal(ProxyReply.Need(4 + 16 + 2), ProxyReplies.Socks5Connect([5, 0, 0, 4, 0]));
    }

    [Theory]
    [InlineData(1, "general SOCKS server failure")]
    [InlineData(2, "connection not allowed by ruleset")]
    [InlineData(5, "connection refused")]
    [InlineData(8, "address type not supported")]
    [InlineData(200, "unassigned reply code")]
    public void Socks5RefusalNamesTheReplyAtOnce(byte rep, string reason)
    {
        var r = ProxyReplies.Socks5Connect([5, rep]);
        Assert.Equal(ProxyReplyStatus.Refused, r.Status);
        Assert.Equal($"refused: {reason} (SOCKS5 reply {rep})", r.Message);
    }

    [Fact]
    public void Socks5GarbageAndHttpAnswersAreMalformed()
    {
        Assert.Equal(ProxyReplyStatus.Malformed, ProxyReplies.Socks5Connect([4, 0]).Status);
        var http = ProxyReplies.Socks5Method("HTTP/1.1 400 Bad"u8, offeredPassword: false);
        Assert.Equal(ProxyReplyStatus.Malformed, http.Status);
        Assert.Contains("try --proxy-type http", http.Message, StringComparison.Ordinal);
        Assert.Equal(ProxyReplyStatus.Malformed, ProxyReplies.Socks5Connect([5, 0, 0, 9, 0]).Status);
    }

    [Fact]
    public void Socks5MethodSelection()
    {
        Assert.Equal(0, ProxyReplies.Socks5Method([5, 0], false).Code);
        Assert.Equal(ProxyReplyStatus.Accepted, ProxyReplies.Socks5Method([5, 2], true).Status);
        Assert.Equal(ProxyReplyStatus.Malformed, ProxyReplies.Socks5Method([5, 2], false).Status);
        Assert.Contains("--proxy-auth", ProxyReplies.Socks5Method([5, 0xFF], false).Message, StringComparison.Ordinal);
        Assert.Equal(ProxyReplyStatus.Refused, ProxyReplies.Socks5Auth([1, 1]).Status);
        Assert.Equal(ProxyReplyStatus.Accepted, ProxyReplies.Socks5Auth([1, 0]).Status);
    }

    [Fact]
    public void Socks4Replies()
    {
        Assert.Equal(ProxyReply.Need(8), ProxyReplies.Socks4Connect([0, 90]));
        Assert.Equal(ProxyReplyStatus.Accepted, ProxyReplies.Socks4Connect([0, 90, 0, 0, 0, 0, 0, 0]).Status);
        Assert.Equal("refused: request rejected or failed (SOCKS4 reply 91)", ProxyReplies.Socks4Connect([0, 91, 0, 0, 0, 0, 0, 0]).Message);
        Assert.Equal(ProxyReplyStatus.Malformed, ProxyReplies.Socks4Connect([0, 7, 0, 0, 0, 0, 0, 0]).Status);
    }

    [Fact]
    public void HttpConnectReadsOneByteAtATimeUntilTheEmptyLine()
    {
        var reply = "HTTP/1.1 200 Connection established\r\nProxy-agent: x\r\n\r\n"u8.ToArray();
        for (var i = 0; i < reply.Length; i++)
            Assert.Equal(ProxyReply.Need(i + 1), ProxyReplies.HttpConnect(reply.AsSpan(0, i)));
        Assert.Equal(new ProxyReply(ProxyReplyStatus.Accepted, reply.Length, 200), ProxyReplies.HttpConnect(reply));
    }

    [Theory]
    [InlineData("HTTP/1.1 407 Proxy Authentication Required\r\n\r\n", "refused: authentication required or rejected (HTTP 407 Proxy Authentication Required)")]
    [InlineData("HTTP/1.0 403 Forbidden\r\n\r\n", "refused: forbidden (HTTP 403 Forbidden)")]
    [InlineData("HTTP/1.0 504 Gateway Timeout\n\n", "refused: could not connect (HTTP 504 Gateway Timeout)")]
    [InlineData("HTTP/1.1 400\r\n\r\n", "refused: refused (HTTP 400)")]
    public void HttpRefusals(string text, string message)
    {
        var r = ProxyReplies.HttpConnect(Encoding.ASCII.GetBytes(text));
        Assert.Equal(ProxyReplyStatus.Refused, r.Status);
        Assert.Equal(message, r.Message);
    }

    [Theory]
    [InlineData("SSH-2.0-OpenSSH\r\n\r\n")]
    [InlineData("HTTP/1.1 20x OK\r\n\r\n")]
    [InlineData("HTTP/1.1 2000 OK\r\n\r\n")]
    [InlineData("HTTP/1.1\r\n\r\n")]
    public void HttpMalformed(string text) =>
        Assert.Equal(ProxyReplyStatus.Malformed, ProxyReplies.HttpConnect(Encoding.ASCII.GetBytes(text)).Status);

    [Fact]
    public void HttpHeaderWithoutEndIsCutAtTheLimit()
    {
        var big = Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\n" + new string('a', ProxyReplies.MaxHttpHeader));
        Assert.Equal(ProxyReplyStatus.Malformed, ProxyReplies.HttpConnect(big).Status);
    }

    [Fact]
    public void NoInputThrowsAndIncompleteAlwaysAsksForMore()
    {
        var random = new Random(1928);
        var buffer = new byte[64];
        for (var i = 0; i < 20000; i++)
        {
            var n = random.Next(buffer.Length + 1);
            random.NextBytes(buffer.AsSpan(0, n));
            if (i % 3 == 0 && n > 0) buffer[0] = 5;
            if (i % 5 == 0 && n > 0) buffer[0] = 0;
            foreach (var kind in Enum.GetValues<ProxyReplyKind>())
            {
                var r = ProxyReplies.Parse(kind, buffer.AsSpan(0, n));
                if (r.Status == ProxyReplyStatus.Incomplete) Assert.True(r.Length > n, $"{kind} asked for {r.Length} with {n}");
                else Assert.InRange(r.Length, 0, n);
            }
        }
    }
}

public class ProxyRequestsTests
{
    [Fact]
    public void Socks5ConnectSendsNamesForTheProxyToResolve()
    {
        Assert.Equal([5, 1, 0, 3, 9, .. "localhost"u8.ToArray(), 0, 80], ProxyRequests.Socks5Connect("localhost", 80));
        Assert.Equal([5, 1, 0, 1, 127, 0, 0, 1, 0x1F, 0x90], ProxyRequests.Socks5Connect("127.0.0.1", 8080));
        Assert.Equal(22, ProxyRequests.Socks5Connect("[::1]", 1).Length);
    }

    [Fact]
    public void Socks4aForNamesAndNoIPv6()
    {
        Assert.Equal([4, 1, 0, 80, 127, 0, 0, 1, .. "bob"u8.ToArray(), 0], ProxyRequests.Socks4Connect("127.0.0.1", 80, "bob"));
        Assert.Equal([4, 1, 0, 80, 0, 0, 0, 1, 0, .. "example.com"u8.ToArray(), 0], ProxyRequests.Socks4Connect("example.com", 80, null));
        Assert.Throws<ArgumentException>(() => ProxyRequests.Socks4Connect("::1", 80, null));
    }

    [Fact]
    public void HttpConnectWithBasicAuth() =>
        Assert.Equal("CONNECT [::1]:443 HTTP/1.1\r\nHost: [::1]:443\r\nProxy-Authorization: Basic Ym9iOnNlY3JldA==\r\n\r\n",
            Encoding.ASCII.GetString(ProxyRequests.HttpConnect("::1", 443, "bob", "secret")));
}

public class ProxySettingsTests
{
    [Theory]
    [InlineData("127.0.0.1:1080", null, ProxyType.Http, "127.0.0.1", 1080)]
    [InlineData("proxy.example", "socks5", ProxyType.Socks5, "proxy.example", 1080)]
    [InlineData("proxy.example", null, ProxyType.Http, "proxy.example", 3128)]
    [InlineData("[::1]:9050", "socks5", ProxyType.Socks5, "::1", 9050)]
    [InlineData("socks5h://localhost:9050/", null, ProxyType.Socks5, "localhost", 9050)]
    [InlineData("socks4a://10.0.0.1", null, ProxyType.Socks4, "10.0.0.1", 1080)]
    public void Parses(string text, string? type, ProxyType kind, string host, int port)
    {
        var p = ProxySettings.Parse(text, type is null ? null : ProxySettings.ParseType(type));
        Assert.Equal((kind, host, port), (p.Type, p.Host, p.Port));
    }

    [Fact]
    public void CredentialsFromUrlOrFlag()
    {
        var p = ProxySettings.Parse("http://bob:p%40ss@h:8080");
        Assert.Equal(("bob", "p@ss"), (p.User, p.Password));
        Assert.Equal(("al", "x:y"), (ProxySettings.Parse("h:1", ProxyType.Socks5, "al:x:y").User, ProxySettings.Parse("h:1", ProxyType.Socks5, "al:x:y").Password));
    }

    [Theory]
    [InlineData("h:0")]
    [InlineData("h:99999")]
    [InlineData("ftp://h:1")]
    [InlineData(":1080")]
    [InlineData("[::1")]
    public void RejectsBadInput(string text) => Assert.Throws<ArgumentException>(() => ProxySettings.Parse(text));

    [Fact]
    public void EnvironmentOnlyWhenAskedAndAllProxyFirst()
    {
        var env = new Dictionary<string, string> { ["HTTPS_PROXY"] = "http://h:3128", ["ALL_PROXY"] = "socks5://s:1080" };
        Assert.Equal(ProxyType.Socks5, ProxySettings.FromEnvironment(n => env.GetValueOrDefault(n))!.Type);
        env.Remove("ALL_PROXY");
        Assert.Equal("h", ProxySettings.FromEnvironment(n => env.GetValueOrDefault(n))!.Host);
        Assert.Null(ProxySettings.FromEnvironment(_ => null));
    }
}
