namespace Sock.Chat.Client;

/// <summary>
/// Trust on first use: the SHA-256 fingerprint each TLS server showed the first time, one
/// <c>host:port fingerprint</c> per line (like ssh's known_hosts), so a later change is noticed.
/// </summary>
public sealed class KnownServers(string path)
{
    public string Path { get; } = path;

    /// <summary>The default file: <c>$XDG_CONFIG_HOME/sock/known_servers</c> or <c>~/.config/sock/known_servers</c>.</summary>
    public static string DefaultPath()
    {
        var config = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME");
        if (string.IsNullOrEmpty(config))
            config = System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
        return System.IO.Path.Combine(config, "sock", "known_servers");
    }

    public static string Key(string host, int port) => $"{host.ToLowerInvariant()}:{port}";

    /// <summary>The remembered fingerprint for the server, or null when it was never seen.</summary>
    public string? Find(string host, int port)
    {
        if (!File.Exists(Path)) return null;
        var key = Key(host, port);
        foreach (var line in File.ReadLines(Path))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length >= 2 && !parts[0].StartsWith('#') && string.Equals(parts[0], key, StringComparison.OrdinalIgnoreCase))
                return parts[1];
        }
        return null;
    }

    public void Remember(string host, int port, string fingerprint)
    {
        var dir = System.IO.Path.GetDirectoryName(Path);
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        File.AppendAllText(Path, $"{Key(host, port)} {fingerprint}\n");
    }
}
