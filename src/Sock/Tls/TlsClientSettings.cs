using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Sock.Tls;

/// <summary>
/// How a client checks the server: normal chain and name validation, <see cref="Insecure"/>
/// (accept anything), or a SHA-256 <see cref="Pin"/> (accept exactly that certificate, which is
/// how a self-signed <c>sock listen --tls</c> is trusted).
/// </summary>
public sealed record TlsClientSettings(string TargetHost, bool Insecure = false, string? Pin = null)
{
    /// <summary>Trust only these roots (--ca FILE) instead of the system store.</summary>
    public X509Certificate2Collection? Ca { get; init; }

    /// <summary>ALPN protocols to offer (--alpn h2,http/1.1), in preference order.</summary>
    public IReadOnlyList<string>? Alpn { get; init; }

    /// <summary>Our certificate, when the server asks for one (--cert/--key).</summary>
    public X509Certificate2? ClientCertificate { get; init; }

    /// <summary>Performs the handshake over <paramref name="inner"/>; returns the stream and the server's fingerprint.</summary>
    public async Task<(SslStream Stream, string Fingerprint)> AuthenticateAsync(Stream inner, CancellationToken ct)
    {
        string? seen = null;
        var policyErrors = SslPolicyErrors.None;
        var pin = Pin is null ? null : TlsCertificates.NormalizePin(Pin);
        var ssl = new SslStream(inner, leaveInnerStreamOpen: false);
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = TargetHost,
            EnabledSslProtocols = TlsCertificates.Protocols,
            CertificateChainPolicy = Ca is null ? null : TlsCertificates.TrustOnly(Ca),
            ApplicationProtocols = Alpn?.Select(a => new SslApplicationProtocol(a)).ToList(),
            ClientCertificates = ClientCertificate is null ? null : [ClientCertificate],
            LocalCertificateSelectionCallback = ClientCertificate is null ? null : (_, _, _, _, _) => ClientCertificate,
            RemoteCertificateValidationCallback = (_, cert, _, errors) =>
            {
                if (cert is null) return false;
                seen = TlsCertificates.Fingerprint(cert);
                policyErrors = errors;
                if (pin is not null) return TlsCertificates.MatchesPin(pin, cert);
                return Insecure || errors == SslPolicyErrors.None;
            },
        };
        try
        {
            await ssl.AuthenticateAsClientAsync(options, ct);
        }
        catch (System.Security.Authentication.AuthenticationException e)
        {
            await ssl.DisposeAsync();
            var why = pin is not null && seen is not null
                ? $"certificate fingerprint {seen} does not match the pinned one"
                : seen is not null
                    ? $"certificate not trusted ({Describe(policyErrors)}); its SHA-256 is {seen}: use --pin or --insecure"
                    : e.Message;
            throw new SockException($"TLS handshake with {TargetHost}: {why}", e);
        }
        catch (IOException e)
        {
            await ssl.DisposeAsync();
            throw new SockException($"TLS handshake with {TargetHost}: {e.Message}", e);
        }
        return (ssl, seen ?? "");
    }

    /// <summary>Why validation failed, in words, instead of .NET's "rejected by the provided callback".</summary>
    private static string Describe(SslPolicyErrors errors)
    {
        var reasons = new List<string>();
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors)) reasons.Add("unknown issuer or self-signed");
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch)) reasons.Add("name does not match");
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable)) reasons.Add("no certificate");
        return reasons.Count == 0 ? "rejected" : string.Join(", ", reasons);
    }
}
