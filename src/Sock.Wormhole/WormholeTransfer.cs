using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using Sock.Transfer;

namespace Sock.Wormhole;

/// <summary>Where the mailbox server and transit relays are, and whether we offer a direct (listening) path.</summary>
public sealed record WormholeOptions(Uri MailboxUrl, IReadOnlyList<TransitHint> Relays, bool Listen = true, int CodeWords = 2)
{
    public TimeSpan TransitTimeout { get; init; } = TimeSpan.FromSeconds(60);
}

/// <summary>What happened, for the front end to show (codes, offers, the path the bytes took).</summary>
public interface IWormholeEvents
{
    void Code(string code);

    void Status(string line);
}

/// <summary>
/// magic-wormhole's file transfer (the "text-or-file-xfer" application): the sender's "transit"
/// hints and "offer" (a file, or a directory sent as a deflated zip), the receiver's hints and
/// "answer", then the file's bytes in transit records and the receiver's {"ack": "ok", "sha256"}.
/// What is received goes through sock's rules: safe names only, written to NAME.part and renamed
/// into place once the SHA-256 is known, never over an existing file ("name (1).ext" instead).
/// </summary>
public static class WormholeTransfer
{
    private const int ChunkSize = 64 * 1024;
    private static readonly string TransitPurpose = WormholeSession.FileTransferAppId + "/transit-key";

