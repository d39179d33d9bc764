using System.Buffers;
using System.Net.Sockets;
using System.Text;

namespace Sock.Net;

/// <summary>Banner grabbing: what a service says first (SSH, SMTP, FTP, IRC greet before the client speaks).</summary>
public static class Banners
{
    /// <summary>Most a banner read keeps: enough for an SSH version line or an SMTP greeting.</summary>
    public const int MaxBytes = 512;

    /// <summary>
    /// Reads what arrives within <paramref name="wait"/> (until the peer closes, the buffer fills, or
    /// the time is up), escaped by <see cref="Escape"/>; "" when the service said nothing (HTTP waits
    /// for the client), null if the read failed (reset).
    /// </summary>
    public static async Task<string?> ReadAsync(Socket socket, TimeSpan wait, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(socket);
        var buffer = ArrayPool<byte>.Shared.Rent(MaxBytes);
        var filled = 0;
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timer.CancelAfter(wait);
        try
        {
            while (filled < MaxBytes)
            {
                var n = await socket.ReceiveAsync(buffer.AsMemory(filled, MaxBytes - filled), SocketFlags.None, timer.Token);
                if (n == 0) break;
                filled += n;
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // the wait is over: keep what came
        }
        catch (SocketException) when (filled == 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return null;
        }
        catch (SocketException)
        {
            // reset after saying something: keep what came
        }
        var banner = Escape(buffer.AsSpan(0, filled));
        ArrayPool<byte>.Shared.Return(buffer);
        return banner;
    }

    /// <summary>
    /// Printable ASCII as is, backslash doubled, \r \n \t by name and every other byte as \xNN, as
    /// nmap prints service fingerprints: a binary banner cannot move the terminal's cursor.
    /// </summary>
    public static string Escape(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder(bytes.Length);
        foreach (var b in bytes)
        {
            _ = b switch
            {
                (byte)'\\' => text.Append(@"\\"),
                (byte)'\r' => text.Append(@"\r"),
                (byte)'\n' => text.Append(@"\n"),
                (byte)'\t' => text.Append(@"\t"),
                >= 0x20 and < 0x7f => text.Append((char)b),
                _ => text.Append(System.Globalization.CultureInfo.InvariantCulture, $"\\x{b:x2}"),
            };
        }
        return text.ToString();
    }
}
