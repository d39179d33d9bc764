using System.Text;
using Sock.Chat.Irc;

namespace Sock.Tests.Chat;

public class IrcLineBudgetTests
{
    [Theory]
    [InlineData("short", 100)]
    [InlineData("word word word word word word word word word word word word", 20)]
    [InlineData("长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长", 64)]
    [InlineData("😃😃😃😃😃😃😃😃😃😃😃😃😃😃😃😃😃😃😃😃😃😃😃😃😃😃😃😃😃😃😃😃😃😃", 65)] // 4 bytes each: 65 is not a multiple
    [InlineData("mixed 词 😃 text with a verylongwordthathasnospacesinsideitatallforquiteawhile and more", 64)]
    public void PiecesFitJoinBackAndNeverSplitACharacter(string text, int budget)
    {
        var pieces = IrcLineBudget.Pieces(text, budget);
        Assert.Equal(text, string.Concat(pieces));
        Assert.All(pieces, p => Assert.InRange(Encoding.UTF8.GetByteCount(p), 1, Math.Max(budget, 64)));
        // A piece that ends in half a surrogate pair would not survive UTF-8: every piece round-trips.
        Assert.All(pieces, p => Assert.Equal(p, Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(p))));
    }

    [Fact]
    public void CutsAfterASpaceWhenOneIsNearTheEnd()
    {
        var text = string.Join(' ', Enumerable.Repeat("abcdefghi", 30)); // 299 characters
        var pieces = IrcLineBudget.Pieces(text, 100);
        Assert.True(pieces.Count >= 3);
        Assert.All(pieces.SkipLast(1), p => Assert.EndsWith(" ", p));
        Assert.All(pieces.Skip(1), p => Assert.StartsWith("abcdefghi", p));
    }

    [Theory]
    [InlineData("n!u@h", 491, 0, true)]   // ":n!u@h PRIVMSG #r :" is 19: 19 + 491 = 510
    [InlineData("n!u@h", 492, 0, false)]
    [InlineData("n!u@h", 482, 9, true)]   // an ACTION's wrapper counts
    [InlineData("n!u@h", 483, 9, false)]
    [InlineData("n!u@长", 489, 0, true)]  // the prefix counted in bytes too: 21 + 489 = 510
    [InlineData("n!u@长", 490, 0, false)]
    public void FitsCountsBytesOfTheWholeLine(string prefix, int textBytes, int extra, bool fits) =>
        Assert.Equal(fits, IrcLineBudget.FitsMessage(prefix, "PRIVMSG", "#r", new string('x', textBytes), extra));

    [Fact]
    public void FitsCountsUtf8NotCharacters()
    {
        // 170 characters of 3 bytes are 510 bytes: one more does not fit although far fewer than 510 characters.
        Assert.True(IrcLineBudget.Fits(new string('长', 170), IrcLineBudget.MaxBytes));
        Assert.False(IrcLineBudget.Fits(new string('长', 171), IrcLineBudget.MaxBytes));
    }
}
