using System.Buffers;

namespace Sock.Chat.Transport;

/// <summary>
/// Splits a byte stream into lines (LF or CRLF; the ending is reported). Holds a pooled buffer only
/// while a partial line is pending. A line longer than the limit is cut: the first part is
/// delivered with <c>cut: true</c> and the rest, up to the next newline, is discarded.
/// A mutable struct, held as a field of its connection (never copied: a copy would not see what is
/// pushed to the original): as an object of its own it was 40 bytes every idle client carried.
/// </summary>
public struct LineFramer(int maxLineBytes)
{
    private byte[]? _partial;
    private int _length;
    private bool _discarding;

    public delegate void LineHandler(ReadOnlySpan<byte> line, bool crlf, bool cut);

    public readonly bool HasPartial => _length > 0;

    /// <summary>Feeds received bytes; calls <paramref name="onLine"/> for each complete line.</summary>
    public void Push(ReadOnlySpan<byte> data, LineHandler onLine)
    {
        while (!data.IsEmpty)
        {
            var nl = data.IndexOf((byte)'\n');
            var piece = nl < 0 ? data : data[..nl];
            if (_discarding)
            {
                if (nl < 0) return;
                _discarding = false;
                data = data[(nl + 1)..];
                continue;
            }
            if (_length + piece.Length > maxLineBytes)
            {
                // Cut: deliver what fits, drop the rest of this line.
                var room = maxLineBytes - _length;
                Append(piece[..room]);
                Emit(onLine, crlf: false, cut: true);
                if (nl < 0) { _discarding = true; return; }
                data = data[(nl + 1)..];
                continue;
            }
            if (nl < 0)
            {
                Append(piece);
                return;
            }
            if (_length == 0)
            {
                var crlf = piece.Length > 0 && piece[^1] == '\r';
                onLine(crlf ? piece[..^1] : piece, crlf, false);
            }
            else
            {
                Append(piece);
                var crlf = _partial![_length - 1] == '\r';
                if (crlf) _length--;
                Emit(onLine, crlf, cut: false);
            }
            data = data[(nl + 1)..];
        }
    }

    /// <summary>Delivers a pending partial line as a line (the sender paused) and ends any discarding.</summary>
    public void FlushPartial(LineHandler onLine)
    {
        _discarding = false;
        if (_length > 0) Emit(onLine, crlf: false, cut: false);
    }

    /// <summary>Returns the pooled buffer.</summary>
    public void Reset()
    {
        if (_partial is not null) ArrayPool<byte>.Shared.Return(_partial);
        _partial = null;
        _length = 0;
    }

    private void Emit(LineHandler onLine, bool crlf, bool cut)
    {
        var line = _partial.AsSpan(0, _length);
        onLine(line, crlf, cut);
        Reset();
    }

    private void Append(ReadOnlySpan<byte> piece)
    {
        if (piece.IsEmpty) return;
        if (_partial is null || _partial.Length < _length + piece.Length)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_length + piece.Length, 256));
            if (_partial is not null)
            {
                _partial.AsSpan(0, _length).CopyTo(bigger);
                ArrayPool<byte>.Shared.Return(_partial);
            }
            _partial = bigger;
        }
        piece.CopyTo(_partial.AsSpan(_length));
        _length += piece.Length;
    }
}
