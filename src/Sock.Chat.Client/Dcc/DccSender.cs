using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Sock.Chat.Client.Dcc;

/// <summary>
/// Sends one offered file over the connection <paramref name="open"/> makes (the peer connecting to
/// our listener, or, for passive DCC, us connecting to the peer), and waits for its
/// acknowledgements (4-byte big-endian running totals, modulo 2^32) to reach the size.
/// <paramref name="connected"/> says where to start: past the bytes a resuming peer already has
/// (DCC RESUME); its acknowledgements count those too.
/// </summary>
internal sealed class DccSender(Func<CancellationToken, Task<Socket>> open, string path, string name, long size, Action<ChatEvent> report, Func<long> connected)
{
    public async Task<DccResult> RunAsync(CancellationToken ct)
    {
        using (var socket = await open(ct))
        {
            var start = connected();
            report(ChatEvent.Transfer(start > 0
                ? $"sending '{name}' to {socket.RemoteEndPoint} from byte {start} (resume)"
                : $"sending '{name}' to {socket.RemoteEndPoint}"));
            var clock = Stopwatch.StartNew();
            var acks = ReadAcksAsync(socket, ct);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
            long sent = 0;
            var lastProgress = TimeSpan.Zero;
            try
            {
                await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
                // The hash covers the whole file, so both sides can compare it after a resume too.
                sent = await HashPrefixAsync(file, start, hash, buffer, ct);
                int n;
                while (sent < size && (n = await file.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, size - sent)), ct)) > 0)
                {
                    try
                    {
                        await socket.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, ct);
                    }
                    catch (SocketException e)
                    {
                        throw new SockException($"the receiver closed the connection after {sent} of {size} bytes ({e.SocketErrorCode})");
                    }
                    hash.AppendData(buffer, 0, n);
                    sent += n;
                    if (clock.Elapsed - lastProgress > TimeSpan.FromSeconds(1))
                    {
                        lastProgress = clock.Elapsed;
                        report(new ChatEvent(ChatEventKind.Progress, DateTimeOffset.Now,
                            $"'{name}': {100.0 * sent / Math.Max(1, size):0}% ({DccManager.Bytes(sent)} of {DccManager.Bytes(size)})"));
                    }
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
            if (sent < size) throw new SockException($"'{path}' shrank while being sent ({sent} of {size} bytes)");
            sent -= start;
            // Done when the receiver acknowledged everything, or closed after we sent it all.
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
            wait.CancelAfter(TimeSpan.FromSeconds(30));
            try { await acks.WaitAsync(wait.Token); }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested) { }
            return new DccResult(sent, clock.Elapsed, Convert.ToHexStringLower(hash.GetHashAndReset()), ResumedAt: start);
        }

        async Task ReadAcksAsync(Socket s, CancellationToken token)
        {
            var ack = new byte[4];
            var filled = 0;
            var target = (uint)size;
            while (true)
            {
                int n;
                try { n = await s.ReceiveAsync(ack.AsMemory(filled), SocketFlags.None, token); }
                catch (SocketException) { return; }
                if (n == 0) return;
                filled += n;
                if (filled < 4) continue;
                filled = 0;
                if (BinaryPrimitives.ReadUInt32BigEndian(ack) == target && size > 0) return;
            }
        }
    }

    /// <summary>Feeds the next <paramref name="count"/> bytes of <paramref name="file"/> to the hash; returns how many there were.</summary>
    internal static async Task<long> HashPrefixAsync(Stream file, long count, IncrementalHash hash, byte[] buffer, CancellationToken ct)
    {
        long done = 0;
        int n;
        while (done < count && (n = await file.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, count - done)), ct)) > 0)
        {
            hash.AppendData(buffer, 0, n);
            done += n;
        }
        return done;
    }
}
