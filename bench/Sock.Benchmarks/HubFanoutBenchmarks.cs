using BenchmarkDotNet.Attributes;
using Sock.Chat;

namespace Sock.Benchmarks;

/// <summary>The hub's part of one room message: sequencing, history and fan-out to every member.</summary>
[MemoryDiagnoser]
public class HubFanoutBenchmarks
{
    private sealed class CountingMember : ChatMember
    {
        public int Delivered;
        public override string Protocol => "bench";
        public override void Deliver(ChatEvent e) => Delivered++;
        public override void Disconnect(string reason) { }
    }

    [Params(10, 100, 1000)]
    public int Members { get; set; }

    private ChatHub _hub = null!;
    private CountingMember _sender = null!;

    [GlobalSetup]
    public void Setup()
    {
        _hub = new ChatHub(new ChatServerOptions { ServerName = "bench.local" });
        var members = Enumerable.Range(0, Members).Select(_ => new CountingMember()).ToList();
        foreach (var m in members)
        {
            _hub.ClaimGuestNick(m);
            _hub.Join(m, "#bench", out _);
        }
        _sender = members[0];
    }

    [Benchmark]
    public ChatError SayToRoom() => _hub.Say(_sender, "#bench", "hello, this is a typical chat line", ChatEventKind.Message, out _);
}
