namespace Sock.Net;

/// <summary>`sock info`: gethostname(), getfqdn(), has_ipv6 and gethostbyname_ex(gethostname())'s addresses.</summary>
public sealed record HostSummary(string Hostname, string Fqdn, bool HasIpv6, IReadOnlyList<string> Addresses)
{
    /// <summary>Collects the summary; a host name that does not resolve gives no addresses rather than an error.</summary>
    public static HostSummary Collect()
    {
        var hostname = Resolver.GetHostName();
        IReadOnlyList<string> addresses;
        try
        {
            addresses = Resolver.GetHostByName(hostname).Addresses;
        }
        catch (SockException)
        {
            addresses = [];
        }
        return new HostSummary(hostname, Resolver.GetFqdn(hostname), Resolver.HasIPv6(), addresses);
    }
}
