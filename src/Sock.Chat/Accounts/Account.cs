namespace Sock.Chat.Accounts;

/// <summary>A registered account: its name (also its nick), the password verifier, TLS client-certificate fingerprints.</summary>
public sealed record Account(string Name, DateTimeOffset Created, PasswordVerifier Verifier, IReadOnlyList<string> Certificates, bool Verified = true, string? Email = null);

/// <summary>How a member of a registered room's access list is treated when it joins (ChanServ AMODE).</summary>
public enum RoomAccess
{
    None,
    Voice,
    Operator,
}

/// <summary>
/// A room registered with ChanServ: its founder, access list, and what it keeps across restarts
/// (topic, mode flags and parameters, bans, exceptions and invite exceptions).
/// </summary>
public sealed record RegisteredRoom(string Name, string Founder, DateTimeOffset Registered)
{
    public string Topic { get; init; } = "";
    public string TopicSetBy { get; init; } = "";
    public DateTimeOffset TopicTime { get; init; }
    /// <summary>The flag and parameter modes as a MODE string (<c>+ntk key</c>).</summary>
    public string Modes { get; init; } = "+nt";
    /// <summary>Mask lists, each entry "b mask", "e mask" or "I mask".</summary>
    public IReadOnlyList<string> Lists { get; init; } = [];
    public IReadOnlyDictionary<string, RoomAccess> Access { get; init; } = new Dictionary<string, RoomAccess>(StringComparer.OrdinalIgnoreCase);
}
