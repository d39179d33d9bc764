using System.Text;
using Sock.Pipes;

namespace Sock.Tests.Pipes;

public class HexDumpTests
{
    /// <summary>Byte for byte what `ncat -x` wrote for the same input on this machine.</summary>
    [Fact]
    public void MatchesNcatLayout()
    {
        var data = Encoding.ASCII.GetBytes("hello world, this is a longer line\n\x01\x02");
        Assert.Equal(
            "0000   68 65 6c 6c 6f 20 77 6f  72 6c 64 2c 20 74 68 69  hello.world,.thi\n" +
            "0010   73 20 69 73 20 61 20 6c  6f 6e 67 65 72 20 6c 69  s.is.a.longer.li\n" +
            "0020   6e 65 0a 01 02                                    ne...           \n",
            HexDump.Format(data));
    }

    [Fact]
    public void EmptyIsEmpty() => Assert.Equal("", HexDump.Format([]));
}
