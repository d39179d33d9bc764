namespace Sock.Pipes;

/// <summary>
/// LF → CRLF for <c>--crlf</c>, like ncat's: a LF already preceded by CR is left alone, also when
/// the CR ended the previous chunk.
/// </summary>
public sealed class CrlfEncoder
{
    private bool _lastWasCr;

    /// <summary>The largest output for <paramref name="inputLength"/> bytes of input.</summary>
    public static int MaxOutput(int inputLength) => inputLength * 2;

    public int Encode(ReadOnlySpan<byte> input, Span<byte> output)
    {
        var o = 0;
        foreach (var b in input)
        {
            if (b == (byte)'\n' && !_lastWasCr) output[o++] = (byte)'\r';
            output[o++] = b;
            _lastWasCr = b == (byte)'\r';
        }
        return o;
    }
}
