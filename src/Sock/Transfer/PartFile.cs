using Microsoft.Win32.SafeHandles;

namespace Sock.Transfer;

/// <summary>
/// A file being received: bytes go to <c>NAME.part</c> beside the final name, and the part is renamed
/// into place only by <see cref="Commit"/> (after verification). An existing <c>.part</c> is kept and
/// appended to, so an interrupted transfer can resume from <see cref="ExistingLength"/>.
/// </summary>
public sealed class PartFile : IDisposable
{
    public const string Suffix = ".part";

    /// <summary>Where the file will be after <see cref="Commit"/>.</summary>
    public string FinalPath { get; private set; }

    public string PartPath => FinalPath + Suffix;

    /// <summary>Bytes the <c>.part</c> held when opened (the resume offset), 0 for a fresh file.</summary>
    public long ExistingLength { get; }

    public SafeFileHandle Handle { get; }

    private readonly bool _overwrite;
    private bool _done;

    private PartFile(string finalPath, SafeFileHandle handle, long existing, bool overwrite)
    {
        FinalPath = finalPath;
        Handle = handle;
        ExistingLength = existing;
        _overwrite = overwrite;
    }

    /// <summary>
    /// The final path to use for <paramref name="wantedPath"/>: itself with <paramref name="overwrite"/>
    /// or when free, otherwise "name (1).ext"… A name whose final file exists is taken; its <c>.part</c>
    /// alone does not make it taken, because that is the transfer to resume.
    /// </summary>
    public static string ChooseTarget(string wantedPath, bool overwrite) =>
        overwrite ? wantedPath : SafePaths.ChooseFreeName(wantedPath);

    /// <summary>
    /// Opens (creating or resuming) the <c>.part</c> for <paramref name="finalPath"/>. With
    /// <paramref name="resume"/> false, or when the part is longer than <paramref name="expectedSize"/>,
    /// it starts empty. A symlink in place of the <c>.part</c> is refused, never followed.
    /// </summary>
    public static PartFile Open(string finalPath, bool overwrite, bool resume = true, long expectedSize = long.MaxValue)
    {
        var part = finalPath + Suffix;
        if (new FileInfo(part).LinkTarget is not null)
            throw new UnsafePathException($"refused: {part} is a symlink");
        if (Directory.Exists(part))
            throw new SockException($"cannot write {part}: it is a directory");
        var handle = File.OpenHandle(part, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        try
        {
            var length = RandomAccess.GetLength(handle);
            if (!resume || length > expectedSize)
            {
                RandomAccess.SetLength(handle, 0);
                length = 0;
            }
            return new PartFile(finalPath, handle, length, overwrite);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The most one write(2) hands the kernel. Linux (6.x, ext4 and others with large folios) sizes
    /// page-cache folios from the write, so a 1 MiB write asks for 1 MiB of contiguous pages; on the
    /// benchmark VM those tend to be memory handed back to the host, whose first touch faults in the
    /// host: 2 GiB in 1 MiB writes took 3.8–4.7 s of system time, in 128–512 KiB writes 0.7–1.3 s
    /// (dd), and a 2 GiB receive 2.2–2.4 s with 256 KiB slices, 1.6–1.7 s with 32 KiB ones (probably as
    /// blocks this small come from per-CPU free lists, recently freed and warm; docs/BENCHMARKS.md). The
    /// 65,536 writes per 2 GiB cost far less than that.
    /// </summary>
    public const int WriteSlice = 32 * 1024;

    public ValueTask WriteAsync(ReadOnlyMemory<byte> data, long offset, CancellationToken ct) =>
        RandomAccess.WriteAsync(Handle, data, offset, ct);

    /// <summary>
    /// Writes <paramref name="data"/> at <paramref name="offset"/> in <see cref="WriteSlice"/> pieces,
    /// blocking: for the receiver's own writer task, which has nothing else to do meanwhile (the
    /// asynchronous form would hand each write to another pool thread).
    /// </summary>
    public void Write(ReadOnlySpan<byte> data, long offset)
    {
        while (data.Length > 0)
        {
            var n = Math.Min(data.Length, WriteSlice);
            RandomAccess.Write(Handle, data[..n], offset);
            data = data[n..];
            offset += n;
        }
    }

    /// <summary>
    /// Closes the part and renames it to <see cref="FinalPath"/>. Without overwrite, a final file that
    /// appeared meanwhile is not replaced: the next free "name (n).ext" is used and returned.
    /// </summary>
    public string Commit(UnixFileMode? mode = null, DateTime? lastWriteUtc = null)
    {
        Handle.Dispose();
        if (mode is { } m && !OperatingSystem.IsWindows()) File.SetUnixFileMode(PartPath, m);
        if (lastWriteUtc is { } t) File.SetLastWriteTimeUtc(PartPath, t);
        var part = PartPath;
        if (!_overwrite) FinalPath = SafePaths.ChooseFreeName(FinalPath);
        File.Move(part, FinalPath, overwrite: _overwrite);
        _done = true;
        return FinalPath;
    }

    /// <summary>Closes and deletes the part (its content is known bad).</summary>
    public void Discard()
    {
        Handle.Dispose();
        try { File.Delete(PartPath); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        _done = true;
    }

    /// <summary>Closes the part and keeps it for a later resume.</summary>
    public void Dispose()
    {
        Handle.Dispose();
        _ = _done;
    }
}
