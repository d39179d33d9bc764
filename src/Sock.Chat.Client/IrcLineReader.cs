using System.Buffers;
using System.Text;

namespace Sock.Chat.Client;

/// <summary>
/// Splits a server's byte stream into lines. Bytes that are not UTF-8 become U+FFFD (a server
/// may relay anything); a line longer than <see cref="MaxLineBytes"/> is cut there and the rest
/// of it skipped, so a hostile server cannot make the client grow without bound.
/// </summary>
internal sealed class IrcLineReader(Stream stream) : IDisposable
{
    public const int MaxLineBytes = 16 * 1024;

    private readonly byte[] _buffer = ArrayPool<byte>.Shared.Rent(MaxLineBytes + 4096);
    private readonly UTF8Encoding _utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);
    private int _start, _end;
    private bool _skipping;

    /// <summary>True once a line was cut because it was too long (reset by the caller).</summary>
    public bool LastLineWasCut { get; private set; }

    /// <summary>The next line without its ending, or null at end of stream.</summary>
    public async Task<string?> ReadLineAsync(CancellationToken ct)
    {
        LastLineWasCut = false;
        while (true)
        {
            var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (newline >= 0)
            {
                var line = Decode(_start, newline - _start);
                _start = newline + 1;
                if (_skipping) { _skipping = false; continue; }
                return line;
            }
            if (_end - _start >= MaxLineBytes)
            {
                // Too long: hand out the first MaxLineBytes and drop the rest up to the next newline.
                var line = Decode(_start, MaxLineBytes);
                _start = _end = 0;
                if (_skipping) continue;
                _skipping = true;
                LastLineWasCut = true;
                return line;
            }
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            var n = await stream.ReadAsync(_buffer.AsMemory(_end, _buffer.Length - _end), ct);
            if (n == 0)
            {
                if (_end > _start && !_skipping)
                {
                    var last = Decode(_start, _end - _start);
                    _start = _end = 0;
                    return last;
                }
                return null;
            }
            _end += n;
        }
    }

    private string Decode(int offset, int count)
    {
        if (count > 0 && _buffer[offset + count - 1] == '\r') count--;
        return _utf8.GetString(_buffer, offset, count);
    }

    public void Dispose() => ArrayPool<byte>.Shared.Return(_buffer);
}
