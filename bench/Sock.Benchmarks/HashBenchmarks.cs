using System.IO.Hashing;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;

namespace Sock.Benchmarks;

/// <summary>Hash throughput decides whether verification keeps up with the wire (loopback is several GB/s).</summary>
public class HashBenchmarks
{
    private readonly byte[] _data = new byte[4 * 1024 * 1024];

    [GlobalSetup]
    public void Setup() => new Random(42).NextBytes(_data);

    [Benchmark(Baseline = true)]
    public byte[] XxHash128_4MiB() => XxHash128.Hash(_data);

    [Benchmark]
    public byte[] Sha256_4MiB() => SHA256.HashData(_data);
}
