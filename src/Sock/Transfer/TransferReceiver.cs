using System.Buffers;
using System.Threading.Channels;

namespace Sock.Transfer;

/// <summary>Where and how received files are stored.</summary>
public sealed record ReceiveOptions(string OutputDirectory, bool Overwrite = false);

/// <summary>
/// The receiving side: validates every name before writing anything, decides each file's offset from
/// its <c>.part</c>, then socket reads feed a writer task (file write + hash) through a bounded channel
/// so network and disk overlap. A file is renamed into place only when its whole-file hash matches.
/// </summary>
public static class TransferReceiver
{
    private sealed record Target(ManifestEntry Entry, string Resolved, string FinalPath, long Offset);

    public static async Task<TransferSummary> ReceiveAsync(Stream stream, ReceiveOptions options, TransferProgress? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(options);
        progress ??= new TransferProgress();
        using var writer = new WireWriter(stream);
        var reader = new WireReader(stream);
        var summary = new TransferSummary { Direction = "receive" };
        try
        {
            summary.Hash = await ReadHelloAsync(reader, ct);
            progress.Clock.Start();
            var entries = await ReadManifestAsync(reader, ct);
            foreach (var e in entries) summary.Entries.Add(new FileOutcome(e.Name, e.Kind, e.Size));
            progress.SetTotal(summary.BytesTotal);
            var targets = Prepare(entries, options);

            writer.Byte((byte)FrameType.Plan).U32((uint)targets.Length);
            foreach (var t in targets) writer.U64((ulong)t.Offset);
            await writer.FlushFrameAsync(ct);
            await stream.FlushAsync(ct);

            await ReceiveFilesAsync(reader, targets, summary, options, progress, ct);
            ApplyDirectoryAttributes(targets, summary);

            writer.Byte((byte)FrameType.Result).U32((uint)targets.Length);
            foreach (var o in summary.Entries) writer.Byte((byte)(o.Kind == EntryKind.Directory ? FileStatus.Ok : o.Status));
            await writer.FlushFrameAsync(ct);
            await stream.FlushAsync(ct);
        }
        catch (Exception e) when (e is SockException or IOException or UnauthorizedAccessException && e is not PeerErrorException && !ct.IsCancellationRequested)
        {
            // Tell the sender why we stop, in one line, then fail ourselves with the same words.
            var message = e is SockException ? e.Message : Sentence(e);
            await writer.TrySendErrorAsync(message);
            if (e is SockException) throw;
            throw new SockException(message, e);
        }
        progress.Clock.Stop();
        summary.Elapsed = progress.Clock.Elapsed;
        return summary;
    }

    private static async Task<HashKind> ReadHelloAsync(WireReader reader, CancellationToken ct)
    {
        var first = await reader.TryReadByteAsync(ct);
        if (first < 0) throw new HandshakeIncompleteException("the sender closed the connection before saying hello");
        var hello = new byte[WireFormat.HelloLength];
        hello[0] = (byte)first;
        try
        {
            await reader.ReadExactlyAsync(hello.AsMemory(1), ct);
        }
        catch (EndOfStreamException)
        {
            throw new ProtocolException("not a sock transfer (connection closed during hello); use --raw for bare bytes");
        }
        if (!hello.AsSpan(0, 8).SequenceEqual(WireFormat.Magic))
            throw new ProtocolException("not a sock transfer (bad magic); use --raw to receive bare bytes");
        if (hello[8] != WireFormat.Version)
            throw new ProtocolException($"unsupported protocol version {hello[8]} (this side speaks {WireFormat.Version})");
        var kind = (HashKind)hello[9];
        if (kind is not (HashKind.XxHash128 or HashKind.Sha256)) throw new ProtocolException($"unknown hash algorithm code {hello[9]}");
        return kind;
    }

    private static async Task<List<ManifestEntry>> ReadManifestAsync(WireReader reader, CancellationToken ct)
    {
        var type = await ReadFrameTypeAsync(reader, "manifest", ct);
        if (type != FrameType.Manifest) throw new ProtocolException($"expected MANIFEST, got frame 0x{(byte)type:x2}");
        var count = await reader.ReadUInt32Async(ct);
        if (count > WireFormat.MaxEntries) throw new ProtocolException($"manifest of {count} entries exceeds the limit of {WireFormat.MaxEntries}");
        var entries = new List<ManifestEntry>((int)count);
        for (var i = 0; i < count; i++)
        {
            var kind = (EntryKind)await reader.ReadByteAsync(ct);
            if (kind is not (EntryKind.File or EntryKind.Directory)) throw new ProtocolException($"unknown entry kind {(byte)kind}");
            var name = await reader.ReadStringAsync(WireFormat.MaxNameBytes, ct);
            var size = await reader.ReadUInt64Async(ct);
            if (size > long.MaxValue) throw new ProtocolException($"size of {name} out of range");
            var mode = await reader.ReadUInt32Async(ct);
            var mtime = await reader.ReadInt64Async(ct);
            entries.Add(new ManifestEntry(kind, name, kind == EntryKind.File ? (long)size : 0, (int)(mode & 0xFFF), mtime));
        }
        return entries;
    }