    public static async Task<TransferSummary> SendAsync(string path, string? code, WormholeOptions options, IWormholeEvents events,
        TransferProgress progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(progress);
        var summary = new TransferSummary { Direction = "send", Hash = HashKind.Sha256 };
        var full = Path.GetFullPath(path);
        var name = Path.GetFileName(full.TrimEnd(Path.DirectorySeparatorChar));
        string? zipPath = null;
        try
        {
            byte[] offer;
            string payload;
            if (File.Exists(full))
            {
                payload = full;
                var size = new FileInfo(full).Length;
                offer = WormholeSession.JsonBytes(w =>
                {
                    w.WriteStartObject("offer");
                    w.WriteStartObject("file");
                    w.WriteString("filename", name);
                    w.WriteNumber("filesize", size);
                    w.WriteEndObject();
                    w.WriteEndObject();
                });
                summary.Entries.Add(new FileOutcome(name, EntryKind.File, size));
            }
            else if (Directory.Exists(full))
            {
                zipPath = Path.Combine(Path.GetTempPath(), $"sock-wormhole-{Guid.NewGuid():N}.zip");
                var files = ZipDirectory(full, zipPath, summary, name);
                var zipSize = new FileInfo(zipPath).Length;
                var numBytes = summary.BytesTotal;
                payload = zipPath;
                offer = WormholeSession.JsonBytes(w =>
                {
                    w.WriteStartObject("offer");
                    w.WriteStartObject("directory");
                    w.WriteString("mode", "zipfile/deflated");
                    w.WriteString("dirname", name);
                    w.WriteNumber("zipsize", zipSize);
                    w.WriteNumber("numbytes", numBytes);
                    w.WriteNumber("numfiles", files);
                    w.WriteEndObject();
                    w.WriteEndObject();
                });
            }
            else
            {
                throw new SockException($"{path}: no such file or directory");
            }

            await using var session = await WormholeSession.ConnectAsync(options.MailboxUrl, WormholeSession.FileTransferAppId, ct);
            if (code is null) code = await session.AllocateCodeAsync(options.CodeWords, ct);
            else await session.UseCodeAsync(code, ct);
            events.Code(code);
            await session.EstablishAsync(ct);

            using var connector = new TransitConnector(isSender: true, WormholeCrypto.DeriveKey(session.Key, TransitPurpose), options.Relays, options.Listen);
            await session.SendAsync(connector.Ours.ToMessage(), ct);
            await session.SendAsync(offer, ct);
            var theirs = new TransitHints();
            while (true)
            {
                using var doc = JsonDocument.Parse(await session.ReceiveAsync(ct));
                var root = doc.RootElement;
                if (root.TryGetProperty("error", out var error))
                    throw new PeerErrorException($"the receiver refused: {error}");
                if (root.TryGetProperty("transit", out var transit)) theirs = TransitHints.Parse(transit);
                if (root.TryGetProperty("answer", out var answer))
                {
                    if (answer.TryGetProperty("file_ack", out var ack) && ack.GetString() == "ok") break;
                    throw new PeerErrorException($"the receiver declined the offer ({answer.GetRawText()})");
                }
            }

            await using var records = await connector.ConnectAsync(theirs, options.TransitTimeout, ct);
            events.Status($"sending via {records.Description}");
            summary.Peer = records.Description;
            var payloadSize = new FileInfo(payload).Length;
            progress.SetTotal(payloadSize);
            progress.Clock.Start();
            byte[] digest;
            using (var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
            await using (var file = new FileStream(payload, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan))
            {
                var buffer = new byte[ChunkSize];
                long sent = 0;
                int n;
                while ((n = await file.ReadAsync(buffer, ct)) > 0)
                {
                    sha.AppendData(buffer, 0, n);
                    await records.SendAsync(buffer.AsMemory(0, n), ct);
                    sent += n;
                    progress.Add(n);
                }
                if (sent != payloadSize) throw new SockException($"{path} changed while sending ({payloadSize} → {sent} bytes)");
                digest = sha.GetHashAndReset();
            }
            var ackRecord = await records.ReceiveAsync(ct) ?? throw new SockException("the receiver closed the transit connection before confirming");
            using (var ackDoc = JsonDocument.Parse(ackRecord))
            {
                var ack = ackDoc.RootElement;
                if (!ack.TryGetProperty("ack", out var ok) || ok.GetString() != "ok")
                    throw new PeerErrorException($"the receiver reports failure ({ack.GetRawText()})");
                if (ack.TryGetProperty("sha256", out var theirHash) && !string.Equals(theirHash.GetString(), Convert.ToHexStringLower(digest), StringComparison.OrdinalIgnoreCase))
                    throw new SockException("the receiver's SHA-256 differs from ours: the file was damaged on the way");
            }
            progress.Clock.Stop();
            foreach (var e in summary.Entries)
            {
                e.Transferred = e.Size;
                e.Status = FileStatus.Ok;
            }
            if (summary.Entries.Count == 1) summary.Entries[0].Hash = Convert.ToHexStringLower(digest);
            summary.Elapsed = progress.Clock.Elapsed;
            await session.CloseAsync("happy");
            return summary;
        }
        finally
        {
            if (zipPath is not null) File.Delete(zipPath);
        }
    }

    /// <summary>Zips a tree as wormhole does (deflated, names relative to it, Unix modes in the external attributes); symlinks are skipped.</summary>
    private static int ZipDirectory(string root, string zipPath, TransferSummary summary, string name)
    {
        summary.Entries.Add(new FileOutcome(name, EntryKind.Directory, 0));
        var count = 0;
        using var zip = ZipFile.Open(zipPath, ZipArchiveMode.Create);
        foreach (var file in Directory.EnumerateFiles(root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint }))
        {
            var relative = Path.GetRelativePath(root, file).Replace(Path.DirectorySeparatorChar, '/');
            var entry = zip.CreateEntryFromFile(file, relative, CompressionLevel.Optimal);
            if (!OperatingSystem.IsWindows()) entry.ExternalAttributes = (int)(0x8000 | (int)File.GetUnixFileMode(file)) << 16;
            summary.Entries.Add(new FileOutcome($"{name}/{relative}", EntryKind.File, new FileInfo(file).Length));
            count++;
        }
        return count;
    }

