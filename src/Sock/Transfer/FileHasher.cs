using System.IO.Hashing;
using System.Security.Cryptography;

namespace Sock.Transfer;

/// <summary>The end-to-end hash of a whole file. The byte values are the wire codes.</summary>
public enum HashKind : byte
{
    XxHash128 = 1,
    Sha256 = 2,
}

/// <summary>An incremental whole-file hash: append the bytes in order, then read the digest.</summary>
public abstract class FileHash : IDisposable
{
    public abstract HashKind Kind { get; }

    public int Length => FileHasher.LengthOf(Kind);

    public abstract void Append(ReadOnlySpan<byte> data);

    public abstract byte[] GetHash();

    public virtual void Dispose() => GC.SuppressFinalize(this);
}

/// <summary>Creates hashes by kind and name, and hashes file prefixes (for resume).</summary>
public static class FileHasher
{
    public static FileHash Create(HashKind kind) => kind switch
    {
        HashKind.XxHash128 => new XxHash128File(),
        HashKind.Sha256 => new Sha256File(),
        _ => throw new SockException($"unknown hash algorithm code {(byte)kind}"),
    };

    public static int LengthOf(HashKind kind) => kind switch
    {
        HashKind.XxHash128 => 16,
        HashKind.Sha256 => 32,
        _ => throw new SockException($"unknown hash algorithm code {(byte)kind}"),
    };

    /// <summary>"xxh128" or "sha256".</summary>
    public static string NameOf(HashKind kind) => kind == HashKind.Sha256 ? "sha256" : "xxh128";

    /// <summary>Parses a user-facing name: xxh128 (also xxhash128, xxh3-128) or sha256.</summary>
    public static HashKind Parse(string name) => name.ToLowerInvariant() switch
    {
        "xxh128" or "xxhash128" or "xxh3-128" or "xxh3" => HashKind.XxHash128,
        "sha256" or "sha-256" => HashKind.Sha256,
        _ => throw new ArgumentException($"unknown hash '{name}' (use xxh128 or sha256)"),
    };

    /// <summary>Feeds the first <paramref name="length"/> bytes of <paramref name="path"/> into <paramref name="hash"/>.</summary>
    public static async Task AppendPrefixAsync(FileHash hash, string path, long length, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(hash);
        if (length == 0) return;
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, FileOptions.SequentialScan);
        await AppendPrefixAsync(hash, handle, length, ct);
    }

    public static async Task AppendPrefixAsync(FileHash hash, Microsoft.Win32.SafeHandles.SafeFileHandle handle, long length, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(hash);
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            long done = 0;
            while (done < length)
            {
                var want = (int)Math.Min(buffer.Length, length - done);
                var n = await RandomAccess.ReadAsync(handle, buffer.AsMemory(0, want), done, ct);
                if (n == 0) throw new SockException($"file shorter than expected while hashing ({done} of {length} bytes)");
                hash.Append(buffer.AsSpan(0, n));
                done += n;
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Lower-case hex of a digest, for reports.</summary>
    public static string ToHex(ReadOnlySpan<byte> digest) => Convert.ToHexStringLower(digest);

    private sealed class XxHash128File : FileHash
    {
        private readonly XxHash128 _hash = new();
        public override HashKind Kind => HashKind.XxHash128;
        public override void Append(ReadOnlySpan<byte> data) => _hash.Append(data);
        public override byte[] GetHash() => _hash.GetCurrentHash();
    }

    private sealed class Sha256File : FileHash
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        public override HashKind Kind => HashKind.Sha256;
        public override void Append(ReadOnlySpan<byte> data) => _hash.AppendData(data);
        public override byte[] GetHash() => _hash.GetCurrentHash();
        public override void Dispose()
        {
            _hash.Dispose();
            base.Dispose();
        }
    }
}
