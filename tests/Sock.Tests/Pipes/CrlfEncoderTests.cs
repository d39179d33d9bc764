using System.Text;
using Sock.Pipes;

namespace Sock.Tests.Pipes;

public class CrlfEncoderTests
{
    private static string Encode(CrlfEncoder encoder, string text)
    {
        var input = Encoding.UTF8.GetBytes(text);
        var output = new byte[CrlfEncoder.MaxOutput(input.Length)];
        return Encoding.UTF8.GetString(output, 0, encoder.Encode(input, output));
    }

    [Theory]
    [InlineData("a\nb\n", "a\r\nb\r\n")]
    [InlineData("a\r\nb", "a\r\nb")]
    [InlineData("\n\n", "\r\n\r\n")]
    [InlineData("no newline", "no newline")]
    [InlineData("", "")]
    public void BareLineFeedsGainACarriageReturn(string input, string expected) =>
        Assert.Equal(expected, Encode(new CrlfEncoder(), input));

    [Fact]
    public void CarriageReturnAtTheEndOfAChunkIsRemembered()
    {
        var encoder = new CrlfEncoder();
        Assert.Equal("line\r", Encode(encoder, "line\r"));
        Assert.Equal("\nnext\r\n", Encode(encoder, "\nnext\n"));
    }
}
