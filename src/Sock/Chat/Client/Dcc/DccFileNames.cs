namespace Sock.Chat.Client.Dcc;

/// <summary>
/// The file-name rules for offers from others (a minimal version of the transfer engine's safe
/// paths, kept here until both areas share one): a name is a single plain file name, never a
/// path, so an offer cannot write outside the download directory.
/// </summary>
public static class DccFileNames
{
    /// <summary>Why <paramref name="name"/> is refused, or null when it is safe to use.</summary>
    public static string? Problem(string name)
    {
        if (string.IsNullOrWhiteSpace(name)) return "the file name is empty";
        if (name.Contains('/', StringComparison.Ordinal) || name.Contains('\\', StringComparison.Ordinal))
            return $"the file name '{name}' contains a path; only plain names are accepted";
        if (name is "." or "..") return $"the file name '{name}' is a directory reference";
        if (name.Any(char.IsControl)) return "the file name contains control characters";
        if (System.Text.Encoding.UTF8.GetByteCount(name) > 255) return "the file name is longer than 255 bytes";
        return null;
    }

    /// <summary>A path in <paramref name="directory"/> for <paramref name="name"/> that does not exist yet (name, name.1, name.2…).</summary>
    public static string FreePath(string directory, string name)
    {
        var path = Path.Combine(directory, name);
        var stem = Path.GetFileNameWithoutExtension(name);
        var extension = Path.GetExtension(name);
        for (var i = 1; File.Exists(path) || File.Exists(path + PartSuffix); i++)
            path = Path.Combine(directory, $"{stem}.{i}{extension}");
        return path;
    }

    /// <summary>Data being received is written here and renamed when complete.</summary>
    public const string PartSuffix = ".part";
}
