using Sock.Transfer;

namespace Sock.Chat.Client.Dcc;

/// <summary>
/// The file-name rules for offers from others: a DCC name is one plain file name, never a path,
/// and must pass the transfer engine's <see cref="SafePaths"/> rules (no '..', control
/// characters, device names, look-alike slashes), so an offer cannot write outside the
/// download directory.
/// </summary>
public static class DccFileNames
{
    /// <summary>Why <paramref name="name"/> is refused, or null when it is safe to use.</summary>
    public static string? Problem(string name)
    {
        if (string.IsNullOrWhiteSpace(name)) return "the file name is empty";
        if (name.Contains('/', StringComparison.Ordinal) || name.Contains('\\', StringComparison.Ordinal))
            return $"the file name '{SafePaths.Printable(name)}' contains a path; only plain names are accepted";
        try
        {
            SafePaths.Validate(name);
            return null;
        }
        catch (UnsafePathException e)
        {
            return e.Message;
        }
    }

    /// <summary>
    /// A path in <paramref name="directory"/> for <paramref name="name"/> where neither the file
    /// nor its <c>.part</c> exists yet ("name (1).ext" and so on otherwise).
    /// </summary>
    public static string FreePath(string directory, string name) =>
        SafePaths.ChooseFreeName(SafePaths.Resolve(directory, name), p => Path.Exists(p) || Path.Exists(p + PartSuffix));

    /// <summary>
    /// An earlier, interrupted download of <paramref name="name"/>: its <c>.part</c> exists and the
    /// final file does not. Returns the final path and the bytes the part holds, or null.
    /// </summary>
    public static (string FinalPath, long Length)? Partial(string directory, string name)
    {
        var final = SafePaths.Resolve(directory, name);
        var part = final + PartSuffix;
        if (Path.Exists(final) || !File.Exists(part)) return null;
        return (final, new FileInfo(part).Length);
    }

    /// <summary>Data being received is written here and renamed when complete.</summary>
    public const string PartSuffix = PartFile.Suffix;
}
