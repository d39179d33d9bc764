using System.Text;
using BenchmarkDotNet.Attributes;
using Sock.Chat.Transport;

namespace Sock.Benchmarks;

/// <summary>Line framing runs on every byte a chat client sends: 64 KiB of 100-byte lines, split across reads.</summary>
[MemoryDiagnoser]
public class LineFramerBenchmarks
{
    private readonly byte[] _data = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(new string('x', 99) + "\n", 655)));
    private readonly LineFramer _framer = new(8192);
    private int _lines;

    [Benchmark]
    public int Frame64KiB()
    {
        _lines = 0;
        // 1,500-byte reads, the size a loopback segment tends to arrive in, so lines straddle reads.
        for (var i = 0; i < _data.Length; i += 1500)
            _framer.Push(_data.AsSpan(i, Math.Min(1500, _data.Length - i)), (_, _, _) => _lines++);
        return _lines;
    }
}
