using System.Text;

namespace Sock.Cli.Chat;

/// <summary>
/// The input line: text as runes with a cursor, word and line deletion, and history. It knows
/// display widths so a wide character moves the cursor two columns, and scrolls horizontally
/// when the text is wider than the screen.
/// </summary>
internal sealed class LineEditor
{
    private readonly List<Rune> _text = [];
    private readonly List<string> _history = [];
    private int _cursor;
    private int _scroll;
    private int _historyIndex;
    private string _draft = "";

    public string Text => string.Concat(_text.Select(r => r.ToString()));

    public void Insert(Rune rune)
    {
        _text.Insert(_cursor, rune);
        _cursor++;
    }

    public void Backspace()
    {
        if (_cursor == 0) return;
        _text.RemoveAt(--_cursor);
    }

    public void Delete()
    {
        if (_cursor < _text.Count) _text.RemoveAt(_cursor);
    }

    public void Left() => _cursor = Math.Max(0, _cursor - 1);

    public void Right() => _cursor = Math.Min(_text.Count, _cursor + 1);

    public void Home() => _cursor = 0;

    public void End() => _cursor = _text.Count;

    /// <summary>Ctrl-W: the word before the cursor, and the spaces after it.</summary>
    public void DeleteWordBack()
    {
        var start = _cursor;
        while (start > 0 && Rune.IsWhiteSpace(_text[start - 1])) start--;
        while (start > 0 && !Rune.IsWhiteSpace(_text[start - 1])) start--;
        _text.RemoveRange(start, _cursor - start);
        _cursor = start;
    }

    /// <summary>Ctrl-U: everything before the cursor.</summary>
    public void DeleteToStart()
    {
        _text.RemoveRange(0, _cursor);
        _cursor = 0;
    }

    /// <summary>Ctrl-K: everything from the cursor on.</summary>
    public void DeleteToEnd() => _text.RemoveRange(_cursor, _text.Count - _cursor);

    public void HistoryUp()
    {
        if (_historyIndex == 0) return;
        if (_historyIndex == _history.Count) _draft = Text;
        _historyIndex--;
        Set(_history[_historyIndex]);
    }

    public void HistoryDown()
    {
        if (_historyIndex >= _history.Count) return;
        _historyIndex++;
        Set(_historyIndex == _history.Count ? _draft : _history[_historyIndex]);
    }

    /// <summary>Enter: returns the line, remembers it in history and clears the editor.</summary>
    public string Submit()
    {
        var line = Text;
        if (line.Length > 0 && (_history.Count == 0 || _history[^1] != line)) _history.Add(line);
        _historyIndex = _history.Count;
        _draft = "";
        _text.Clear();
        _cursor = _scroll = 0;
        return line;
    }

    private void Set(string text)
    {
        _text.Clear();
        _text.AddRange(text.EnumerateRunes());
        _cursor = _text.Count;
    }

    /// <summary>
    /// What to draw in <paramref name="columns"/> after the prompt, and the column (0-based,
    /// from the start of that area) where the cursor goes.
    /// </summary>
    public (string Visible, int CursorColumn) Render(int columns)
    {
        columns = Math.Max(2, columns);
        if (_cursor < _scroll) _scroll = _cursor;
        // Keep the cursor on screen with one column to spare for it at the end.
        while (Width(_scroll, _cursor) > columns - 1) _scroll++;
        var sb = new StringBuilder();
        var used = 0;
        for (var i = _scroll; i < _text.Count; i++)
        {
            var w = TextWidth.Of(_text[i]);
            if (used + w > columns) break;
            used += w;
            sb.Append(_text[i].ToString());
        }
        return (sb.ToString(), Width(_scroll, _cursor));
    }

    private int Width(int from, int to)
    {
        var w = 0;
        for (var i = from; i < to; i++) w += TextWidth.Of(_text[i]);
        return w;
    }
}
