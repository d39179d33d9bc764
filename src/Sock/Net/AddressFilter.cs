using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Sock.Net;

/// <summary>
/// Who may connect to a listener: <c>--allow</c> and <c>--deny</c> rules, each an address or CIDR
/// (IPv4 or IPv6) or <c>@FILE</c> of them (one per line, <c>#</c> comments). A deny rule always wins;
/// when there are allow rules, an address must match one. IPv4-mapped IPv6 peers (a dual-mode
/// listener) are matched as the IPv4 address they are.
/// </summary>
/// <example>
/// <code>
/// var filter = AddressFilter.Parse(allow: ["127.0.0.0/8", "::1"], deny: ["127.0.0.2"]);
/// filter.Allows(IPAddress.Parse("127.0.0.1"));   // true
/// filter.Check(IPAddress.Parse("127.0.0.2"));    // "matches --deny 127.0.0.2/32"
/// </code>
/// </example>
public sealed class AddressFilter
{
    private readonly IReadOnlyList<IPNetwork> _allow;
    private readonly IReadOnlyList<IPNetwork> _deny;

    public static AddressFilter None { get; } = new([], []);

    private AddressFilter(IReadOnlyList<IPNetwork> allow, IReadOnlyList<IPNetwork> deny)
    {
        _allow = allow;
        _deny = deny;
    }

    public bool IsEmpty => _allow.Count == 0 && _deny.Count == 0;

    /// <summary>Parses the rules; a malformed rule or unreadable file is an ArgumentException naming it.</summary>
    public static AddressFilter Parse(IEnumerable<string>? allow, IEnumerable<string>? deny) =>
        new(Expand(allow, "--allow"), Expand(deny, "--deny"));

    public bool Allows(IPAddress address) => Check(address) is null;

    /// <summary>Null when <paramref name="address"/> may connect; otherwise why not, for the log line.</summary>
    public string? Check(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        foreach (var network in _deny)
            if (network.Contains(address)) return $"matches --deny {network}";
        if (_allow.Count == 0) return null;
        foreach (var network in _allow)
            if (network.Contains(address)) return null;
        return "not in --allow";
    }

    /// <summary>The check for an accepted socket: Unix sockets have no address and always pass.</summary>
    public string? Check(Socket accepted)
    {
        ArgumentNullException.ThrowIfNull(accepted);
        return accepted.RemoteEndPoint is IPEndPoint ip ? Check(ip.Address) : null;
    }

    /// <summary>
    /// "10.0.0.0/8", "10.1.2.3" (a /32), "2001:db8::/32", "[::1]"; host bits beyond the prefix are
    /// cleared, as ncat and iptables accept "192.168.1.7/24".
    /// </summary>
    public static IPNetwork ParseRule(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var rule = text.Trim();
        var slash = rule.IndexOf('/', StringComparison.Ordinal);
        var addressText = (slash < 0 ? rule : rule[..slash]).Trim('[', ']');
        if (!IPAddress.TryParse(addressText, out var address) || addressText.Contains('%', StringComparison.Ordinal))
            throw new ArgumentException($"'{text}' is not an address or CIDR (like 10.0.0.0/8 or 2001:db8::/32)");
        var bits = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        var prefix = bits;
        if (slash >= 0 && (!int.TryParse(rule[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out prefix) || prefix > bits))
            throw new ArgumentException($"'{text}': the prefix length must be 0-{bits}");
        var bytes = address.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var keep = Math.Clamp(prefix - i * 8, 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - keep));
        }
        return new IPNetwork(new IPAddress(bytes), prefix);
    }

    private static List<IPNetwork> Expand(IEnumerable<string>? rules, string flag)
    {
        var result = new List<IPNetwork>();
        foreach (var rule in rules ?? [])
        {
            if (!rule.StartsWith('@'))
            {
                result.Add(Wrap(flag, rule, null, () => ParseRule(rule)));
                continue;
            }
            var path = rule[1..];
            string[] lines;
            try
            {
                lines = File.ReadAllLines(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ArgumentException($"{flag} @{path}: {e.Message}", e);
            }
            for (var i = 0; i < lines.Length; i++)
            {
                var line = lines[i];
                var hash = line.IndexOf('#', StringComparison.Ordinal);
                if (hash >= 0) line = line[..hash];
                line = line.Trim();
                if (line.Length > 0) result.Add(Wrap(flag, line, $"{path}:{i + 1}", () => ParseRule(line)));
            }
        }
        return result;
    }

    private static IPNetwork Wrap(string flag, string rule, string? where, Func<IPNetwork> parse)
    {
        try
        {
            return parse();
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException(where is null ? $"{flag} {e.Message}" : $"{flag} {where}: {e.Message}", e);
        }
    }
}
