using System.Text;
using Sock.Chat.Transport;

namespace Sock.Tests.Chat;

public class LineFramerTests
{
    private static List<(string Line, bool Crlf, bool Cut)> Push(ref LineFramer f, params string[] chunks)
    {
        var lines = new List<(string, bool, bool)>();
        foreach (var c in chunks) f.Push(Encoding.UTF8.GetBytes(c), (l, crlf, cut) => lines.Add((Encoding.UTF8.GetString(l), crlf, cut)));
        return lines;
    }

    [Fact]
    public void SplitsLfAndCrlfAcrossChunks()
    {
        var f = new LineFramer(100);
        var lines = Push(ref f, "one\r\ntw", "o\nthr", "ee\r", "\n");
        Assert.Equal([("one", true, false), ("two", false, false), ("three", true, false)], lines);
        Assert.False(f.HasPartial);
    }

    [Fact]
    public void PartialLineIsHeldUntilFlushed()
    {
        var f = new LineFramer(100);
        Assert.Empty(Push(ref f, "你好"));
        Assert.True(f.HasPartial);
        var flushed = new List<string>();
        f.FlushPartial((l, _, _) => flushed.Add(Encoding.UTF8.GetString(l)));
        Assert.Equal(["你好"], flushed);
        Assert.False(f.HasPartial);
    }

    [Fact]
    public void LongLineIsCutAndRestDiscardedUntilNewline()
    {
        var f = new LineFramer(8);
        var lines = Push(ref f, "0123456789abc", "def\nnext\n");
        Assert.Equal([("01234567", false, true), ("next", false, false)], lines);
    }
}
