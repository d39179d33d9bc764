using System.Globalization;
using System.Net;

namespace Sock.Chat;

/// <summary>
/// One more address the chat server listens on (<c>--listen [ADDR:]PORT[/tls]</c>). Every listener
/// speaks every protocol (plain, IRC, HTTP/WebSocket, and TLS around them when TLS is on); a
/// <see cref="TlsOnly"/> one, like IRC's 6697, refuses a client that does not start with TLS.
/// </summary>
public sealed record ChatListenAddress(IPAddress? Address, int Port, bool TlsOnly)
{
    /// <summary>Parses <c>6697</c>, <c>127.0.0.1:6697/tls</c>, <c>[::1]:8080</c>; null with a reason when it cannot.</summary>
    public static ChatListenAddress? TryParse(string text, out string error)
    {
        error = "";
        var rest = text.Trim();
        var tlsOnly = false;
        var slash = rest.LastIndexOf('/');
        if (slash >= 0)
        {
            if (!rest[(slash + 1)..].Equals("tls", StringComparison.OrdinalIgnoreCase))
            {
                error = $"'{text}': the only suffix is /tls";
                return null;
            }
            tlsOnly = true;
            rest = rest[..slash];
        }
        IPAddress? address = null;
        var portText = rest;
        // "[v6]:port", "v4:port" or "port": a colon left of the port means there is an address.
        var colon = rest.LastIndexOf(':');
        if (colon >= 0)
        {
            var host = rest[..colon];
            if (host.StartsWith('[') && host.EndsWith(']')) host = host[1..^1];
            if (!IPAddress.TryParse(host, out address))
            {
                error = $"'{text}': '{host}' is not an IP address (use [ADDR:]PORT[/tls], IPv6 in brackets)";
                return null;
            }
            portText = rest[(colon + 1)..];
        }
        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            error = $"'{text}': '{portText}' is not a port (0-65535)";
            return null;
        }
        return new ChatListenAddress(address, port, tlsOnly);
    }

    public override string ToString() =>
        (Address is null ? Port.ToString(CultureInfo.InvariantCulture) : new IPEndPoint(Address, Port).ToString()) + (TlsOnly ? "/tls" : "");
}
