using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Threading.Channels;

namespace Sock.Transfer;

/// <summary>
/// The sending side of the protocol: hello + manifest, then the receiver's plan decides each file's
/// start offset; data follows in order with a whole-file hash per file. A reader task reads and
/// hashes the file while the caller's task writes to the socket, so disk, hash and wire overlap.
/// </summary>
public static class TransferSender
{
    public static async Task<TransferSummary> SendAsync(Stream stream, IReadOnlyList<ManifestEntry> entries, SendOptions options,
        TransferProgress? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(options);
        var hash = options.Hash;
        var throttle = new Throttle(options.BytesPerSecond);
        progress ??= new TransferProgress();
        progress.Clock.Start();
        var summary = new TransferSummary { Direction = "send", Hash = hash };
        foreach (var e in entries) summary.Entries.Add(new FileOutcome(e.Name, e.Kind, e.Size));
        progress.SetTotal(summary.BytesTotal);

        using var writer = new WireWriter(stream);
        var reader = new WireReader(stream);
        writer.Bytes(WireFormat.Magic).Byte(WireFormat.Version).Byte((byte)hash).Byte(0);
        writer.Byte((byte)FrameType.Manifest).U32((uint)entries.Count);
        foreach (var e in entries)
            writer.Byte((byte)e.Kind).Text(e.Name, WireFormat.MaxNameBytes).U64((ulong)e.Size).U32((uint)e.Mode).I64(e.MtimeNanoseconds);
        long[] offsets;
        try
        {
            await writer.FlushFrameAsync(ct);
            await stream.FlushAsync(ct);
            offsets = await ReadPlanAsync(reader, entries, ct);
        }
        catch (IOException e) when (reader.Position == 0)
        {
            // Nothing came back: a port probe that closed, or a peer that is not a receiver.
            throw new HandshakeIncompleteException("the receiver closed the connection before answering", e);
        }

        // The receiver may stop us at any time with an ERROR frame (disk full, refused path):
        // a reader task watches for it, or for the final RESULT, while we send.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var peer = ReadVerdictAsync(reader, entries.Count, stop, ct);

        try
        {
            for (var i = 0; i < entries.Count; i++)
            {
                if (entries[i].Kind != EntryKind.File) continue;
                var outcome = summary.Entries[i];
                outcome.Offset = offsets[i];
                progress.Add(offsets[i]);
                progress.Current = entries[i].Name;
                writer.Byte((byte)FrameType.FileStart).U32((uint)i);
                await writer.FlushFrameAsync(stop.Token);
                var (status, digest, error) = await SendFileDataAsync(writer, entries[i], offsets[i], hash, outcome, progress, throttle, stop.Token);
                outcome.Hash = FileHasher.ToHex(digest);
                outcome.Error = error;
                writer.Byte((byte)FrameType.FileEnd).Byte((byte)status).Bytes(digest);
                await writer.FlushFrameAsync(stop.Token);
            }
            writer.Byte((byte)FrameType.Done);
            await writer.FlushFrameAsync(stop.Token);
            await stream.FlushAsync(stop.Token);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            // The receiver's own words beat our broken pipe: wait briefly for its ERROR frame.
            var verdict = await Task.WhenAny(peer, Task.Delay(2000, ct));
            if (verdict == peer && peer.IsFaulted && peer.Exception!.InnerException is PeerErrorException said) throw said;
            if (e is OperationCanceledException) throw new SockException("the receiver stopped the transfer", e);
            throw new SockException(LostMessage(e), e);
        }

        var statuses = await peer;
        for (var i = 0; i < entries.Count; i++)
        {
            var outcome = summary.Entries[i];
            if (outcome.Kind == EntryKind.Directory) continue;
            var received = statuses[i];
            // Our own verdict (changed while sending) explains more than the receiver's echo of it.
            if (outcome.Error is null || received == FileStatus.Ok) outcome.Status = received;
            else outcome.Status = FileStatus.ChangedWhileSending;
        }
        progress.Clock.Stop();
        summary.Elapsed = progress.Clock.Elapsed;
        return summary;
    }

