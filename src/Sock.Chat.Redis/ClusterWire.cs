using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sock.Chat.Cluster;

/// <summary>A member as the other nodes see it (kept in Redis under <c>users</c>, sent with JOIN and presence changes).</summary>
internal sealed class WireUser
{
    public string Node { get; set; } = "";
    /// <summary>The server name of the member's node.</summary>
    public string? Server { get; set; }
    public string Nick { get; set; } = "";
    public string User { get; set; } = "";
    public string Host { get; set; } = "";
    public string Real { get; set; } = "";
    public string Proto { get; set; } = "irc";
    public string? Account { get; set; }
    public string? Away { get; set; }
    public bool Bot { get; set; }
    public bool Oper { get; set; }
    public bool Invisible { get; set; }
    public long SignOn { get; set; }

    public static WireUser Of(ChatMember m, string node) => new()
    {
        Node = node, Server = m.NodeServer, Nick = m.Nick, User = m.UserName, Host = m.Host, Real = m.RealName, Proto = m.Protocol, Account = m.Account,
        Away = m.Away, Bot = m.IsBot, Oper = m.IsOperator, Invisible = m.Invisible, SignOn = m.SignOn.ToUnixTimeSeconds(),
    };
}

/// <summary>One line of a multi-line message on the wire.</summary>
internal sealed class WireLine
{
    public string T { get; set; } = "";
    public bool C { get; set; }
}

/// <summary>
/// A <see cref="ChatEvent"/> on the wire: what a room stream entry and a forwarded private message hold.
/// Short names: one of these goes through Redis for every message.
/// </summary>
internal sealed class WireEvent
{
    /// <summary>Kind.</summary>
    public int K { get; set; }
    /// <summary>Time (Unix milliseconds).</summary>
    public long T { get; set; }
    /// <summary>From (nick), and its prefix.</summary>
    public string F { get; set; } = "";
    public string P { get; set; } = "";
    /// <summary>Target (room or nick).</summary>
    public string? To { get; set; }
    public string X { get; set; } = "";
    public string? E { get; set; }
    public string Id { get; set; } = "";
    public string? A { get; set; }
    public bool B { get; set; }
    public string? C { get; set; }
    public List<WireLine>? L { get; set; }
    /// <summary>Audience (STATUSMSG).</summary>
    public int Au { get; set; }
    /// <summary>The node it came from.</summary>
    public string N { get; set; } = "";
    /// <summary>JOIN: who joined, and the status they got.</summary>
    public WireUser? U { get; set; }
    public int S { get; set; }
    /// <summary>Kept in history (messages, topics, persisted tag-only messages).</summary>
    public bool H { get; set; }

    public static WireEvent Of(ChatEvent e, string node) => new()
    {
        K = (int)e.Kind, T = e.Time.ToUnixTimeMilliseconds(), F = e.From, P = e.FromPrefix, To = e.Target, X = e.Text, E = e.Extra,
        Id = e.MsgId, A = e.Account, B = e.FromBot, C = e.ClientTags, Au = (int)e.Audience, N = node,
        L = e.Lines is null ? null : [.. e.Lines.Select(l => new WireLine { T = l.Text, C = l.Concat })],
    };

    public ChatEvent ToEvent(long sequence, ChatMember? sender, bool replay = false) => new()
    {
        Kind = (ChatEventKind)K, Sequence = sequence, Time = DateTimeOffset.FromUnixTimeMilliseconds(T), From = F, FromPrefix = P,
        Target = To, Text = X, Extra = E, MsgId = Id, Account = A, FromBot = B, ClientTags = C, Audience = (RoomStatus)Au,
        Lines = L is null ? null : [.. L.Select(l => new MessageLine(l.T, l.C))], Sender = sender, IsReplay = replay,
    };
}

/// <summary>What a node says to the others on the bus, besides room events (which the room script publishes).</summary>
internal sealed class WireNotice
{
    /// <summary>hello, nick, quit, state, fwd (a private event for a member of ToNode), kill.</summary>
    public string Kind { get; set; } = "";
    public string Node { get; set; } = "";
    public WireUser? U { get; set; }
    /// <summary>nick: the nick given up. quit/kill: the reason.</summary>
    public string? Old { get; set; }
    public string? Reason { get; set; }
    public string? ToNode { get; set; }
    public string? ToNick { get; set; }
    public WireEvent? E { get; set; }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault)]
[JsonSerializable(typeof(WireUser))]
[JsonSerializable(typeof(WireEvent))]
[JsonSerializable(typeof(WireNotice))]
[JsonSerializable(typeof(WireMembership))]
[JsonSerializable(typeof(WireAccount))]
[JsonSerializable(typeof(Accounts.RegisteredRoom))]
internal sealed partial class ClusterJson : JsonSerializerContext
{
    public static string Write(WireEvent e) => JsonSerializer.Serialize(e, Default.WireEvent);
    public static string Write(WireNotice n) => JsonSerializer.Serialize(n, Default.WireNotice);
    public static string Write(WireUser u) => JsonSerializer.Serialize(u, Default.WireUser);
    // UTF-8 on the wire both ways: Redis carries bytes, and JSON read from a string is transcoded to UTF-8 first.
    public static byte[] Bytes(WireEvent e) => JsonSerializer.SerializeToUtf8Bytes(e, Default.WireEvent);
    public static WireEvent? Event(string s) => WireEventReader.Read(System.Text.Encoding.UTF8.GetBytes(s));
    public static WireEvent? Event(ReadOnlySpan<byte> utf8) => WireEventReader.Read(utf8);
    public static WireNotice? Notice(ReadOnlySpan<byte> utf8) => JsonSerializer.Deserialize(utf8, Default.WireNotice);
    public static WireUser? User(string s) => JsonSerializer.Deserialize(s, Default.WireUser);
}

/// <summary>A room member in Redis (<c>members</c> hash): which user, with which status.</summary>
internal sealed class WireMembership
{
    public string Nick { get; set; } = "";
    public string Node { get; set; } = "";
    public int S { get; set; }
}

/// <summary>An account in Redis (the verifier's keys in base64).</summary>
internal sealed class WireAccount
{
    public string Name { get; set; } = "";
    public long Created { get; set; }
    public string Salt { get; set; } = "";
    public int Iterations { get; set; }
    public string StoredKey { get; set; } = "";
    public string ServerKey { get; set; } = "";
    public List<string> Certificates { get; set; } = [];
    public bool Verified { get; set; }
    public string? Email { get; set; }
}
