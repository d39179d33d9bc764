using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace Sock.Web.Files;

/// <summary>
/// Uploaded files, addressed by content (SHA-256): DIR/objects/ab/abcd… holds the bytes once however
/// often they are shared; DIR/meta/HASH.ACCOUNT records who shared it under which name, which is
/// what a user's quota counts. Uploads land in DIR/tmp and are renamed into place once hashed.
/// </summary>
public sealed class FileStore
{
    private readonly string _root;
    private readonly ConcurrentDictionary<string, long> _used = new(StringComparer.Ordinal);

    public FileStore(string root)
    {
        _root = Path.GetFullPath(root);
        foreach (var d in new[] { "objects", "meta", "tmp" }) Directory.CreateDirectory(Path.Combine(_root, d));
        foreach (var meta in Directory.EnumerateFiles(Path.Combine(_root, "meta")))
        {
            var lines = File.ReadAllLines(meta);
            if (lines.Length >= 3 && long.TryParse(lines[2], System.Globalization.CultureInfo.InvariantCulture, out var size))
                _used.AddOrUpdate(lines[0], size, (_, n) => n + size);
        }
    }

    public long UsedBy(string account) => _used.GetValueOrDefault(account);

    /// <summary>Streams <paramref name="body"/> to disk while hashing; at most <paramref name="max"/> bytes are taken.</summary>
    public async Task<StoredFile> SaveAsync(Stream body, string account, string name, long max, CancellationToken ct)
    {
        var tmp = Path.Combine(_root, "tmp", Guid.NewGuid().ToString("N"));
        long size = 0;
        string hash;
        try
        {
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            await using (var file = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0, FileOptions.Asynchronous))
            {
                var buffer = new byte[64 * 1024];
                int n;
                while ((n = await body.ReadAsync(buffer, ct)) > 0)
                {
                    size += n;
                    if (size > max) throw new InvalidDataException($"upload larger than {max} bytes");
                    sha.AppendData(buffer, 0, n);
                    await file.WriteAsync(buffer.AsMemory(0, n), ct);
                }
            }
            hash = Convert.ToHexStringLower(sha.GetHashAndReset());
            var target = ObjectPath(hash);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            if (File.Exists(target)) File.Delete(tmp);
            else File.Move(tmp, target);
        }
        catch
        {
            try { File.Delete(tmp); } catch (IOException) { }
            throw;
        }
        var metaPath = Path.Combine(_root, "meta", $"{hash}.{Hex(account)}");
        if (!File.Exists(metaPath))
        {
            await File.WriteAllLinesAsync(metaPath, [account, name, size.ToString(System.Globalization.CultureInfo.InvariantCulture)], ct);
            _used.AddOrUpdate(account, size, (_, n) => n + size);
        }
        return new StoredFile(hash, name, size);
    }

    /// <summary>The bytes of <paramref name="hash"/>, or null (also for anything that is not a hash).</summary>
    public string? Find(string hash)
    {
        if (hash.Length != 64 || !hash.All(char.IsAsciiHexDigitLower)) return null;
        var path = ObjectPath(hash);
        return File.Exists(path) ? path : null;
    }

    private string ObjectPath(string hash) => Path.Combine(_root, "objects", hash[..2], hash);

    // Account names become part of a file name: hex keeps any name safe there.
    private static string Hex(string s) => Convert.ToHexStringLower(Encoding.UTF8.GetBytes(s));
}

public sealed record StoredFile(string Hash, string Name, long Size);
