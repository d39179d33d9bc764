using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Sock.Net;

namespace Sock.Tls;

/// <summary>What to inspect and how: <c>sock tls HOST[:PORT]</c>'s options.</summary>
public sealed record TlsInspectOptions(string Host, int Port)
{
    /// <summary>Server name to send; null sends the host when it is a name (never for an address).</summary>
    public string? Sni { get; init; }

    /// <summary>ALPN protocols to offer, in preference order.</summary>
    public IReadOnlyList<string>? Alpn { get; init; }

    /// <summary>Trust only these roots (--ca FILE) instead of the system store.</summary>
    public X509Certificate2Collection? Ca { get; init; }

    public StartTlsProtocol? StartTls { get; init; }

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    public AddressFamily Family { get; init; } = AddressFamily.Unspecified;
}

/// <summary>
/// Connects, optionally upgrades with STARTTLS, and performs a TLS handshake that accepts any
/// certificate, so that a failing chain can be shown and explained rather than only refused.
/// The platform's X509Chain verifies it (the system roots, or --ca), and says why not.
/// </summary>
/// <example>
/// <code>
/// var report = await TlsInspector.InspectAsync(new TlsInspectOptions("example.net", 443), ct);
/// Console.WriteLine($"{report.Protocol} {report.Cipher} verified={report.Verified}");
/// </code>
/// </example>
public static class TlsInspector
{
    public static async Task<TlsReport> InspectAsync(TlsInspectOptions options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(options.Timeout);
        try
        {
            return await RunAsync(options, deadline.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new SockException($"tls {options.Host}:{options.Port}: no answer within {options.Timeout.TotalSeconds:0.#} s");
        }
    }

    private static async Task<TlsReport> RunAsync(TlsInspectOptions options, CancellationToken ct)
    {
        var bareHost = options.Host.Trim('[', ']');
        using var socket = await Connector.CreateConnectionAsync(options.Host, options.Port, options.Timeout, family: options.Family, ct: ct);
        var address = ((IPEndPoint)socket.RemoteEndPoint!).Address.ToString();
        var network = new NetworkStream(socket, ownsSocket: false);
        if (options.StartTls is { } protocol)
        {
            try
            {
                await StartTls.NegotiateAsync(network, protocol, bareHost, ct);
            }
            catch (IOException e)
            {
                throw new SockException($"starttls {StartTls.Name(protocol)}: {e.Message}", e);
            }
        }
        var observer = new HandshakeObserver(network);
        // .NET sends the target host as SNI unless it is an address; it is also the name the chain is checked for.
        var isAddress = IPAddress.TryParse(bareHost, out _);
        var target = options.Sni ?? bareHost;
        X509Certificate2? leaf = null;
        var sent = new List<X509Certificate2>();
        var policyErrors = SslPolicyErrors.None;
        var chainStatus = new List<X509ChainStatusFlags>();
        var elementProblems = new List<(int Index, X509ChainStatusFlags Flags)>();
        var chainLength = 0;
        await using var ssl = new SslStream(observer, leaveInnerStreamOpen: false);
        var auth = new SslClientAuthenticationOptions
        {
            TargetHost = target,
            EnabledSslProtocols = TlsCertificates.Protocols,
            CertificateChainPolicy = options.Ca is null ? null : TlsCertificates.TrustOnly(options.Ca),
            ApplicationProtocols = options.Alpn?.Select(a => new SslApplicationProtocol(a)).ToList(),
            RemoteCertificateValidationCallback = (_, cert, chain, errors) =>
            {
                // Copy what the chain knows now: it is disposed after the callback.
                policyErrors = errors;
                if (cert is not null) leaf = new X509Certificate2(cert);
                if (chain is not null)
                {
                    sent.AddRange(chain.ChainPolicy.ExtraStore.Select(c => new X509Certificate2(c)));
                    chainLength = chain.ChainElements.Count;
                    chainStatus.AddRange(chain.ChainStatus.Select(s => s.Status));
                    for (var i = 0; i < chain.ChainElements.Count; i++)
                    {
                        var flags = chain.ChainElements[i].ChainElementStatus.Aggregate(X509ChainStatusFlags.NoError, (a, s) => a | s.Status);
                        if (flags != X509ChainStatusFlags.NoError) elementProblems.Add((i, flags));
                    }
                }
                return true; // inspect everything; the verdict is reported, not enforced
            },
        };
        try
        {
            await ssl.AuthenticateAsClientAsync(auth, ct);
        }
        catch (AuthenticationException e)
        {
            throw new SockException($"tls {options.Host}:{options.Port}: handshake failed: {Inner(e)}", e);
        }
        catch (IOException e)
        {
            throw new SockException($"tls {options.Host}:{options.Port}: handshake failed: {Inner(e)}", e);
        }
        var now = DateTime.UtcNow;
        var certificates = new List<X509Certificate2>();
        if (leaf is not null) certificates.Add(leaf);
        foreach (var c in sent)
            if (!certificates.Any(x => x.RawData.AsSpan().SequenceEqual(c.RawData))) certificates.Add(c);
        var infos = certificates.Select(c => CertificateDetails.Read(c, now)).ToList();
        var problems = Problems(policyErrors, chainStatus, elementProblems, infos, target, options.Ca is not null);
        var tls13 = ssl.SslProtocol == SslProtocols.Tls13;
        return new TlsReport(
            options.Host, address, options.Port, isAddress && options.Sni is null ? null : target,
            options.StartTls is { } p ? StartTls.Name(p) : null,
            ProtocolName(ssl.SslProtocol), ssl.NegotiatedCipherSuite.ToString(),
            ssl.NegotiatedApplicationProtocol.Protocol.IsEmpty ? null : ssl.NegotiatedApplicationProtocol.ToString(),
            tls13 ? null : observer.SawCertificateStatus,
            infos, policyErrors == SslPolicyErrors.None, target, problems, chainLength);
    }

    /// <summary>Why the chain does not verify, in words, naming the certificate where the platform says which.</summary>
    private static List<string> Problems(SslPolicyErrors errors, List<X509ChainStatusFlags> chain, List<(int Index, X509ChainStatusFlags Flags)> elements,
        List<CertificateInfo> certs, string name, bool customRoots)
    {
        var problems = new List<string>();
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable)) problems.Add("the server sent no certificate");
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            var names = certs.Count == 0 ? "" : string.Join(", ", certs[0].DnsNames.Concat(certs[0].IpAddresses));
            problems.Add($"name mismatch: {name} is not among the certificate's names ({(names.Length == 0 ? "none" : names)})");
        }
        if (!errors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors)) return problems;
        var all = chain.Aggregate(X509ChainStatusFlags.NoError, (a, s) => a | s);
        foreach (var (index, flags) in elements)
        {
            if (!flags.HasFlag(X509ChainStatusFlags.NotTimeValid)) continue;
            var who = index < certs.Count ? $"certificate {index} ({certs[index].Subject})" : $"chain certificate {index}";
            var c = index < certs.Count ? certs[index] : null;
            problems.Add(c is not null && c.NotBefore > DateTime.UtcNow
                ? $"not yet valid: {who} is valid from {c.NotBefore:yyyy-MM-dd HH:mm:ss} UTC"
                : c is not null
                    ? $"expired: {who} expired {c.NotAfter:yyyy-MM-dd HH:mm:ss} UTC ({-c.DaysLeft} days ago)"
                    : $"expired: {who}");
        }
        if (all.HasFlag(X509ChainStatusFlags.UntrustedRoot))
        {
            var selfSigned = certs.Count == 1 && certs[0].SelfSigned;
            problems.Add(selfSigned
                ? "self-signed: the certificate is its own issuer and is not trusted"
                : customRoots ? "untrusted root: the chain does not end at a root given with --ca" : "untrusted root: the chain ends at a root the system does not trust (try --ca FILE)");
        }
        if (all.HasFlag(X509ChainStatusFlags.PartialChain))
            problems.Add("incomplete chain: no issuer found for the last certificate (a missing intermediate, or --ca needed)");
        if (all.HasFlag(X509ChainStatusFlags.Revoked)) problems.Add("revoked");
        if (all.HasFlag(X509ChainStatusFlags.NotSignatureValid)) problems.Add("bad signature in the chain");
        if (all.HasFlag(X509ChainStatusFlags.NotValidForUsage)) problems.Add("a certificate is not valid for server authentication");
        if (all.HasFlag(X509ChainStatusFlags.InvalidBasicConstraints)) problems.Add("an issuer is not a CA (basic constraints)");
        var explained = X509ChainStatusFlags.NotTimeValid | X509ChainStatusFlags.UntrustedRoot | X509ChainStatusFlags.PartialChain | X509ChainStatusFlags.Revoked
            | X509ChainStatusFlags.NotSignatureValid | X509ChainStatusFlags.NotValidForUsage | X509ChainStatusFlags.InvalidBasicConstraints
            | X509ChainStatusFlags.RevocationStatusUnknown | X509ChainStatusFlags.OfflineRevocation;
        if ((all & ~explained) != X509ChainStatusFlags.NoError) problems.Add($"chain: {all & ~explained}");
        if (problems.Count == 0) problems.Add("the chain does not verify");
        return problems;
    }

    private static string ProtocolName(SslProtocols protocol) => protocol switch
    {
        SslProtocols.Tls13 => "TLSv1.3",
        SslProtocols.Tls12 => "TLSv1.2",
        _ => protocol.ToString(),
    };

    private static string Inner(Exception e)
    {
        while (e.InnerException is not null) e = e.InnerException;
        return e.Message.TrimEnd('.');
    }
}
