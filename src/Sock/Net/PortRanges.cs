using System.Globalization;

namespace Sock.Net;

/// <summary>Parses port lists for probes: "22", "20-25", "22,80,443", several arguments; order kept, duplicates dropped.</summary>
public static class PortRanges
{
    /// <summary>Largest number of ports one probe takes (every port there is).</summary>
    public const int MaxPorts = 65535;

    /// <exception cref="FormatException">A malformed item, a port outside 1..65535 or a reversed range, naming the item.</exception>
    public static IReadOnlyList<int> Parse(IEnumerable<string> specs)
    {
        ArgumentNullException.ThrowIfNull(specs);
        var seen = new HashSet<int>();
        var ports = new List<int>();
        foreach (var spec in specs)
        {
            foreach (var item in spec.Split(',', StringSplitOptions.TrimEntries))
            {
                var (low, high) = ParseItem(item);
                for (var p = low; p <= high; p++)
                    if (seen.Add(p)) ports.Add(p);
            }
        }
        if (ports.Count == 0)
            throw new FormatException("no ports given");
        return ports;
    }

    private static (int Low, int High) ParseItem(string item)
    {
        if (item.Length == 0)
            throw new FormatException("empty port in list");
        var dash = item.IndexOf('-', 1);
        if (dash < 0)
        {
            var port = ParsePort(item, item);
            return (port, port);
        }
        var low = ParsePort(item[..dash], item);
        var high = ParsePort(item[(dash + 1)..], item);
        if (high < low)
            throw new FormatException($"port range '{item}' is reversed");
        return (low, high);
    }

    private static int ParsePort(string text, string item)
    {
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port))
            throw new FormatException($"'{item}' is not a port or range (PORT or LOW-HIGH)");
        if (port is < 1 or > 65535)
            throw new FormatException($"port {text} out of range (1-65535)");
        return port;
    }
}
