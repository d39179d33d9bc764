using Sock.Chat;
using Sock.Chat.Cluster;

namespace Sock.Tests.Cluster;

public sealed class ClusterWireTests
{
    [Fact]
    public void A_room_event_survives_the_wire_with_everything_clients_see()
    {
        var e = new ChatEvent
        {
            Kind = ChatEventKind.Message, From = "ann", FromPrefix = "ann!plain@10.0.0.1", Target = "#x", Text = "héllo\nworld", MsgId = "n1-abc-7",
            Account = "ann", FromBot = true, ClientTags = "+draft/reply=x;+typing=active", Audience = RoomStatus.Operator,
            Lines = [new MessageLine("héllo", false), new MessageLine("world", false)], Time = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123),
        };
        var back = ClusterJson.Event(ClusterJson.Write(WireEvent.Of(e, "n1")))!.ToEvent(42, null);
        Assert.Equal((e.Kind, e.From, e.FromPrefix, e.Target, e.Text, e.MsgId, e.Account, e.FromBot, e.ClientTags, e.Audience, e.Time),
            (back.Kind, back.From, back.FromPrefix, back.Target, back.Text, back.MsgId, back.Account, back.FromBot, back.ClientTags, back.Audience, back.Time));
        Assert.Equal(42, back.Sequence);
        Assert.Equal(e.Lines, back.Lines);
    }

    [Fact]
    public void The_field_reader_reads_what_the_generated_writer_wrote_joiner_and_lines_included()
    {
        var w = new WireEvent
        {
            K = (int)ChatEventKind.Join, T = 1_700_000_000_123, F = "ann", P = "ann!a@h", To = "#x", X = "tëxt \"q\" \u0001", E = "Ann Real", Id = "n1-1",
            A = "ann", B = true, C = "+typing=active", Au = 3, N = "n1", S = 2, H = true,
            U = new WireUser { Node = "n1", Nick = "ann", User = "a", Host = "h", Real = "Ann Real", Account = "ann", Bot = true, SignOn = 1_700_000_000 },
            L = [new WireLine { T = "one", C = false }, new WireLine { T = "two", C = true }],
        };
        var json = ClusterJson.Bytes(w);
        var generated = System.Text.Json.JsonSerializer.Deserialize(json, ClusterJson.Default.WireEvent)!;
        var read = ClusterJson.Event(json)!;
        Assert.Equal(ClusterJson.Write(generated), ClusterJson.Write(read));
        Assert.Equal("ann", read.U!.Nick);
        Assert.Equal(["one", "two"], read.L!.Select(l => l.T));
    }

    [Fact]
    public void The_field_reader_skips_fields_it_does_not_know_and_refuses_what_is_not_an_event()
    {
        var read = ClusterJson.Event("""{"K":1,"Future":{"a":[1,2,{"b":null}]},"Zz":"x","F":"ann","To":null,"Id":"i"}"""u8)!;
        Assert.Equal((1, "ann", null, "i"), (read.K, read.F, read.To, read.Id));
        Assert.Null(ClusterJson.Event("null"u8));
        Assert.Throws<System.Text.Json.JsonException>(() => ClusterJson.Event("[1]"u8));
        Assert.ThrowsAny<System.Text.Json.JsonException>(() => ClusterJson.Event("""{"K":1"""u8));
    }

    [Theory]
    [InlineData("redis://127.0.0.1:6380", "127.0.0.1:6380", false, null)]
    [InlineData("redis://cache.internal", "cache.internal:6379", false, null)]
    [InlineData("rediss://:s3cret@10.0.0.5:6390", "10.0.0.5:6390", true, "s3cret")]
    public void Redis_urls_are_read_as_documented(string url, string endpoint, bool tls, string? password)
    {
        var c = ClusterNode.ParseUrl(url);
        Assert.Equal(endpoint, c.EndPoints[0] switch { System.Net.DnsEndPoint d => $"{d.Host}:{d.Port}", var x => x.ToString() });
        Assert.Equal(tls, c.Ssl);
        Assert.Equal(password, c.Password);
    }

    [Theory]
    [InlineData("127.0.0.1:6379")]
    [InlineData("http://127.0.0.1:6379")]
    [InlineData("redis://")]
    public void Other_urls_get_a_clear_error(string url)
    {
        var e = Assert.Throws<SockException>(() => ClusterNode.ParseUrl(url));
        Assert.Contains("redis://127.0.0.1:6379", e.Message);
    }

    [Fact]
    public void A_room_and_its_keys_share_one_hash_tag_whatever_its_case()
    {
        Assert.Equal("sock:{#room}:log", ClusterKeys.RoomLog("#Room"));
        Assert.Equal("sock:{#room}:state", ClusterKeys.RoomState("#ROOM"));
        Assert.Equal("sock:{#room}:history", ClusterKeys.History("#room"));
    }
}
