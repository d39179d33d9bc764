using System.Text;

namespace Sock.Pipes;

/// <summary>
/// ncat's <c>-x</c> hex dump layout: per chunk, lines of 16 bytes as <c>OOOO   xx … xx  xx … xx  ascii</c>
/// with the offset from the chunk's start and non-graphic bytes (space included) shown as '.'.
/// </summary>
public static class HexDump
{
    public static string Format(ReadOnlySpan<byte> data)
    {
        var sb = new StringBuilder((data.Length / 16 + 1) * 74);
        for (var offset = 0; offset < data.Length; offset += 16)
        {
            var line = data.Slice(offset, Math.Min(16, data.Length - offset));
            sb.Append(offset.ToString("x4", System.Globalization.CultureInfo.InvariantCulture)).Append("   ");
            for (var i = 0; i < 16; i++)
            {
                if (i < line.Length) sb.Append(Hex(line[i] >> 4)).Append(Hex(line[i] & 0xF)).Append(' ');
                else sb.Append("   ");
                if (i == 7) sb.Append(' ');
            }
            sb.Append(' ');
            foreach (var b in line) sb.Append(b is > 0x20 and < 0x7F ? (char)b : '.');
            sb.Append(' ', 16 - line.Length).Append('\n');
        }
        return sb.ToString();
    }

    private static char Hex(int nibble) => (char)(nibble < 10 ? '0' + nibble : 'a' + nibble - 10);
}
