using Sock.Formatting;

namespace Sock.Cli.Commands.Toolbox;

/// <summary>Aligned tables for people: a bold header and coloured cells on a terminal, plain text in a pipe.</summary>
internal static class Tables
{
    private const string Bold = "\e[1m", Reset = "\e[0m";

    /// <summary>Writes a table; <paramref name="color"/> may return an ANSI colour for a cell (column, text).</summary>
    public static void Write(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows, Func<int, string, string?>? color = null)
    {
        Func<int, string, string>? decorate = Output.UseColorOnStdout
            ? (column, cell) => column < 0 ? Bold + cell + Reset : color?.Invoke(column, cell.TrimEnd()) is { } c ? c + cell + Reset : cell
            : null;
        var text = new System.Text.StringBuilder();
        foreach (var line in TextTable.Render(headers, rows, decorate))
            text.Append(line).Append('\n');
        Output.WriteStdout(text.ToString());
    }

    /// <summary>Label/value pairs, one per line, labels aligned.</summary>
    public static void WritePairs(IEnumerable<(string Label, string Value)> pairs)
    {
        var list = pairs.ToList();
        var width = list.Max(p => p.Label.Length);
        var useColor = Output.UseColorOnStdout;
        var text = new System.Text.StringBuilder();
        foreach (var (label, value) in list)
        {
            var padded = label.PadRight(width);
            text.Append(((useColor ? Bold + padded + Reset : padded) + TextTable.Gap + value).TrimEnd()).Append('\n');
        }
        Output.WriteStdout(text.ToString());
    }

    public const string Green = "\e[32m", Red = "\e[31m", Yellow = "\e[33m";
}