    /// <summary>Receives what the code's sender offers; a text message (wormhole send --text) comes back in <c>Text</c>.</summary>
    public static async Task<(TransferSummary Summary, string? Text)> ReceiveAsync(string code, WormholeOptions options, ReceiveOptions receive, IWormholeEvents events,
        TransferProgress progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(code);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(receive);
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(progress);
        var summary = new TransferSummary { Direction = "receive", Hash = HashKind.Sha256 };
        await using var session = await WormholeSession.ConnectAsync(options.MailboxUrl, WormholeSession.FileTransferAppId, ct);
        await session.UseCodeAsync(code, ct);
        await session.EstablishAsync(ct);

        TransitConnector? connector = null;
        TransitHints? theirs = null;
        try
        {
            JsonElement offer;
            while (true)
            {
                using var doc = JsonDocument.Parse(await session.ReceiveAsync(ct));
                var root = doc.RootElement;
                if (root.TryGetProperty("error", out var error)) throw new PeerErrorException($"the sender gave up: {error}");
                if (root.TryGetProperty("transit", out var transit))
                {
                    theirs = TransitHints.Parse(transit);
                    connector ??= new TransitConnector(isSender: false, WormholeCrypto.DeriveKey(session.Key, TransitPurpose), options.Relays, options.Listen);
                    await session.SendAsync(connector.Ours.ToMessage(), ct);
                }
                if (root.TryGetProperty("offer", out var o))
                {
                    offer = o.Clone();
                    break;
                }
            }

            if (offer.TryGetProperty("message", out var text))
            {
                await session.SendAsync(WormholeSession.JsonBytes(w => { w.WriteStartObject("answer"); w.WriteString("message_ack", "ok"); w.WriteEndObject(); }), ct);
                await session.CloseAsync("happy");
                return (summary, text.GetString());
            }
            if (connector is null || theirs is null) throw await RefuseAsync(session, "the sender sent an offer without transit hints", ct);
            if (offer.TryGetProperty("file", out var file))
            {
                var name = file.TryGetProperty("filename", out var fn) ? fn.GetString() ?? "" : "";
                var size = file.TryGetProperty("filesize", out var fs) && fs.TryGetInt64(out var s) && s >= 0 ? s : -1;
                if (size < 0) throw await RefuseAsync(session, "offer without a file size", ct);
                var target = await SafeTargetAsync(session, receive, name, ct);
                using var part = PartFile.Open(target, receive.Overwrite, resume: false);
                var outcome = new FileOutcome(name, EntryKind.File, size) { SavedAs = target };
                summary.Entries.Add(outcome);
                await AcceptAsync(session, ct);
                await using var records = await connector.ConnectAsync(theirs, options.TransitTimeout, ct);
                events.Status($"receiving {name} via {records.Description}");
                summary.Peer = records.Description;
                var digest = await ReceiveBytesAsync(records, part, size, outcome, progress, ct);
                outcome.Hash = Convert.ToHexStringLower(digest);
                outcome.SavedAs = part.Commit();
                outcome.Status = FileStatus.Ok;
                await SendAckAsync(records, digest, ct);
            }
            else if (offer.TryGetProperty("directory", out var dir))
            {
                var mode = dir.TryGetProperty("mode", out var m) ? m.GetString() : null;
                if (mode != "zipfile/deflated") throw await RefuseAsync(session, $"unknown directory transfer mode {mode}", ct);
                var name = dir.TryGetProperty("dirname", out var dn) ? dn.GetString() ?? "" : "";
                var zipSize = dir.TryGetProperty("zipsize", out var zs) && zs.TryGetInt64(out var z) && z >= 0 ? z : -1;
                var numBytes = dir.TryGetProperty("numbytes", out var nb) && nb.TryGetInt64(out var b) && b >= 0 ? b : -1;
                if (zipSize < 0 || numBytes < 0) throw await RefuseAsync(session, "directory offer without sizes", ct);
                var target = await SafeTargetAsync(session, receive, name, ct);
                // The zip lands beside its target as .zip.part (same disk, same cleanup rules), is unpacked
                // into TARGET.part, and only a complete, verified tree is renamed to TARGET.
                using var zipPart = PartFile.Open(target + ".zip", overwrite: true, resume: false);
                var zipOutcome = new FileOutcome(name + ".zip", EntryKind.File, zipSize);
                await AcceptAsync(session, ct);
                await using var records = await connector.ConnectAsync(theirs, options.TransitTimeout, ct);
                events.Status($"receiving {name}/ via {records.Description}");
                summary.Peer = records.Description;
                var digest = await ReceiveBytesAsync(records, zipPart, zipSize, zipOutcome, progress, ct);
                zipPart.Handle.Dispose();
                try
                {
                    Unzip(zipPart.PartPath, target, name, numBytes, receive.Overwrite, summary);
                }
                finally
                {
                    zipPart.Discard();
                }
                await SendAckAsync(records, digest, ct);
            }
            else
            {
                throw await RefuseAsync(session, "unknown offer type", ct);
            }
            progress.Clock.Stop();
            summary.Elapsed = progress.Clock.Elapsed;
            await session.CloseAsync("happy");
            return (summary, null);
        }
        finally
        {
            connector?.Dispose();
        }
    }

    private static async Task<Exception> RefuseAsync(WormholeSession session, string why, CancellationToken ct)
    {
        await session.SendAsync(WormholeSession.JsonBytes(w => w.WriteString("error", why)), ct);
        return new SockException($"refused the offer: {why}");
    }

    private static Task AcceptAsync(WormholeSession session, CancellationToken ct) =>
        session.SendAsync(WormholeSession.JsonBytes(w => { w.WriteStartObject("answer"); w.WriteString("file_ack", "ok"); w.WriteEndObject(); }), ct);