    /// <summary>Validates every name (nothing is written if one is bad), creates directories, picks names and offsets.</summary>
    private static Target[] Prepare(List<ManifestEntry> entries, ReceiveOptions options)
    {
        var resolved = new string[entries.Count];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < entries.Count; i++)
        {
            resolved[i] = SafePaths.Resolve(options.OutputDirectory, entries[i].Name);
            if (!seen.Add(resolved[i])) throw new UnsafePathException($"refused manifest: \"{SafePaths.Printable(entries[i].Name)}\" appears twice");
        }
        var targets = new Target[entries.Count];
        for (var i = 0; i < entries.Count; i++)
        {
            var e = entries[i];
            var path = resolved[i];
            try
            {
                if (e.Kind == EntryKind.Directory)
                {
                    if (File.Exists(path)) throw new SockException($"cannot create directory {path}: a file of that name exists");
                    Directory.CreateDirectory(path);
                    targets[i] = new Target(e, path, path, 0);
                    continue;
                }
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                var final = PartFile.ChooseTarget(path, options.Overwrite);
                var part = new FileInfo(final + PartFile.Suffix);
                var offset = part.Exists && part.LinkTarget is null && part.Length <= e.Size ? part.Length : 0;
                targets[i] = new Target(e, path, final, offset);
            }
            catch (Exception x) when (x is IOException or UnauthorizedAccessException)
            {
                throw new SockException($"cannot write to {Path.GetDirectoryName(path)}: {Sentence(x)}", x);
            }
        }
        return targets;
    }

    private static async Task ReceiveFilesAsync(WireReader reader, Target[] targets, TransferSummary summary, ReceiveOptions options,
        TransferProgress progress, CancellationToken ct)
    {
        var next = 0;
        while (true)
        {
            var type = await ReadFrameTypeAsync(reader, "data", ct);
            if (type == FrameType.Done) break;
            if (type != FrameType.FileStart) throw new ProtocolException($"expected FILE_START or DONE, got frame 0x{(byte)type:x2}");
            var index = (int)await reader.ReadUInt32Async(ct);
            if (index < next || index >= targets.Length || targets[index].Entry.Kind != EntryKind.File)
                throw new ProtocolException($"FILE_START for entry {index} out of order or not a file");
            next = index + 1;
            await ReceiveOneAsync(reader, targets[index], summary.Entries[index], summary.Hash, options, progress, ct);
        }
        foreach (var (t, o) in targets.Zip(summary.Entries))
            if (t.Entry.Kind == EntryKind.File && o.Status == FileStatus.NotTransferred)
                o.Error ??= "the sender did not send this file";
    }

    private static async Task ReceiveOneAsync(WireReader reader, Target target, FileOutcome outcome, HashKind kind, ReceiveOptions options,
        TransferProgress progress, CancellationToken ct)
    {
        var entry = target.Entry;
        progress.Current = entry.Name;
        PartFile part;
        try
        {
            part = PartFile.Open(target.FinalPath, options.Overwrite, resume: true, expectedSize: entry.Size);
        }
        catch (Exception x) when (x is IOException or UnauthorizedAccessException)
        {
            throw new SockException($"cannot write {target.FinalPath}{PartFile.Suffix}: {Sentence(x)}", x);
        }
        using var _ = part;
        if (part.ExistingLength != target.Offset)
            throw new SockException($"{part.PartPath} changed while receiving; run again");
        outcome.Offset = target.Offset;
        outcome.SavedAs = target.FinalPath;
        progress.Add(target.Offset);

        var channel = Channel.CreateBounded<(byte[] Buffer, int Length)>(new BoundedChannelOptions(8) { SingleReader = true, SingleWriter = true });
        using var hash = FileHasher.Create(kind);
        var writerTask = Task.Run(() => WriteAndHashAsync(part, hash, channel, progress, ct), ct);
        var position = target.Offset;
        try
        {
            while (true)
            {
                var type = await ReadFrameTypeAsync(reader, entry.Name, ct, position, entry.Size);
                if (type == FrameType.FileEnd) break;
                if (type != FrameType.Data) throw new ProtocolException($"expected DATA or FILE_END, got frame 0x{(byte)type:x2}");
                var length = (int)Math.Min(await reader.ReadUInt32Async(ct), int.MaxValue);
                if (length > WireFormat.MaxDataLength) throw new ProtocolException($"DATA frame of {length} bytes exceeds {WireFormat.MaxDataLength}");
                if (position + length > entry.Size) throw new ProtocolException($"more data than the announced size of {entry.Name}");
                var buffer = ArrayPool<byte>.Shared.Rent(length);
                try
                {
                    await reader.ReadExactlyAsync(buffer.AsMemory(0, length), ct);
                }
                catch (EndOfStreamException)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    throw Lost(entry, position);
                }
                await channel.Writer.WriteAsync((buffer, length), ct);
                position += length;
                outcome.Transferred += length;
            }
        }
        catch (ChannelClosedException)
        {
            await writerTask; // rethrows the write error (disk full) that closed the channel
            throw;
        }
        catch
        {
            channel.Writer.TryComplete();
            try { await writerTask; } catch (Exception e) when (e is IOException or OperationCanceledException or UnauthorizedAccessException) { }
            throw;
        }
        channel.Writer.TryComplete();
        await writerTask;

        var status = (SendStatus)await reader.ReadByteAsync(ct);
        var expected = new byte[hash.Length];
        await reader.ReadExactlyAsync(expected, ct);
        var actual = hash.GetHash();
        outcome.Hash = FileHasher.ToHex(actual);
        if (status != SendStatus.Ok)
        {
            part.Discard();
            outcome.Status = FileStatus.ChangedWhileSending;
            outcome.Error = status == SendStatus.Changed ? "the sender reports the file changed while it was being sent (.part removed; run again)"
                : "the sender could not read the file";
            return;
        }
        if (position != entry.Size) throw new ProtocolException($"{entry.Name}: FILE_END at {position} of {entry.Size} bytes");
        if (!actual.AsSpan().SequenceEqual(expected))
        {
            part.Discard();
            outcome.Status = FileStatus.HashMismatch;
            outcome.Error = $"hash mismatch ({FileHasher.NameOf(kind)} expected {FileHasher.ToHex(expected)}, got {outcome.Hash}); .part removed, nothing saved";
            return;
        }
        try
        {
            outcome.SavedAs = part.Commit((UnixFileMode)(entry.Mode & 0x1FF), entry.MtimeUtc);
        }
        catch (Exception x) when (x is IOException or UnauthorizedAccessException)
        {
            throw new SockException($"cannot rename {part.PartPath} into place: {Sentence(x)}", x);
        }
        outcome.Status = FileStatus.Ok;
    }

    /// <summary>The pipelined writer: hashes the resumed prefix, then writes and hashes each chunk in order.</summary>
    private static async Task WriteAndHashAsync(PartFile part, FileHash hash, Channel<(byte[] Buffer, int Length)> channel,
        TransferProgress progress, CancellationToken ct)
    {
        try
        {
            await FileHasher.AppendPrefixAsync(hash, part.Handle, part.ExistingLength, ct);
            var position = part.ExistingLength;
            await foreach (var (buffer, length) in channel.Reader.ReadAllAsync(ct))
            {
                try
                {
                    hash.Append(buffer.AsSpan(0, length));
                    part.Write(buffer.AsSpan(0, length), position);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
                position += length;
                progress.Add(length);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var error = new SockException($"write {part.PartPath}: {Sentence(e)} (the .part is kept; free space and run again to resume)", e);
            channel.Writer.TryComplete(error);
            while (channel.Reader.TryRead(out var item)) ArrayPool<byte>.Shared.Return(item.Buffer);
            throw error;
        }
    }

    private static void ApplyDirectoryAttributes(Target[] targets, TransferSummary summary)
    {
        // Deepest first, and after all files: writing a file would move its directory's mtime again.
        for (var i = targets.Length - 1; i >= 0; i--)
        {
            var t = targets[i];
            if (t.Entry.Kind != EntryKind.Directory) continue;
            try
            {
                if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(t.FinalPath, (UnixFileMode)(t.Entry.Mode & 0x1FF) | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                Directory.SetLastWriteTimeUtc(t.FinalPath, t.Entry.MtimeUtc);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                summary.Entries[i].Error = "could not set attributes: " + e.Message;
            }
            summary.Entries[i].SavedAs = t.FinalPath;
            summary.Entries[i].Status = FileStatus.Ok;
        }
    }

    private static async Task<FrameType> ReadFrameTypeAsync(WireReader reader, string during, CancellationToken ct, long position = -1, long size = -1)
    {
        var type = await reader.TryReadByteAsync(ct);
        if (type < 0)
        {
            var where = position >= 0 ? $" ({position} of {size} bytes; the .part is kept — run the same command again to resume)" : "";
            throw new SockException($"the sender closed the connection during {during}{where}");
        }
        if (type == (byte)FrameType.Error) throw new PeerErrorException(await reader.ReadStringAsync(WireFormat.MaxErrorBytes, ct));
        return (FrameType)type;
    }

    private static SockException Lost(ManifestEntry entry, long position) =>
        new($"the sender closed the connection during {entry.Name} ({position} of {entry.Size} bytes; the .part is kept — run the same command again to resume)");

    /// <summary>An OS error as a short phrase ("No space left on device : '/x'" → "no space left on device").</summary>
    internal static string Sentence(Exception e)
    {
        if (e.InnerException is System.Net.Sockets.SocketException se)
            return "connection lost: " + Sock.Net.SocketErrors.Format(se.SocketErrorCode) + " (a .part is kept; run the same command again to resume)";
        if (e is EndOfStreamException) return "the sender closed the connection in the middle of a frame (a .part is kept; run the same command again to resume)";
        var m = e.Message;
        var cut = m.IndexOf(" : '", StringComparison.Ordinal);
        if (cut > 0) m = m[..cut];
        if (e is UnauthorizedAccessException) return "permission denied";
        return m.TrimEnd('.');
    }
}
