using System.Text;

namespace Sock.Transfer;

/// <summary>
/// Turns a name chosen by a remote peer into a path inside a local output directory, or refuses it.
/// Independent of any wire protocol, so file transfer and the chat client's DCC share one rule set.
/// </summary>
public static class SafePaths
{
    /// <summary>Longest relative name accepted, in characters.</summary>
    public const int MaxNameLength = 4096;

    private static readonly HashSet<string> DeviceNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "CON", "PRN", "AUX", "NUL",
        "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
        "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
    };

    /// <summary>
    /// Checks a '/'-separated relative name and returns its components. Refuses empty names,
    /// absolute paths, '.', '..', empty components, NUL and control characters, '\' (an encoded
    /// separator on Windows), and device names (CON, NUL, COM1…), whatever the local OS.
    /// </summary>
    public static string[] Validate(string relativeName)
    {
        ArgumentNullException.ThrowIfNull(relativeName);
        if (relativeName.Length == 0) throw Refuse(relativeName, "empty name");
        if (relativeName.Length > MaxNameLength) throw Refuse(relativeName, "name too long");
        if (relativeName[0] == '/' || (relativeName.Length >= 2 && relativeName[1] == ':'))
            throw Refuse(relativeName, "absolute path");
        var parts = relativeName.Split('/');
        foreach (var part in parts)
        {
            if (part.Length == 0) throw Refuse(relativeName, "empty path component");
            if (part is "." or "..") throw Refuse(relativeName, $"'{part}' component");
            if (Encoding.UTF8.GetByteCount(part) > 255) throw Refuse(relativeName, "component longer than 255 bytes");
            foreach (var c in part)
            {
                if (c == '\0') throw Refuse(relativeName, "NUL character");
                if (c == '\\') throw Refuse(relativeName, "backslash (encoded separator)");
                if (char.IsControl(c)) throw Refuse(relativeName, "control character");
                if (c is '\u2215' or '\u2044' or '\uFF0F') throw Refuse(relativeName, "look-alike '/' character");
            }
            var stem = part.Split('.')[0].TrimEnd(' ');
            if (DeviceNames.Contains(stem)) throw Refuse(relativeName, "device name");
        }
        return parts;
    }

    /// <summary>
    /// The full path of <paramref name="relativeName"/> under <paramref name="outputDir"/>. Also refuses
    /// a path that passes through an existing symlink (or the final name being one) leading outside the
    /// output directory. Writes nothing.
    /// </summary>
    public static string Resolve(string outputDir, string relativeName)
    {
        var parts = Validate(relativeName);
        var given = Path.GetFullPath(outputDir);
        var root = RealPath(given);
        var current = given;
        foreach (var part in parts)
        {
            current = Path.Combine(current, part);
            var info = new FileInfo(current);
            if (info.LinkTarget is null) continue;
            var target = info.ResolveLinkTarget(returnFinalTarget: true)?.FullName;
            if (target is null || !IsInside(root, RealPath(target)))
                throw Refuse(relativeName, "path goes through a symlink that leads outside the output directory");
        }
        var full = Path.GetFullPath(current);
        if (!IsInside(given, full)) throw Refuse(relativeName, "outside the output directory");
        return full;
    }

    /// <summary>
    /// <paramref name="path"/> itself when nothing exists there, otherwise the first free
    /// "name (1).ext", "name (2).ext"… (also skipping names whose <c>.part</c> belongs to another transfer is the caller's choice).
    /// </summary>
    public static string ChooseFreeName(string path, Func<string, bool>? isTaken = null)
    {
        isTaken ??= p => Path.Exists(p) || new FileInfo(p).LinkTarget is not null;
        if (!isTaken(path)) return path;
        var dir = Path.GetDirectoryName(path) ?? "";
        var name = Path.GetFileName(path);
        var dot = name.LastIndexOf('.');
        var (stem, ext) = dot > 0 ? (name[..dot], name[dot..]) : (name, "");
        for (var i = 1; i < 100_000; i++)
        {
            var candidate = Path.Combine(dir, $"{stem} ({i}){ext}");
            if (!isTaken(candidate)) return candidate;
        }
        throw new SockException($"no free name for {path}");
    }

    private static bool IsInside(string root, string path)
    {
        var prefix = root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar;
        return path == root || path.StartsWith(prefix, StringComparison.Ordinal);
    }

    /// <summary>The path with every existing symlink along it resolved (the output dir itself may be a link).</summary>
    private static string RealPath(string path)
    {
        var full = Path.GetFullPath(path);
        var existing = full;
        var rest = new Stack<string>();
        while (!Path.Exists(existing))
        {
            var parent = Path.GetDirectoryName(existing);
            if (parent is null) return full;
            rest.Push(Path.GetFileName(existing));
            existing = parent;
        }
        var resolved = existing;
        var info = new DirectoryInfo(existing);
        if (info.LinkTarget is not null)
            resolved = info.ResolveLinkTarget(true)?.FullName ?? existing;
        else if (Path.GetDirectoryName(existing) is { } up && up != existing)
            resolved = Path.Combine(RealPath(up), Path.GetFileName(existing));
        while (rest.Count > 0) resolved = Path.Combine(resolved, rest.Pop());
        return resolved;
    }

    private static UnsafePathException Refuse(string name, string why) =>
        new($"refused unsafe path \"{Printable(name)}\": {why}");

    /// <summary>The name with NUL and control characters shown as escapes, for error messages.</summary>
    public static string Printable(string name)
    {
        var sb = new StringBuilder(name.Length);
        foreach (var c in name)
            sb.Append(char.IsControl(c) ? $"\\x{(int)c:x2}" : c.ToString());
        return sb.ToString();
    }
}

/// <summary>A peer-supplied name would land outside the output directory or is otherwise unusable.</summary>
public sealed class UnsafePathException : SockException
{
    public UnsafePathException(string message) : base(message) { }

    public UnsafePathException() { }

    public UnsafePathException(string message, Exception inner) : base(message, inner) { }
}
