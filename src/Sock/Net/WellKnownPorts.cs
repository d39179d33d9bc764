namespace Sock.Net;

/// <summary>One row of the article's table of well-known ports: its label ("MongoDB") and the database spelling.</summary>
public sealed record WellKnownPort(string Label, string Name, int Port, string Proto);

/// <summary>A service as `sock services` lists it: the database entry (or the article's row) and where it came from.</summary>
public sealed record ServiceListing(ServiceEntry Entry, bool WellKnown, bool InDatabase);

/// <summary>
/// The seed article's table (FTP 21/20, TFTP 69, TELNET 23, SMTP 25, DNS 53, HTTP 80, SSH 22,
/// MySQL 3306, POP3 110, MongoDB 27017), merged into the services database so it is listed even
/// where /etc/services lacks an entry.
/// </summary>
public static class WellKnownPorts
{
    public static IReadOnlyList<WellKnownPort> Table { get; } =
    [
        new("FTP", "ftp", 21, "tcp"),
        new("FTP", "ftp-data", 20, "tcp"),
        new("TFTP", "tftp", 69, "udp"),
        new("TELNET", "telnet", 23, "tcp"),
        new("SMTP", "smtp", 25, "tcp"),
        new("DNS", "domain", 53, "tcp"),
        new("DNS", "domain", 53, "udp"),
        new("HTTP", "http", 80, "tcp"),
        new("SSH", "ssh", 22, "tcp"),
        new("MySQL", "mysql", 3306, "tcp"),
        new("POP3", "pop3", 110, "tcp"),
        new("MongoDB", "mongodb", 27017, "tcp"),
    ];

    /// <summary>True when (port, proto) is in the article's table.</summary>
    public static bool Contains(int port, string proto) => Table.Any(w => w.Port == port && w.Proto == proto);

    /// <summary>
    /// The database (optionally one protocol's), each entry marked well-known when in the table,
    /// followed by the table's rows the database lacks; ordered by port, then protocol.
    /// A <paramref name="filter"/> keeps entries whose name, alias, label or port contains it.
    /// </summary>
    public static IReadOnlyList<ServiceListing> Merge(IReadOnlyList<ServiceEntry> database, string? proto = null, string? filter = null)
    {
        var listings = database
            .Where(e => proto is null || e.Proto == proto)
            .Select(e => new ServiceListing(e, Contains(e.Port, e.Proto), true))
            .ToList();
        foreach (var w in Table)
        {
            if (proto is not null && w.Proto != proto) continue;
            if (listings.Any(l => l.Entry.Port == w.Port && l.Entry.Proto == w.Proto)) continue;
            listings.Add(new ServiceListing(new ServiceEntry(w.Name, w.Port, w.Proto, []), true, false));
        }
        return listings
            .Where(l => filter is null || Matches(l, filter))
            .OrderBy(l => l.Entry.Port).ThenBy(l => l.Entry.Proto, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The article's label for a listing ("MongoDB"), or null.</summary>
    public static string? LabelOf(ServiceEntry entry) =>
        Table.FirstOrDefault(w => w.Port == entry.Port && w.Proto == entry.Proto)?.Label;

    private static bool Matches(ServiceListing l, string filter)
    {
        var e = l.Entry;
        return e.Name.Contains(filter, StringComparison.OrdinalIgnoreCase)
            || e.Aliases.Any(a => a.Contains(filter, StringComparison.OrdinalIgnoreCase))
            || (LabelOf(e)?.Contains(filter, StringComparison.OrdinalIgnoreCase) ?? false)
            || e.Port.ToString(System.Globalization.CultureInfo.InvariantCulture) == filter;
    }
}
