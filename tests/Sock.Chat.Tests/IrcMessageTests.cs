using Sock.Chat.Irc;

namespace Sock.Tests;

public class IrcMessageTests
{
    [Fact]
    public void ParsesTagsSourceCommandAndTrailing()
    {
        var m = IrcMessage.Parse("@time=2026-01-01T00:00:00.000Z;msgid=a\\sb :nick!u@h privmsg #room :hello there\r\n")!;
        Assert.Equal("PRIVMSG", m.Command);
        Assert.Equal(["#room", "hello there"], m.Params);
        Assert.Equal("nick", m.SourceNick);
        Assert.Equal("a b", m.Tags!["msgid"]);
        Assert.Equal("2026-01-01T00:00:00.000Z", m.Tags["time"]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(":source-only")]
    [InlineData("@tags-only")]
    public void RejectsLinesWithoutCommand(string line) => Assert.Null(IrcMessage.Parse(line));

    [Fact]
    public void CollapsesRepeatedSpacesBetweenMiddleParams()
    {
        var m = IrcMessage.Parse("USER  guest   0 *  :Real Name")!;
        Assert.Equal(["guest", "0", "*", "Real Name"], m.Params);
    }

    [Theory]
    [InlineData("PRIVMSG #a :hi there", "PRIVMSG #a :hi there")]
    [InlineData("PRIVMSG #a hi", "PRIVMSG #a hi")]
    [InlineData("PRIVMSG #a ::)", "PRIVMSG #a ::)")]
    [InlineData("PRIVMSG #a :", "PRIVMSG #a :")]
    [InlineData("@k=a\\:b :s 001 n :Welcome", "@k=a\\:b :s 001 n Welcome")]
    public void RoundTrips(string line, string expected) => Assert.Equal(expected, IrcMessage.Parse(line)!.Format());
}
