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

    private TlsServerSettings(X509Certificate2 certificate, bool selfSigned)
    {
        Certificate = certificate;
        IsSelfSigned = selfSigned;
        Fingerprint = TlsCertificates.Fingerprint(certificate);
    }

    public static TlsServerSettings Create(string? certPath, string? keyPath) =>
        certPath is null
            ? new TlsServerSettings(TlsCertificates.CreateSelfSigned(), true)
            : new TlsServerSettings(TlsCertificates.LoadPem(certPath, keyPath), false);

    public async Task<SslStream> AuthenticateAsync(Stream inner, CancellationToken ct)
    {
        var ssl = new SslStream(inner, leaveInnerStreamOpen: false);
        try
        {
            await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
            {
                ServerCertificate = Certificate,
                EnabledSslProtocols = TlsCertificates.Protocols,
                // Asked for, never required: a client certificate is how SASL EXTERNAL logs in; any
                // certificate (or none) is accepted here, and only its fingerprint is used.
                ClientCertificateRequired = true,
#pragma warning disable CA5359 // this validates a client's certificate, which is never trusted, only fingerprinted
                RemoteCertificateValidationCallback = static (_, _, _, _) => true,
#pragma warning restore CA5359
            }, ct);
            return ssl;
        }
        catch (Exception e) when (e is System.Security.Authentication.AuthenticationException or IOException)
        {
            await ssl.DisposeAsync();
            throw new SockException($"TLS handshake failed: {e.Message}", e);
        }
    }
}
