using System.Diagnostics;

namespace Sock.Transfer;

/// <summary>What happened to one entry, as both sides report it.</summary>
public sealed record FileOutcome(string Name, EntryKind Kind, long Size)
{
    /// <summary>Receiver: the path it was saved to (after any "name (1).ext" choice).</summary>
    public string? SavedAs { get; set; }

    /// <summary>Where the data started (bytes the receiver already held in .part).</summary>
    public long Offset { get; set; }

    /// <summary>Data bytes of this file that crossed the wire in this run.</summary>
    public long Transferred { get; set; }

    public FileStatus Status { get; set; } = FileStatus.NotTransferred;

    public string? Hash { get; set; }

    public string? Error { get; set; }
}

/// <summary>Live counters a front end can poll for a progress bar; written by the transfer, read anywhere.</summary>
public sealed class TransferProgress
{
    private long _done;
    private long _total;

    /// <summary>Bytes of file data accounted for so far (resumed prefixes count as done).</summary>
    public long Done => Interlocked.Read(ref _done);

    public long Total => Interlocked.Read(ref _total);

    public string? Current { get; set; }

    public Stopwatch Clock { get; } = new();

    /// <summary>For a transfer engine (sock's own, magic-wormhole's): how many bytes the whole transfer holds.</summary>
    public void SetTotal(long total) => Interlocked.Exchange(ref _total, total);

    /// <summary>For a transfer engine: bytes just accounted for.</summary>
    public void Add(long bytes) => Interlocked.Add(ref _done, bytes);
}

/// <summary>The result of a whole transfer, for the one-line summary and the --json document.</summary>
public sealed class TransferSummary
{
    /// <summary>"send" or "receive".</summary>
    public required string Direction { get; init; }

    /// <summary>Bare bytes (--raw): no hash, no resume.</summary>
    public bool Raw { get; init; }
    public string? Peer { get; set; }
    public HashKind Hash { get; set; }
    public List<FileOutcome> Entries { get; } = [];
    public TimeSpan Elapsed { get; set; }

    /// <summary>Transfer-level failure (peer error, connection lost), null when the session completed.</summary>
    public string? Error { get; set; }

    public int Files => Entries.Count(e => e.Kind == EntryKind.File);
    public int Directories => Entries.Count(e => e.Kind == EntryKind.Directory);
    public long BytesTotal => Entries.Sum(e => e.Size);
    public long BytesTransferred => Entries.Sum(e => e.Transferred);
    public long BytesResumed => Entries.Sum(e => e.Offset);

    public bool Succeeded => Error is null && Entries.All(e => e.Kind == EntryKind.Directory || e.Status == FileStatus.Ok);

    /// <summary>The first failure in words, for the exit message.</summary>
    public string? FailureMessage()
    {
        if (Error is not null) return Error;
        var bad = Entries.Where(e => e.Kind == EntryKind.File && e.Status != FileStatus.Ok).ToList();
        if (bad.Count == 0) return null;
        var first = bad[0];
        var what = first.Error ?? Describe(first.Status);
        return bad.Count == 1 ? $"{first.Name}: {what}" : $"{bad.Count} files failed; first: {first.Name}: {what}";
    }

    public static string Describe(FileStatus status) => status switch
    {
        FileStatus.Ok => "ok",
        FileStatus.HashMismatch => "hash mismatch: the received data differs from the sender's file (.part removed; run again to retransfer)",
        FileStatus.ChangedWhileSending => "file changed while it was being sent (.part removed; run again)",
        FileStatus.WriteError => "write failed",
        _ => "not transferred",
    };
}
