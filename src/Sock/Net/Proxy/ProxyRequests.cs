using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Sock.Net.Proxy;

/// <summary>The requests a client sends each proxy type, as bytes (pure, so tests can check them exactly).</summary>
public static class ProxyRequests
{
    /// <summary>SOCKS5 greeting: no authentication, plus user/password when we have credentials.</summary>
    public static byte[] Socks5Greeting(bool withPassword) => withPassword ? [5, 2, 0, 2] : [5, 1, 0];

    /// <summary>RFC 1929: VER=1, ULEN, UNAME, PLEN, PASSWD.</summary>
    public static byte[] Socks5Auth(string user, string password)
    {
        var u = Encoding.UTF8.GetBytes(user);
        var p = Encoding.UTF8.GetBytes(password);
        if (u.Length > 255 || p.Length > 255) throw new ArgumentException("SOCKS5 user and password are at most 255 bytes each");
        return [1, (byte)u.Length, .. u, (byte)p.Length, .. p];
    }

    /// <summary>
    /// SOCKS5 CONNECT. An address literal goes as ATYP 1 or 4; a name goes as ATYP 3, so the proxy
    /// resolves it (what socks5h means elsewhere, and what reaches names only the proxy can see).
    /// </summary>
    public static byte[] Socks5Connect(string host, int port)
    {
        var bare = host.Trim('[', ']');
        byte[] address;
        if (IPAddress.TryParse(bare, out var ip))
            address = [ip.AddressFamily == AddressFamily.InterNetwork ? (byte)1 : (byte)4, .. ip.GetAddressBytes()];
        else
        {
            var name = Encoding.ASCII.GetBytes(IdnOrSelf(bare));
            if (name.Length is 0 or > 255) throw new ArgumentException($"host name '{host}' is too long for SOCKS5 (255 bytes)");
            address = [3, (byte)name.Length, .. name];
        }
        return [5, 1, 0, .. address, .. Port(port)];
    }

    /// <summary>
    /// SOCKS4 CONNECT for an IPv4 literal; SOCKS4a (DSTIP 0.0.0.1, then the name) for a name, so
    /// the proxy resolves it. SOCKS4 has no IPv6.
    /// </summary>
    public static byte[] Socks4Connect(string host, int port, string? user)
    {
        var bare = host.Trim('[', ']');
        var id = Encoding.UTF8.GetBytes(user ?? "");
        if (IPAddress.TryParse(bare, out var ip))
        {
            if (ip.AddressFamily != AddressFamily.InterNetwork) throw new ArgumentException($"SOCKS4 cannot carry the IPv6 address {bare}: use --proxy-type socks5");
            return [4, 1, .. Port(port), .. ip.GetAddressBytes(), .. id, 0];
        }
        return [4, 1, .. Port(port), 0, 0, 0, 1, .. id, 0, .. Encoding.ASCII.GetBytes(IdnOrSelf(bare)), 0];
    }

    /// <summary>HTTP CONNECT with a Host header and, with credentials, Basic proxy authorization.</summary>
    public static byte[] HttpConnect(string host, int port, string? user, string? password)
    {
        var authority = Connector.Display(IdnOrSelf(host.Trim('[', ']')), port);
        var sb = new StringBuilder();
        sb.Append("CONNECT ").Append(authority).Append(" HTTP/1.1\r\nHost: ").Append(authority).Append("\r\n");
        if (user is not null)
            sb.Append("Proxy-Authorization: Basic ")
              .Append(Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"))).Append("\r\n");
        sb.Append("\r\n");
        return Encoding.ASCII.GetBytes(sb.ToString());
    }

    private static byte[] Port(int port)
    {
        var b = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(b, checked((ushort)port));
        return b;
    }

    /// <summary>A name with non-ASCII labels (中文.example) goes on the wire as its punycode form.</summary>
    private static string IdnOrSelf(string host)
    {
        foreach (var c in host)
            if (c > 0x7F) return new System.Globalization.IdnMapping().GetAscii(host);
        return host;
    }
}
