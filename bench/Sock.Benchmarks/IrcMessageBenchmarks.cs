using BenchmarkDotNet.Attributes;
using Sock.Chat.Irc;

namespace Sock.Benchmarks;

/// <summary>The IRC parser and serializer run once per line in and once per recipient line out.</summary>
[MemoryDiagnoser]
public class IrcMessageBenchmarks
{
    private const string Line = "@time=2026-11-25T10:00:00.000Z;msgid=abc :alice!alice@127.0.0.1 PRIVMSG #lobby :hello there, this is a typical chat line";
    private readonly IrcMessage _message = IrcMessage.Parse(Line)!;

    [Benchmark]
    public IrcMessage? Parse() => IrcMessage.Parse(Line);

    [Benchmark]
    public string Format() => _message.Format();
}
