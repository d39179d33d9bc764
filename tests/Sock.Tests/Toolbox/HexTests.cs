using Sock.Net;

namespace Sock.Tests.Toolbox;

public class HexTests
{
    [Theory]
    [InlineData("7f000001", new byte[] { 0x7f, 0, 0, 1 })]
    [InlineData("0x7F000001", new byte[] { 0x7f, 0, 0, 1 })]
    [InlineData("7f:00:00:01", new byte[] { 0x7f, 0, 0, 1 })]
    [InlineData("7f 00-00_01", new byte[] { 0x7f, 0, 0, 1 })]
    [InlineData(" ff ", new byte[] { 0xff })]
    public void ParsesWithOptionalPrefixAndSeparators(string text, byte[] expected) => Assert.Equal(expected, Hex.Parse(text));

    [Theory]
    [InlineData("7f0", "odd number of digits")]
    [InlineData("7g", "'g' is not a hex digit")]
    [InlineData("", "no digits")]
    [InlineData("0x", "no digits")]
    public void RejectsMalformedWithTheInputNamed(string text, string reason)
    {
        var e = Assert.Throws<FormatException>(() => Hex.Parse(text));
        Assert.Contains($"'{text}'", e.Message, StringComparison.Ordinal);
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FormatsLowerCaseWithoutSeparators()
    {
        Assert.Equal("00ff7f", Hex.Format([0x00, 0xff, 0x7f]));
        Assert.Equal("", Hex.Format([]));
    }
}
