using System.Net;
using System.Net.Sockets;

namespace Sock.Chat.Transport;

/// <summary>
/// Per-address abuse limits (as Ergo's max-concurrent-connections and connection-throttling, and
/// InspIRCd's localmax and connect throttle): at most N connections open at once and M new ones
/// a minute from one address. IPv6 addresses count per /64, since one host is handed a whole /64
/// and picks any address in it. Exempt networks (loopback by default) are never limited.
/// The rate is a token bucket (M tokens, refilled at M a minute), so a client that reconnects
/// now and then never notices it, and one that reconnects in a loop gets M a minute.
/// </summary>
public sealed class AddressLimiter
{
    private readonly Dictionary<IPAddress, Entry> _entries = [];
    private readonly Lock _gate = new();

    private sealed class Entry
    {
        public int Open;
        public double Tokens;
        public long Last;
        public long? LastRefusalLog;
        public int Unlogged;
    }

    /// <summary>
    /// Null: admitted; when <paramref name="counted"/> is set, give it to <see cref="Release"/> when
    /// the connection closes (exempt addresses and limits that are off count nothing). Otherwise why not.
    /// </summary>
    public Refusal? TryAdmit(IPAddress address, ChatServerOptions options, long now, out IPAddress? counted)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(options);
        counted = null;
        if ((options.MaxPerAddress <= 0 && options.ConnectsPerMinute <= 0) || IsExempt(address, options)) return null;
        var key = Key(address);
        lock (_gate)
        {
            if (!_entries.TryGetValue(key, out var e))
                _entries[key] = e = new Entry { Tokens = options.ConnectsPerMinute, Last = now };
            if (options.ConnectsPerMinute > 0)
            {
                e.Tokens = Math.Min(options.ConnectsPerMinute, e.Tokens + (now - e.Last) / 60_000.0 * options.ConnectsPerMinute);
                e.Last = now;
            }
            Refusal? refusal = null;
            if (options.MaxPerAddress > 0 && e.Open >= options.MaxPerAddress)
                refusal = new Refusal(key, $"too many connections from your address ({options.MaxPerAddress})");
            else if (options.ConnectsPerMinute > 0 && e.Tokens < 1)
                refusal = new Refusal(key, $"too many new connections from your address ({options.ConnectsPerMinute} a minute); try again later");
            if (refusal is null)
            {
                e.Open++;
                if (options.ConnectsPerMinute > 0) e.Tokens -= 1;
                counted = key;
                return null;
            }
            // One log line per address per 10 s: a client in a reconnect loop must not flood the log.
            if (e.LastRefusalLog is not { } logged || now - logged >= 10_000)
            {
                refusal = refusal with { Log = true, Unlogged = e.Unlogged };
                e.LastRefusalLog = now;
                e.Unlogged = 0;
            }
            else e.Unlogged++;
            return refusal;
        }
    }

    /// <summary>A connection admitted as <paramref name="counted"/> closed.</summary>
    public void Release(IPAddress counted)
    {
        ArgumentNullException.ThrowIfNull(counted);
        lock (_gate)
            if (_entries.TryGetValue(counted, out var e) && e.Open > 0) e.Open--;
    }

    /// <summary>Forgets addresses with nothing open and a full bucket (called now and then, not per connection).</summary>
    public void Sweep(ChatServerOptions options, long now)
    {
        ArgumentNullException.ThrowIfNull(options);
        lock (_gate)
        {
            foreach (var (key, e) in _entries)
            {
                var full = options.ConnectsPerMinute <= 0 || e.Tokens + (now - e.Last) / 60_000.0 * options.ConnectsPerMinute >= options.ConnectsPerMinute;
                if (e.Open == 0 && full && (e.LastRefusalLog is not { } logged || now - logged >= 10_000)) _entries.Remove(key);
            }
        }
    }

    /// <summary>Addresses (or /64s) currently tracked.</summary>
    public int Tracked
    {
        get { lock (_gate) return _entries.Count; }
    }

    public static bool IsExempt(IPAddress address, ChatServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(options);
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        foreach (var network in options.LimitExempt)
            if (network.Contains(address)) return true;
        return false;
    }

    /// <summary>The address limits count against: IPv4 as it is, IPv6 its /64.</summary>
    public static IPAddress Key(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6) return address.MapToIPv4();
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return address;
        var bytes = address.GetAddressBytes();
        bytes.AsSpan(8).Clear();
        return new IPAddress(bytes);
    }

    /// <summary>The network an address is counted in, for log lines: "10.0.0.7" or "2001:db8:1:2::/64".</summary>
    public static string Describe(IPAddress key) =>
        key.AddressFamily == AddressFamily.InterNetworkV6 ? $"{key}/64" : key.ToString();
}

/// <summary>Why a connection was refused; <see cref="Log"/> says whether this one gets a log line (and how many went unlogged before it).</summary>
public sealed record Refusal(IPAddress Key, string Reason, bool Log = false, int Unlogged = 0);
