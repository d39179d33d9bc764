using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Sock.Chat.Client.Dcc;

/// <summary>
/// Receives one offered file: connects to the sender (or, for passive DCC, waits on our listener for
/// the sender to connect), writes <c>name.part</c>, acknowledges each read with the running total as
/// 4 big-endian bytes (what irssi and mIRC expect), and renames the file once exactly the announced
/// size arrived. More data than announced is refused. Resuming (after DCC RESUME/ACCEPT), it
/// continues the existing <c>name.part</c>; acknowledgements then count the bytes it already had.
/// </summary>
internal sealed class DccReceiver(DccOffer offer, string directory, Action<ChatEvent> report)
{
    /// <summary>How long a passive offer's sender has to connect after we answered.</summary>
    public static readonly TimeSpan PassiveConnectTimeout = TimeSpan.FromMinutes(2);

    public async Task<DccResult> RunAsync(TcpListener? passive, long resumeAt, CancellationToken ct)
    {
        Directory.CreateDirectory(directory);
        var finalPath = resumeAt > 0 ? DccFileNames.Partial(directory, offer.FileName)?.FinalPath : DccFileNames.FreePath(directory, offer.FileName);
        if (finalPath is null) throw new SockException($"the partial download of '{offer.FileName}' is gone; /accept starts it anew");
        var partPath = finalPath + DccFileNames.PartSuffix;
        using var socket = passive is null
            ? await DccManager.ConnectAsync(offer.Address, offer.Port, "; the offer is dropped", ct)
            : await AcceptAsync(passive, ct);
        report(ChatEvent.Transfer($"receiving '{offer.FileName}' from {offer.From} into {partPath}"));
        var clock = Stopwatch.StartNew();
        var lastProgress = TimeSpan.Zero;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(256 * 1024);
        var ack = new byte[4];
        long total = 0;
        var complete = false;
        try
        {
            await using (var file = resumeAt > 0
                ? new FileStream(partPath, FileMode.Open, FileAccess.ReadWrite, FileShare.None, 0, useAsync: true)
                : new FileStream(partPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0, useAsync: true))
            {
                if (resumeAt > 0)
                {
                    // The hash covers the whole file; what lies past the agreed position is dropped.
                    total = await DccSender.HashPrefixAsync(file, resumeAt, hash, buffer, ct);
                    if (total != resumeAt) throw new SockException($"{partPath} is shorter than the {resumeAt} bytes agreed to resume at");
                    file.SetLength(resumeAt);
                }
                while (total < offer.Size || offer.Size == 0 && !complete)
                {
                    var n = await socket.ReceiveAsync(buffer, SocketFlags.None, ct);
                    if (n == 0) break;
                    if (total + n > offer.Size)
                        throw new SockException($"the sender sent more than the {offer.Size} bytes it announced; the size lied, so the file is refused");
                    await file.WriteAsync(buffer.AsMemory(0, n), ct);
                    hash.AppendData(buffer, 0, n);
                    total += n;
                    BinaryPrimitives.WriteUInt32BigEndian(ack, (uint)total);
                    await socket.SendAsync(ack, SocketFlags.None, ct);
                    if (clock.Elapsed - lastProgress > TimeSpan.FromSeconds(1))
                    {
                        lastProgress = clock.Elapsed;
                        report(new ChatEvent(ChatEventKind.Progress, DateTimeOffset.Now,
                            $"'{offer.FileName}' from {offer.From}: {100.0 * total / offer.Size:0}% ({DccManager.Bytes(total)} of {DccManager.Bytes(offer.Size)})"));
                    }
                }
                complete = total == offer.Size;
            }
            if (!complete)
                throw new SockException($"the connection closed after {total} of {offer.Size} bytes; the partial data is kept in {partPath}");
            // A sender that says it is done but keeps sending is refused too: peek for an extra byte.
            if (socket.Available > 0)
                throw new SockException($"the sender sent more than the {offer.Size} bytes it announced; the size lied, so the file is refused");
            File.Move(partPath, finalPath);
            return new DccResult(total - resumeAt, clock.Elapsed, Convert.ToHexStringLower(hash.GetHashAndReset()), finalPath, resumeAt);
        }
        catch (SockException e) when (e.Message.Contains("size lied", StringComparison.Ordinal))
        {
            File.Delete(partPath);
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task<Socket> AcceptAsync(TcpListener listener, CancellationToken ct)
    {
        try
        {
            return await DccManager.AcceptAsync(listener, PassiveConnectTimeout, ct);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new SockException($"{offer.From} did not connect within {PassiveConnectTimeout.TotalMinutes:0} min after we accepted (passive DCC); the offer is dropped");
        }
    }
}
