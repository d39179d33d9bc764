namespace Sock.Chat.Irc;

/// <summary>The IRCv3 capabilities a session may negotiate, as bits for cheap checks on the hot path.</summary>
[Flags]
public enum IrcCap : uint
{
    None = 0,
    ServerTime = 1 << 0,
    MessageTags = 1 << 1,
    AccountTag = 1 << 2,
    ExtendedJoin = 1 << 3,
    EchoMessage = 1 << 4,
    MultiPrefix = 1 << 5,
    Batch = 1 << 6,
    LabeledResponse = 1 << 7,
    CapNotify = 1 << 8,
    AwayNotify = 1 << 9,
    AccountNotify = 1 << 10,
    ChgHost = 1 << 11,
    SetName = 1 << 12,
    InviteNotify = 1 << 13,
    UserhostInNames = 1 << 14,
    NoImplicitNames = 1 << 15,
    StandardReplies = 1 << 16,
    ChatHistory = 1 << 17,
    Multiline = 1 << 18,
    MessageRedaction = 1 << 19,
    Utf8Only = 1 << 20,
    Sts = 1 << 21,
    Sasl = 1 << 22,
    AccountRegistration = 1 << 23,
    ReadMarker = 1 << 24,
    EventPlayback = 1 << 25,
    Metadata = 1 << 26,
    ChannelRename = 1 << 27,
    Persistence = 1 << 28,
    // From the top down, so bits added from the bottom up elsewhere do not collide.
    ExtendedMonitor = 1u << 31,
}

/// <summary>One capability as data: its name, the bit, and its CAP LS 302 value (null: none; computed from the options).</summary>
/// <remarks>The value's second argument says whether the connection is already TLS (sts differs).</remarks>
public sealed record IrcCapability(string Name, IrcCap Bit, Func<ChatServerOptions, bool, string?>? Value = null, Func<ChatServerOptions, bool>? Offered = null)
{
    /// <summary>Every capability the server can offer, in the order CAP LS lists them.</summary>
    public static readonly IReadOnlyList<IrcCapability> All =
    [
        new("account-notify", IrcCap.AccountNotify),
        new("account-tag", IrcCap.AccountTag),
        new("away-notify", IrcCap.AwayNotify),
        new("batch", IrcCap.Batch),
        new("cap-notify", IrcCap.CapNotify),
        new("chghost", IrcCap.ChgHost),
        new("draft/account-registration", IrcCap.AccountRegistration, (o, _) => string.Join(',',
            new[] { o.AccountOptions.RegisterBeforeConnect ? "before-connect" : null, o.AccountOptions.RequireEmail ? "email-required" : null }.OfType<string>()) is { Length: > 0 } v ? v : null),
        new("draft/channel-rename", IrcCap.ChannelRename),
        new("draft/chathistory", IrcCap.ChatHistory, Offered: o => o.HistoryLength > 0),
        new("draft/event-playback", IrcCap.EventPlayback, Offered: o => o.HistoryLength > 0),
        new("draft/message-redaction", IrcCap.MessageRedaction),
        new("draft/metadata-3", IrcCap.Metadata, (o, _) => IrcSession.MetadataCapValue(o)),
        new("draft/multiline", IrcCap.Multiline, (o, _) => $"max-bytes={o.MultilineMaxBytes},max-lines={o.MultilineMaxLines}"),
        new("draft/persistence", IrcCap.Persistence, Offered: o => o.Multiclient && o.AlwaysOn != Devices.AlwaysOnPolicy.Off && o.ClusterUrl is null),
        new("draft/read-marker", IrcCap.ReadMarker),
        new("echo-message", IrcCap.EchoMessage),
        new("extended-join", IrcCap.ExtendedJoin),
        new("extended-monitor", IrcCap.ExtendedMonitor),
        new("invite-notify", IrcCap.InviteNotify),
        new("labeled-response", IrcCap.LabeledResponse),
        new("message-tags", IrcCap.MessageTags),
        new("multi-prefix", IrcCap.MultiPrefix),
        new("no-implicit-names", IrcCap.NoImplicitNames),
        new("sasl", IrcCap.Sasl, (o, _) => IrcSession.SaslMechanisms(o)),
        new("server-time", IrcCap.ServerTime),
        new("setname", IrcCap.SetName),
        new("standard-replies", IrcCap.StandardReplies),
        // On plain text: where TLS is; on TLS: how long to remember it (a day: long enough to matter, short enough to undo).
        new("sts", IrcCap.Sts, (o, tls) => tls ? "duration=86400" : $"port={o.StsPort ?? o.Port}", o => o.Tls is not null),
        new("userhost-in-names", IrcCap.UserhostInNames),
        new("utf8-only", IrcCap.Utf8Only),
    ];

    private static readonly Dictionary<string, IrcCapability> ByName = All.ToDictionary(c => c.Name, StringComparer.Ordinal);

    public static IrcCapability? Find(string name) => ByName.GetValueOrDefault(name);

    public bool IsOffered(ChatServerOptions o) => Offered?.Invoke(o) ?? true;

    /// <summary>"name" or "name=value" as CAP LS 302 shows it.</summary>
    public string Advertise(ChatServerOptions o, bool tls, bool withValue) =>
        withValue && Value?.Invoke(o, tls) is { } v ? $"{Name}={v}" : Name;

    public static IEnumerable<IrcCapability> Offer(ChatServerOptions o) => All.Where(c => c.IsOffered(o));
}
