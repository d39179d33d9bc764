using Sock.Chat.Plain;

namespace Sock.Tests.Chat;

public class TelnetFilterTests
{
    [Fact]
    public void StripsNegotiationEvenAcrossChunks()
    {
        var f = new TelnetFilter();
        var output = new byte[64];
        var a = f.Filter([(byte)'h', 255, 251], output).ToArray();
        var b = f.Filter([1, (byte)'i', 255, 250, 24, 1, 255], output).ToArray();
        var c = f.Filter([240, (byte)'!'], output).ToArray();
        byte[] all = [.. a, .. b, .. c];
        Assert.Equal("hi!", System.Text.Encoding.ASCII.GetString(all));
    }
}
