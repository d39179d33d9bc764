using System.Globalization;
using System.Text.RegularExpressions;

namespace Sock.Interop.Tests.Chat;

/// <summary>
/// The issue's bug: a member joining while others talk got a message both live and in the join replay
/// (the replay was read after the join, outside the room's lock). Several senders flood a room while
/// plain and IRC members join; each joiner must get every message exactly once, replayed ones first,
/// in the order the server accepted them.
/// </summary>
public partial class JoinDuringFloodTests
{
    private const int Senders = 4, PerSender = 1000, Joiners = 6;

    [GeneratedRegex(@"^(?<from>s\d) (?<n>\d{5})$")]
    private static partial Regex Numbered();

    [GeneratedRegex(@"msgid=[^; ]*-(?<seq>[0-9a-f]+)[; ]")]
    private static partial Regex MsgIdSequence();

    [Fact]
    public async Task EveryMessageArrivesOnceInOrderForPlainAndIrcJoiners()
    {
        await using var server = await ChatServerProcess.StartAsync("--history", "1000", "--max-queue", "67108864");
        var senders = new List<LineClient>();
        for (var s = 0; s < Senders; s++) senders.Add(await server.IrcAsync("s" + s, "#lobby"));
        var plain = new List<LineClient>();
        var irc = new List<LineClient>();
        try
        {
            // The senders talk as fast as they can, each in its own task: their lines interleave in the room.
            var flood = senders.Select((c, s) => Task.Run(async () =>
            {
                // Bursts of 20 with short pauses: the flood lasts long enough for the joins to land inside it.
                for (var i = 0; i < PerSender; i += 20)
                {
                    await c.SendAsync(string.Concat(Enumerable.Range(i, 20).Select(n => $"PRIVMSG #lobby :s{s} {n:D5}\r\n")));
                    await Task.Delay(5);
                }
            })).ToList();
            // Meanwhile members join, one after another, while the flood runs.
            for (var j = 0; j < Joiners; j++)
            {
                plain.Add((await server.PlainAsync("plain" + j)).Client);
                var c = await server.ConnectAsync();
                await c.SendAsync($"CAP LS 302\r\nCAP REQ :server-time message-tags batch\r\nCAP END\r\nNICK irc{j}\r\nUSER i 0 * :i\r\nJOIN #lobby\r\n");
                irc.Add(c);
            }
            await Task.WhenAll(flood);
            foreach (var c in plain.Concat(irc)) await LastOfEverySenderAsync(c);

            var midFlood = 0; // joiners that got both a replay and live lines: they joined while it ran
            foreach (var c in plain)
            {
                // Plain: the replay is "[HH:mm] <s0> s0 00012", then live "<s0> s0 00013".
                var got = c.Lines.Where(l => l.Contains("<s", StringComparison.Ordinal)).ToList();
                var replayed = got.TakeWhile(l => l.StartsWith('[')).Count();
                Assert.DoesNotContain(got.Skip(replayed), l => l.StartsWith('[')); // replayed ones first
                if (replayed > 0 && got.Count > replayed) midFlood++;
                CheckOncePerSender(got.Select(l => l[(l.IndexOf("> ", StringComparison.Ordinal) + 2)..]));
            }
            foreach (var c in irc)
            {
                var got = c.Lines.Where(l => l.Contains(" PRIVMSG #lobby :s", StringComparison.Ordinal)).ToList();
                // IRC: the replay is a batch; after it, only live lines (no batch tag).
                var replayed = got.TakeWhile(l => l.Contains("batch=", StringComparison.Ordinal)).Count();
                Assert.DoesNotContain(got.Skip(replayed), l => l.Contains("batch=", StringComparison.Ordinal));
                if (replayed > 0 && got.Count > replayed) midFlood++;
                const string verb = " PRIVMSG #lobby :";
                CheckOncePerSender(got.Select(l => l[(l.IndexOf(verb, StringComparison.Ordinal) + verb.Length)..]));
                // The server's order: each msgid carries the acceptance sequence, which must only grow.
                var sequence = got.Select(l => long.Parse(MsgIdSequence().Match(l).Groups["seq"].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture)).ToList();
                Assert.Equal(sequence.Order(), sequence);
                Assert.Equal(sequence.Count, sequence.Distinct().Count());
            }
            Assert.True(midFlood >= Joiners, $"only {midFlood} of {2 * Joiners} joiners joined during the flood: the test did not test the race");
        }
        finally
        {
            foreach (var c in senders.Concat(plain).Concat(irc)) c.Dispose();
        }
    }

    /// <summary>Waits (in any order: the senders interleave) until each sender's last message has arrived.</summary>
    private static async Task LastOfEverySenderAsync(LineClient c)
    {
        var last = Enumerable.Range(0, Senders).Select(s => $"s{s} {PerSender - 1:D5}").ToList();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!last.All(t => c.Lines.Any(l => l.EndsWith(t, StringComparison.Ordinal))))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the flood did not all arrive; got:\n" + c.All);
            await Task.Delay(50);
        }
    }

    /// <summary>From the first message seen of each sender to its last: every one, once, in the order sent.</summary>
    private static void CheckOncePerSender(IEnumerable<string> texts)
    {
        var next = new Dictionary<string, int>();
        foreach (var text in texts)
        {
            var m = Numbered().Match(text);
            Assert.True(m.Success, $"unexpected message '{text}'");
            var (from, n) = (m.Groups["from"].Value, int.Parse(m.Groups["n"].Value, CultureInfo.InvariantCulture));
            if (next.TryGetValue(from, out var expected)) Assert.True(n == expected, $"{from}: got {n} where {expected} was due (a duplicate or a reordering)");
            next[from] = n + 1;
        }
        Assert.Equal(Senders, next.Count);
        Assert.All(next.Values, v => Assert.Equal(PerSender, v));
    }
}