    /// <summary>The offered name as one safe path component under the output directory, and a free final name.</summary>
    private static async Task<string> SafeTargetAsync(WormholeSession session, ReceiveOptions receive, string name, CancellationToken ct)
    {
        try
        {
            if (SafePaths.Validate(name).Length != 1) throw new UnsafePathException($"refused \"{SafePaths.Printable(name)}\": a name with a directory in it");
            Directory.CreateDirectory(Path.GetFullPath(receive.OutputDirectory));
            return PartFile.ChooseTarget(SafePaths.Resolve(receive.OutputDirectory, name), receive.Overwrite);
        }
        catch (UnsafePathException e)
        {
            await session.SendAsync(WormholeSession.JsonBytes(w => w.WriteString("error", "unsafe file name")), ct);
            throw new UnsafePathException(e.Message, e);
        }
    }

    private static async Task<byte[]> ReceiveBytesAsync(TransitRecords records, PartFile part, long size, FileOutcome outcome,
        TransferProgress progress, CancellationToken ct)
    {
        progress.SetTotal(size);
        progress.Clock.Start();
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long position = 0;
        while (position < size)
        {
            byte[]? record;
            try
            {
                record = await records.ReceiveAsync(ct);
            }
            catch (Exception e) when (e is IOException or EndOfStreamException)
            {
                throw new SockException($"transit connection lost at {position} of {size} bytes ({part.PartPath} kept)", e);
            }
            if (record is null) throw new SockException($"the sender closed the transit connection at {position} of {size} bytes ({part.PartPath} kept)");
            if (position + record.Length > size) throw new SockException("the sender sent more than it offered");
            sha.AppendData(record);
            part.Write(record, position);
            position += record.Length;
            outcome.Transferred += record.Length;
            progress.Add(record.Length);
        }
        return sha.GetHashAndReset();
    }

    private static Task SendAckAsync(TransitRecords records, byte[] digest, CancellationToken ct) =>
        records.SendAsync(WormholeSession.JsonBytes(w =>
        {
            w.WriteString("ack", "ok");
            w.WriteString("sha256", Convert.ToHexStringLower(digest));
        }), ct);

    /// <summary>
    /// Unpacks into TARGET.part with every name checked first (nothing is written if one is unsafe),
    /// no more bytes than the offer announced (a zip bomb stops there), modes and mtimes kept; then renames.
    /// </summary>
    private static void Unzip(string zipPath, string target, string name, long announcedBytes, bool overwrite, TransferSummary summary)
    {
        using var zip = ZipFile.OpenRead(zipPath);
        var staging = target + PartFile.Suffix;
        if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        Directory.CreateDirectory(staging);
        var files = new List<(ZipArchiveEntry Entry, string Path)>();
        foreach (var entry in zip.Entries)
        {
            if (entry.FullName.EndsWith('/')) continue;
            files.Add((entry, SafePaths.Resolve(staging, entry.FullName)));
        }
        var final = overwrite ? target : SafePaths.ChooseFreeName(target);
        summary.Entries.Add(new FileOutcome(name, EntryKind.Directory, 0) { SavedAs = final, Status = FileStatus.Ok });
        long budget = announcedBytes;
        var buffer = new byte[ChunkSize];
        foreach (var (entry, path) in files)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            long written = 0;
            using (var input = entry.Open())
            using (var output = new FileStream(path, FileMode.CreateNew, FileAccess.Write))
            {
                int n;
                while ((n = input.Read(buffer)) > 0)
                {
                    written += n;
                    if (written > budget) throw new SockException($"refused {name}: the zip unpacks to more than the {announcedBytes} bytes offered");
                    output.Write(buffer, 0, n);
                }
            }
            budget -= written;
            var mode = (entry.ExternalAttributes >> 16) & 0x1FF;
            if (mode != 0 && !OperatingSystem.IsWindows()) File.SetUnixFileMode(path, (UnixFileMode)mode | UnixFileMode.UserRead | UnixFileMode.UserWrite);
            File.SetLastWriteTime(path, entry.LastWriteTime.DateTime);
            var relative = Path.GetRelativePath(staging, path).Replace(Path.DirectorySeparatorChar, '/');
            summary.Entries.Add(new FileOutcome($"{name}/{relative}", EntryKind.File, written)
            {
                Transferred = written, Status = FileStatus.Ok, SavedAs = Path.Combine(final, relative),
            });
        }
        if (overwrite && Directory.Exists(final)) Directory.Delete(final, recursive: true);
        Directory.Move(staging, final);
    }
}