    private static async Task<long[]> ReadPlanAsync(WireReader reader, IReadOnlyList<ManifestEntry> entries, CancellationToken ct)
    {
        var type = await reader.TryReadByteAsync(ct);
        if (type < 0) throw new HandshakeIncompleteException("the receiver closed the connection before answering");
        if (type == (byte)FrameType.Error) throw new PeerErrorException(await reader.ReadStringAsync(WireFormat.MaxErrorBytes, ct));
        if (type != (byte)FrameType.Plan) throw new ProtocolException($"expected PLAN, got frame 0x{type:x2}");
        var count = await reader.ReadUInt32Async(ct);
        if (count != entries.Count) throw new ProtocolException($"plan has {count} entries, manifest {entries.Count}");
        var offsets = new long[count];
        for (var i = 0; i < count; i++)
        {
            var offset = await reader.ReadUInt64Async(ct);
            if (offset > (ulong)entries[i].Size) throw new ProtocolException($"plan offset {offset} beyond the size of {entries[i].Name}");
            offsets[i] = (long)offset;
        }
        return offsets;
    }

    private static async Task<FileStatus[]> ReadVerdictAsync(WireReader reader, int count, CancellationTokenSource stop, CancellationToken ct)
    {
        try
        {
            var type = await reader.TryReadByteAsync(ct);
            if (type < 0) throw new SockException("the receiver closed the connection before confirming the transfer");
            if (type == (byte)FrameType.Error) throw new PeerErrorException(await reader.ReadStringAsync(WireFormat.MaxErrorBytes, ct));
            if (type != (byte)FrameType.Result) throw new ProtocolException($"expected RESULT, got frame 0x{type:x2}");
            var n = await reader.ReadUInt32Async(ct);
            if (n != count) throw new ProtocolException($"result has {n} entries, manifest {count}");
            var statuses = new FileStatus[n];
            for (var i = 0; i < n; i++) statuses[i] = (FileStatus)await reader.ReadByteAsync(ct);
            return statuses;
        }
        catch (Exception e) when (e is IOException or EndOfStreamException)
        {
            await stop.CancelAsync();
            throw new SockException(LostMessage(e), e);
        }
        catch
        {
            await stop.CancelAsync();
            throw;
        }
    }

