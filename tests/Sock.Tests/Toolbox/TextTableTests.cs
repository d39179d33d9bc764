using Sock.Formatting;

namespace Sock.Tests.Toolbox;

public class TextTableTests
{
    [Fact]
    public void ColumnsAlignToTheWidestCellWithoutTrailingSpaces()
    {
        var lines = TextTable.Render(["NAME", "PORT", "ALIASES"], [["ssh", "22", ""], ["mongodb", "27017", "x"]]);
        Assert.Equal(
            [
                "NAME     PORT   ALIASES",
                "ssh      22",
                "mongodb  27017  x",
            ], lines);
    }

    [Fact]
    public void ShortRowsArePaddedAndDecorationSeesHeaderAsNegativeColumns()
    {
        var seen = new List<int>();
        var lines = TextTable.Render(["A", "B"], [["1"]], (column, cell) =>
        {
            seen.Add(column);
            return cell;
        });
        Assert.Equal(["A  B", "1"], lines);
        Assert.Equal([-1, -2, 0, 1], seen);
    }
}
