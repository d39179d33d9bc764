namespace Sock.Formatting;

/// <summary>
/// Left-aligned text columns separated by two spaces, no trailing whitespace: readable on a
/// terminal and stable for grep/awk. Colour is the caller's business (it wraps cells after layout).
/// </summary>
public static class TextTable
{
    public const string Gap = "  ";

    /// <summary>The lines of a table: header first, then one line per row. Short rows are padded with "".</summary>
    public static IReadOnlyList<string> Render(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows,
        Func<int, string, string>? decorate = null)
    {
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(rows);
        var all = new List<IReadOnlyList<string>> { headers };
        all.AddRange(rows);
        var widths = new int[headers.Count];
        foreach (var row in all)
            for (var i = 0; i < widths.Length && i < row.Count; i++)
                widths[i] = Math.Max(widths[i], row[i].Length);

        var lines = new List<string>(all.Count);
        for (var r = 0; r < all.Count; r++)
        {
            var line = new System.Text.StringBuilder();
            for (var i = 0; i < widths.Length; i++)
            {
                var cell = i < all[r].Count ? all[r][i] : "";
                var padded = i == widths.Length - 1 ? cell : cell.PadRight(widths[i]);
                line.Append(decorate is null ? padded : decorate(r == 0 ? -1 - i : i, padded));
                if (i < widths.Length - 1) line.Append(Gap);
            }
            lines.Add(line.ToString().TrimEnd());
        }
        return lines;
    }
}
