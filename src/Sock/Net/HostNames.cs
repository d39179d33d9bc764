using System.Globalization;

namespace Sock.Net;

/// <summary>
/// Host names as Python hands them to the C library: through the "idna" codec, which passes ASCII
/// names through after checking label lengths and turns other labels into "xn--" form.
/// </summary>
internal static class HostNames
{
    private static readonly IdnMapping Idna = new();

    /// <exception cref="ArgumentException">"label empty or too long", as Python's UnicodeError (a ValueError).</exception>
    public static string ToAscii(string host, string what)
    {
        if (host.Length == 0) return host;
        var labels = host.Split('.');
        if (host.All(char.IsAscii))
        {
            for (var i = 0; i < labels.Length - 1; i++)
                if (labels[i].Length is 0 or > 63)
                    throw new ArgumentException($"{what}: label empty or too long");
            if (labels[^1].Length > 63)
                throw new ArgumentException($"{what}: label too long");
            return host;
        }
        try
        {
            return string.Join('.', labels.Select((l, i) => l.Length == 0 && i == labels.Length - 1 ? l : l.All(char.IsAscii) ? l : Idna.GetAscii(l)));
        }
        catch (ArgumentException)
        {
            throw new ArgumentException($"{what}: not a valid international host name");
        }
    }
}
