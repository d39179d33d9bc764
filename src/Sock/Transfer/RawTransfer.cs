using System.Buffers;

namespace Sock.Transfer;

/// <summary>
/// Bare bytes with no framing, for <c>nc host port &lt; file</c> and <c>nc -l port &gt; file</c>: the end of
/// the data is the end of the connection, so there is no hash and no resume.
/// </summary>
public static class RawTransfer
{
    /// <summary>Sends <paramref name="path"/> (or standard input when "-") then half-closes; returns bytes sent.</summary>
    public static async Task<long> SendAsync(TransferConnection connection, string path, TransferProgress progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(progress);
        progress.Clock.Start();
        long sent;
        if (path == "-")
        {
            using var stdin = Console.OpenStandardInput();
            sent = await CopyAsync(stdin, connection.Stream, progress, ct);
        }
        else if (!connection.IsTls)
        {
            // Plain TCP from a file: the kernel moves page-cache pages to the socket (sendfile), no copy through us.
            var length = new FileInfo(path).Length;
            progress.SetTotal(length);
            await connection.Socket.SendFileAsync(path, ct);
            progress.Add(length);
            sent = length;
        }
        else
        {
            await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
            progress.SetTotal(file.Length);
            sent = await CopyAsync(file, connection.Stream, progress, ct);
        }
        progress.Clock.Stop();
        await connection.CloseGracefullyAsync();
        return sent;
    }

    /// <summary>Copies everything the peer sends, until it closes, into <paramref name="output"/>.</summary>
    public static async Task<long> ReceiveAsync(TransferConnection connection, Stream output, TransferProgress progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(progress);
        progress.Clock.Start();
        var n = await CopyAsync(connection.Stream, output, progress, ct);
        await output.FlushAsync(ct);
        progress.Clock.Stop();
        return n;
    }

    private static async Task<long> CopyAsync(Stream from, Stream to, TransferProgress progress, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(WireFormat.ChunkSize);
        long total = 0;
        try
        {
            while (true)
            {
                var n = await from.ReadAsync(buffer, ct);
                if (n == 0) break;
                // In slices: a file behind `to` gets page-cache folios no larger than a slice (see PartFile.WriteSlice).
                for (var done = 0; done < n; done += PartFile.WriteSlice)
                    await to.WriteAsync(buffer.AsMemory(done, Math.Min(PartFile.WriteSlice, n - done)), ct);
                total += n;
                progress.Add(n);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return total;
    }
}
