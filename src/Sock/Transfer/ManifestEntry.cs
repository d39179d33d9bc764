namespace Sock.Transfer;

/// <summary>
/// One file or directory of a transfer: its '/'-separated relative <see cref="Name"/>, size, Unix mode
/// bits and modification time (Unix nanoseconds). <see cref="SourcePath"/> is the sender's local path
/// and never goes on the wire.
/// </summary>
public sealed record ManifestEntry(EntryKind Kind, string Name, long Size, int Mode, long MtimeNanoseconds)
{
    public string? SourcePath { get; init; }

    public DateTime MtimeUtc => DateTime.UnixEpoch.AddTicks(MtimeNanoseconds / 100);

    public static long ToNanoseconds(DateTime utc) => (utc - DateTime.UnixEpoch).Ticks * 100;
}

/// <summary>Builds a sender's manifest from command-line paths: files by their name, directories as whole trees.</summary>
public static class Manifest
{
    /// <summary>
    /// Files and directories under <paramref name="paths"/>, parents before children, sorted by name.
    /// Symlinks inside a tree are skipped (they are reported through <paramref name="skipped"/>).
    /// </summary>
    public static List<ManifestEntry> FromPaths(IEnumerable<string> paths, Action<string>? skipped = null)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var entries = new List<ManifestEntry>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var raw in paths)
        {
            var path = Path.TrimEndingDirectorySeparator(raw);
            var name = Path.GetFileName(Path.GetFullPath(path));
            if (Directory.Exists(path))
            {
                Add(entries, names, Entry(EntryKind.Directory, name, path));
                Walk(path, name, entries, names, skipped);
            }
            else if (File.Exists(path))
            {
                Add(entries, names, Entry(EntryKind.File, name, path));
            }
            else
            {
                throw new SockException($"{raw}: no such file or directory");
            }
        }
        return entries;
    }

    private static void Walk(string dir, string prefix, List<ManifestEntry> entries, HashSet<string> names, Action<string>? skipped)
    {
        var children = new DirectoryInfo(dir).EnumerateFileSystemInfos().OrderBy(i => i.Name, StringComparer.Ordinal).ToList();
        foreach (var child in children)
        {
            var name = prefix + "/" + child.Name;
            if (child.LinkTarget is not null)
            {
                skipped?.Invoke(child.FullName);
                continue;
            }
            if (child is DirectoryInfo)
            {
                Add(entries, names, Entry(EntryKind.Directory, name, child.FullName));
                Walk(child.FullName, name, entries, names, skipped);
            }
            else if (child is FileInfo { Attributes: var a } && (a & FileAttributes.Device) == 0)
            {
                Add(entries, names, Entry(EntryKind.File, name, child.FullName));
            }
        }
    }

    private static void Add(List<ManifestEntry> entries, HashSet<string> names, ManifestEntry entry)
    {
        if (!names.Add(entry.Name)) throw new SockException($"two paths would both be sent as \"{entry.Name}\"");
        entries.Add(entry);
    }

    private static ManifestEntry Entry(EntryKind kind, string name, string path)
    {
        FileSystemInfo info = kind == EntryKind.File ? new FileInfo(path) : new DirectoryInfo(path);
        var size = info is FileInfo f ? f.Length : 0;
        var mode = OperatingSystem.IsWindows() ? (kind == EntryKind.File ? 0x1A4 : 0x1ED) : (int)info.UnixFileMode;
        return new ManifestEntry(kind, name, size, mode, ManifestEntry.ToNanoseconds(info.LastWriteTimeUtc)) { SourcePath = path };
    }
}
