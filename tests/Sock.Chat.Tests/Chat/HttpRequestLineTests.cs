using System.Text;
using Sock.Chat;
using Sock.Chat.Transport;
using static Sock.Chat.Transport.HttpRequestLine;

namespace Sock.Tests.Chat;

public class HttpRequestLineTests
{
    [Theory]
    [InlineData("GET / HTTP/1.1\r\n", Verdict.Yes)]
    [InlineData("POST /files HTTP/1.0\n", Verdict.Yes)]
    [InlineData("OPTIONS * HTTP/1.1\r\n", Verdict.Yes)]
    [InlineData("CONNECT chat.example:443 HTTP/1.1\r\n", Verdict.Yes)]
    [InlineData("G", Verdict.NeedMore)]
    [InlineData("GET /index.html HTT", Verdict.NeedMore)]
    [InlineData("GET me a coffee\n", Verdict.No)]
    [InlineData("GET / HTTP/2.0\r\n", Verdict.No)]
    [InlineData("get / HTTP/1.1\r\n", Verdict.No)]  // methods are case-sensitive
    [InlineData("hello\n", Verdict.No)]
    [InlineData("NICK ann\r\n", Verdict.No)]
    [InlineData("PASS x\r\n", Verdict.No)]
    public void Classifies(string text, Verdict expected) => Assert.Equal(expected, Classify(Encoding.ASCII.GetBytes(text)));

    [Fact]
    public void AnEndlessRequestLineIsHttpForKestrelToRefuse() =>
        Assert.Equal(Verdict.Yes, Classify(Encoding.ASCII.GetBytes("GET /" + new string('a', MaxLength))));

    [Theory]
    [InlineData("GET / HT", true)]
    [InlineData("GET /x", true)]
    [InlineData("GET me a coffee", false)]
    [InlineData("GET", false)]
    [InlineData("POST / HTTP/1.1 extra", false)]
    public void AStalledSenderIsHttpOnlyIfItCouldStillBecomeARequestLine(string text, bool expected) =>
        Assert.Equal(expected, CouldBeRequestLine(Encoding.ASCII.GetBytes(text)));

    [Theory]
    [InlineData("Connection closed", "closed")]
    [InlineData("Ping timeout: 120 seconds", "ping_timeout")]
    [InlineData("Quit: bye", "quit")]
    [InlineData("Killed by op: spam", "killed")]
    [InlineData(ChatConnection.SendQueueExceeded, "sendq")]
    [InlineData("whatever a client says", "other")]
    public void DisconnectReasonsFoldIntoFewLabels(string reason, string label) =>
        Assert.Equal(label, DisconnectReasons.Labels[DisconnectReasons.Classify(reason)]);
}
