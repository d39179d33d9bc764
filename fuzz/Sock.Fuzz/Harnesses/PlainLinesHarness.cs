using Sock.Chat.Plain;
using Sock.Chat.Transport;

namespace Sock.Fuzz;

/// <summary>
/// The plain protocol's byte path: telnet negotiation removed (<see cref="TelnetFilter"/>), then
/// <see cref="LineFramer"/> with a small limit so cutting is reached. The first byte picks the
/// chunk size (how a socket would split the rest). Checks the framer's promises: a line holds no
/// LF, never exceeds the limit, a CR ending is reported and stripped, and nothing outside telnet
/// commands is lost.
/// </summary>
public static class PlainLinesHarness
{
    private const int MaxLine = 64;

    public static void Run(byte[] input)
    {
        if (input.Length == 0) return;
        var chunk = 1 + input[0] % 32;
        var data = input.AsSpan(1);
        var telnet = new TelnetFilter();
        var framer = new LineFramer(MaxLine);
        long delivered = 0, kept = 0;
        var anyCut = false;
        LineFramer.LineHandler onLine = (line, crlf, cut) =>
        {
            if (line.IndexOf((byte)'\n') >= 0) throw new FuzzFindingException("a line holds a LF");
            if (line.Length > MaxLine) throw new FuzzFindingException($"a line of {line.Length} bytes, over the limit of {MaxLine}");
            if (cut && line.Length != MaxLine) throw new FuzzFindingException($"a cut line of {line.Length} bytes, not the limit");
            if (crlf && cut) throw new FuzzFindingException("a cut line reported as CRLF");
            delivered += line.Length + (crlf ? 1 : 0);
            anyCut |= cut;
        };
        var scratch = new byte[chunk];
        while (!data.IsEmpty)
        {
            var piece = data[..Math.Min(chunk, data.Length)];
            data = data[piece.Length..];
            var filtered = telnet.Filter(piece, scratch);
            kept += filtered.Length - filtered.Count((byte)'\n');
            framer.Push(filtered, onLine);
        }
        framer.FlushPartial(onLine);
        framer.Reset();
        // Never more than the filter kept (LFs aside); without a cut, exactly that.
        if (delivered > kept || (!anyCut && delivered != kept))
            throw new FuzzFindingException($"{delivered} bytes delivered from {kept} kept (cut: {anyCut})");
    }
}
