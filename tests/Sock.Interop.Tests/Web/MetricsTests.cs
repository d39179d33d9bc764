using System.Net.WebSockets;
using System.Text.RegularExpressions;
using Sock.Interop.Tests.Chat;
using Sock.Interop.Tests.Infrastructure;

namespace Sock.Interop.Tests.Web;

/// <summary>/metrics is Prometheus text that counts what happened; /healthz says ok.</summary>
public class MetricsTests
{
    [Fact]
    public async Task MetricsCountConnectionsMessagesHistoryAndDisconnects()
    {
        await using var server = await InProcessWebServer.StartAsync();
        using var a = await server.IrcAsync("ann", "#x");
        using var b = await server.IrcAsync("bob", "#x");
        var (p, _) = (await server.ConnectAsync(), 0);
        using var plain = p;
        await plain.ExpectAsync("欢迎", 3);
        using var ws = await WsClient.ConnectAsync(server.Port, "text.ircv3.net");
        await ws.SendTextAsync("NICK webby");
        await ws.SendTextAsync("USER w 0 * :w");
        await ws.ExpectAsync(" 001 ");
        await ws.SendTextAsync("JOIN #x");
        await ws.ExpectAsync(" 366 ");
        await a.SendAsync("PRIVMSG #x :one\r\nPRIVMSG #x :two\r\nPRIVMSG bob :private\r\n");
        await b.ExpectAsync("private");
        await ws.SendTextAsync("QUIT :bye");
        await ws.WaitCloseAsync();

        var text = await HttpGetAsync(server.Port, "/metrics");
        Assert.StartsWith("HTTP/1.1 200", text);
        Assert.Contains("Content-Type: text/plain; version=0.0.4; charset=utf-8", text);
        var body = text[(text.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];
        // Every sample line is NAME{labels} VALUE and every family has HELP and TYPE.
        foreach (var line in body.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            Assert.Matches(@"^(# (HELP|TYPE) [a-z_]+ .+|[a-z_]+(\{[a-z_]+=""[^""]*""(,[a-z_]+=""[^""]*"")*\})? -?\d+)$", line);
        Assert.Equal(2, Value(body, "sock_chat_connections{protocol=\"irc\",transport=\"tcp\"}"));
        Assert.Equal(1, Value(body, "sock_chat_connections{protocol=\"plain\",transport=\"tcp\"}"));
        Assert.Equal(1, Value(body, "sock_connections_accepted_total{kind=\"websocket\"}"));
        Assert.Equal(1, Value(body, "sock_chat_disconnects_total{reason=\"quit\"}"));
        Assert.Equal(3, Value(body, "sock_chat_messages_received_total"));
        Assert.Equal(3 + 3 + 2, Value(body, "sock_chat_messages_delivered_total")); // two room lines to 3 members, a private one to 2
        Assert.Equal(3, Value(body, "sock_chat_history_writes_total")); // private messages are kept too
        Assert.Equal(2, Value(body, "sock_chat_rooms")); // #x and the plain user's #lobby
        Assert.Equal(3, Value(body, "sock_chat_members"));
        Assert.True(Value(body, "sock_chat_queued_bytes") >= 0);
    }

    [Fact]
    public async Task MetricsParseWithPrometheusOwnParserWhenAvailable()
    {
        // Debian's python3-prometheus-client is the reference parser for the text format.
        var python = Peers.DebianPython3;
        var (has, _, _) = await Run.Async(python, "-c", "import prometheus_client");
        if (has != 0) Peers.Require("/nonexistent/prometheus_client", "python3-prometheus-client");
        await using var server = await ChatServerProcess.StartAsync();
        using var a = await server.IrcAsync("ann", "#x");
        var out_ = await Run.PythonAsync(python, $$"""
            import urllib.request
            from prometheus_client.parser import text_string_to_metric_families
            body = urllib.request.urlopen("http://127.0.0.1:{{server.Port}}/metrics").read().decode()
            for f in text_string_to_metric_families(body):
                print(f.name, f.type, len(f.samples))
            """);
        Assert.Contains("sock_chat_connections gauge 1", out_);
        Assert.Contains("sock_chat_disconnects counter", out_); // the parser strips _total from counter families
    }

    private static long Value(string body, string series)
    {
        var m = Regex.Match(body, "^" + Regex.Escape(series) + @" (\d+)$", RegexOptions.Multiline);
        Assert.True(m.Success, $"{series} not in:\n{body}");
        return long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    internal static Task<string> HttpGetAsync(int port, string path) =>
        RawHttp.SendAsync(port, $"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
}
