using System.IO.Hashing;
using System.Security.Cryptography;
using Sock.Transfer;

namespace Sock.Tests.Transfer;

public sealed class FileHasherTests
{
    [Theory]
    [InlineData("xxh128", HashKind.XxHash128)]
    [InlineData("XXHASH128", HashKind.XxHash128)]
    [InlineData("sha256", HashKind.Sha256)]
    [InlineData("sha-256", HashKind.Sha256)]
    public void Parse_KnowsTheNames(string name, HashKind kind) => Assert.Equal(kind, FileHasher.Parse(name));

    [Fact]
    public void Parse_RefusesOthers() => Assert.Throws<ArgumentException>(() => FileHasher.Parse("md5"));

    [Fact]
    public void IncrementalHash_EqualsOneShot_ForBothKinds()
    {
        var data = new byte[300_001];
        new Random(5).NextBytes(data);
        using var xx = FileHasher.Create(HashKind.XxHash128);
        using var sha = FileHasher.Create(HashKind.Sha256);
        foreach (var chunk in data.Chunk(65_536))
        {
            xx.Append(chunk);
            sha.Append(chunk);
        }
        Assert.Equal(XxHash128.Hash(data), xx.GetHash());
        Assert.Equal(SHA256.HashData(data), sha.GetHash());
        Assert.Equal(16, xx.Length);
        Assert.Equal(32, sha.Length);
    }

    [Fact]
    public async Task PrefixThenRest_EqualsWholeFile()
    {
        var path = Path.GetTempFileName();
        try
        {
            var data = new byte[3_000_000];
            new Random(9).NextBytes(data);
            await File.WriteAllBytesAsync(path, data, TestContext.Current.CancellationToken);
            using var hash = FileHasher.Create(HashKind.XxHash128);
            await FileHasher.AppendPrefixAsync(hash, path, 1_234_567, TestContext.Current.CancellationToken);
            hash.Append(data.AsSpan(1_234_567));
            Assert.Equal(XxHash128.Hash(data), hash.GetHash());
        }
        finally
        {
            File.Delete(path);
        }
    }
}