    private static async Task<(SendStatus, byte[], string?)> SendFileDataAsync(WireWriter writer, ManifestEntry entry, long offset,
        HashKind kind, FileOutcome outcome, TransferProgress progress, Throttle throttle, CancellationToken ct)
    {
        var channel = Channel.CreateBounded<(byte[] Buffer, int Length)>(new BoundedChannelOptions(4) { SingleReader = true, SingleWriter = true });
        using var hash = FileHasher.Create(kind);
        var producer = Task.Run(() => ReadAndHashAsync(entry, offset, hash, throttle.ChunkSize, channel.Writer, ct), ct);
        try
        {
            await foreach (var (buffer, length) in channel.Reader.ReadAllAsync(ct))
            {
                try
                {
                    await writer.WriteRawAsync(buffer.AsMemory(0, WireFormat.DataHeaderLength + length), ct);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
                outcome.Transferred += length;
                progress.Add(length);
                await throttle.PaceAsync(length, ct);
            }
        }
        catch
        {
            // Let the producer see the cancellation and stop before we leave.
            try { await producer; } catch (Exception e) when (e is OperationCanceledException or IOException or SockException or ChannelClosedException) { }
            throw;
        }
        var (status, error) = await producer;
        // Checked again once the last byte is on the wire: the reader runs ahead of the socket.
        if (status == SendStatus.Ok && ChangedSince(entry) is { } change) (status, error) = (SendStatus.Changed, change);
        return (status, status == SendStatus.Ok ? hash.GetHash() : new byte[hash.Length], error);
    }

    private static string LostMessage(Exception e) =>
        "connection to the receiver lost: "
        + (e.InnerException is System.Net.Sockets.SocketException se ? Sock.Net.SocketErrors.Format(se.SocketErrorCode) : e.Message.TrimEnd('.'))
        + " (run the same commands again to resume)";

    /// <summary>Why the file no longer matches its manifest entry (size or mtime), or null.</summary>
    private static string? ChangedSince(ManifestEntry entry)
    {
        var info = new FileInfo(entry.SourcePath!);
        if (!info.Exists) return "file removed while sending";
        if (info.Length != entry.Size) return $"file changed while sending (size {entry.Size} → {info.Length} bytes)";
        if (ManifestEntry.ToNanoseconds(info.LastWriteTimeUtc) != entry.MtimeNanoseconds) return "file changed while sending (modification time moved)";
        return null;
    }

    private static async Task<(SendStatus, string?)> ReadAndHashAsync(ManifestEntry entry, long offset, FileHash hash, int chunkSize,
        ChannelWriter<(byte[], int)> output, CancellationToken ct)
    {
        try
        {
            using var handle = File.OpenHandle(entry.SourcePath!, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, FileOptions.SequentialScan);
            if (RandomAccess.GetLength(handle) != entry.Size)
                return (SendStatus.Changed, $"size changed from {entry.Size} to {RandomAccess.GetLength(handle)} bytes before sending");
            // The hash covers the whole file, so the prefix the receiver already holds is hashed too (locally, not sent).
            await FileHasher.AppendPrefixAsync(hash, handle, offset, ct);
            var position = offset;
            while (position < entry.Size)
            {
                var want = (int)Math.Min(chunkSize, entry.Size - position);
                var buffer = ArrayPool<byte>.Shared.Rent(WireFormat.DataHeaderLength + want);
                // A blocking read: this task exists to read ahead, and the asynchronous form would only
                // hand each read to yet another pool thread (a wake-up per chunk on both sides).
                var n = RandomAccess.Read(handle, buffer.AsSpan(WireFormat.DataHeaderLength, want), position);
                if (n == 0)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    return (SendStatus.Changed, $"file shrank while sending (ended at {position} of {entry.Size} bytes)");
                }
                hash.Append(buffer.AsSpan(WireFormat.DataHeaderLength, n));
                buffer[0] = (byte)FrameType.Data;
                BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(1), (uint)n);
                await output.WriteAsync((buffer, n), ct);
                position += n;
            }
            return ChangedSince(entry) is { } change ? (SendStatus.Changed, change) : (SendStatus.Ok, null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (SendStatus.ReadError, "read failed: " + e.Message);
        }
        finally
        {
            output.TryComplete();
        }
    }
}

/// <summary>How to send: the hash, and an optional rate limit in bytes per second (0 = as fast as possible).</summary>
public sealed record SendOptions(HashKind Hash = HashKind.XxHash128, long BytesPerSecond = 0);

/// <summary>Paces data to a byte rate by sleeping when ahead of schedule; a no-op without a limit.</summary>
internal sealed class Throttle(long bytesPerSecond)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _sent;

    /// <summary>Smaller chunks under a limit so the pace is smooth (about ten per second).</summary>
    public int ChunkSize => bytesPerSecond <= 0 ? WireFormat.ChunkSize : (int)Math.Clamp(bytesPerSecond / 10, 4096, WireFormat.ChunkSize);

    public async ValueTask PaceAsync(long bytes, CancellationToken ct)
    {
        if (bytesPerSecond <= 0) return;
        _sent += bytes;
        var due = TimeSpan.FromSeconds((double)_sent / bytesPerSecond) - _clock.Elapsed;
        if (due > TimeSpan.Zero) await Task.Delay(due, ct);
    }
}

/// <summary>The connection ended before hello/manifest/plan were exchanged (a port probe): a listener may accept again.</summary>
public sealed class HandshakeIncompleteException : SockException
{
    public HandshakeIncompleteException(string message) : base(message) { }

    public HandshakeIncompleteException() { }

    public HandshakeIncompleteException(string message, Exception inner) : base(message, inner) { }
}
