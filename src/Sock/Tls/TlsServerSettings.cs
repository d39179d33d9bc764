using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Sock.Tls;

/// <summary>A server's certificate: loaded from PEM files, or made self-signed when none is given.</summary>
public sealed class TlsServerSettings
{
    public X509Certificate2 Certificate { get; }

    /// <summary>True when the certificate was generated here; the front end then prints its fingerprint.</summary>
    public bool IsSelfSigned { get; }

    public string Fingerprint { get; }

    /// <summary>Require a client certificate issued by one of these (--verify-client CA); clients without one are refused.</summary>
    public X509Certificate2Collection? ClientCa { get; private init; }

    /// <summary>ALPN protocols we accept, in preference order; null: no ALPN.</summary>
    public IReadOnlyList<string>? Alpn { get; private init; }

    private TlsServerSettings(X509Certificate2 certificate, bool selfSigned)
    {
        Certificate = certificate;
        IsSelfSigned = selfSigned;
        Fingerprint = TlsCertificates.Fingerprint(certificate);
    }

    /// <summary>"CN=alice, SHA-256 AB:CD:…" for the client certificate a verified TLS connection presented, else null.</summary>
    public static string? DescribeClient(Stream stream) =>
        stream is SslStream { RemoteCertificate: { } cert } ? $"{cert.Subject}, SHA-256 {TlsCertificates.Fingerprint(cert)}" : null;

    public static TlsServerSettings Create(string? certPath, string? keyPath, string? clientCaPath = null, IReadOnlyList<string>? alpn = null)
    {
        var ca = clientCaPath is null ? null : TlsCertificates.LoadCaBundle(clientCaPath);
        var certificate = certPath is null ? TlsCertificates.CreateSelfSigned() : TlsCertificates.LoadPem(certPath, keyPath);
        return new TlsServerSettings(certificate, certPath is null) { ClientCa = ca, Alpn = alpn };
    }

    public async Task<SslStream> AuthenticateAsync(Stream inner, CancellationToken ct)
    {
        var ssl = new SslStream(inner, leaveInnerStreamOpen: false);
        try
        {
            await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
            {
                ServerCertificate = Certificate,
                EnabledSslProtocols = TlsCertificates.Protocols,
                // Always asked for: a client certificate is how SASL EXTERNAL logs in (any one, or none, is
                // accepted and only fingerprinted). With --verify-client it is required and must chain to that CA.
                ClientCertificateRequired = true,
                CertificateChainPolicy = ClientCa is null ? null : TlsCertificates.TrustOnly(ClientCa),
#pragma warning disable CA5359 // without --verify-client a client's certificate is never trusted, only fingerprinted
                RemoteCertificateValidationCallback = ClientCa is null
                    ? static (_, _, _, _) => true
                    : (_, cert, _, errors) => cert is not null && errors == SslPolicyErrors.None,
#pragma warning restore CA5359
                ApplicationProtocols = Alpn?.Select(a => new SslApplicationProtocol(a)).ToList(),
            }, ct);
            return ssl;
        }
        catch (Exception e) when (e is System.Security.Authentication.AuthenticationException or IOException)
        {
            // Read what the client presented before the stream is gone.
            var why = ClientCa is not null && e is System.Security.Authentication.AuthenticationException
                ? "TLS handshake failed: no client certificate issued by a CA of --verify-client"
                : $"TLS handshake failed: {e.Message}";
            await ssl.DisposeAsync();
            throw new SockException(why, e);
        }
    }
}
