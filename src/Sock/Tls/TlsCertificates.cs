using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Sock.Tls;

/// <summary>Certificates for <c>--tls</c>: self-signed on demand, PEM files, SHA-256 fingerprints.</summary>
public static class TlsCertificates
{
    /// <summary>
    /// A fresh ECDSA P-256 self-signed certificate for a server that was given none. It is
    /// round-tripped through PKCS#12 so the private key is usable by SslStream on every platform.
    /// </summary>
    public static X509Certificate2 CreateSelfSigned(string subjectName = "localhost")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={subjectName}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(subjectName);
        san.AddIpAddress(System.Net.IPAddress.Loopback);
        san.AddIpAddress(System.Net.IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1")], false)); // serverAuth
        var now = DateTimeOffset.UtcNow;
        using var cert = request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(365));
        return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>Loads a PEM certificate and its key (the key may be in the same file).</summary>
    public static X509Certificate2 LoadPem(string certPath, string? keyPath)
    {
        try
        {
            using var cert = X509Certificate2.CreateFromPemFile(certPath, keyPath);
            return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pkcs12), null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            throw new SockException($"cannot load certificate {certPath}{(keyPath is null ? "" : $" with key {keyPath}")}: {e.Message}", e);
        }
    }

    /// <summary>SHA-256 of the DER certificate as upper-case hex pairs joined by colons (ncat's and OpenSSL's format).</summary>
    public static string Fingerprint(X509Certificate certificate) =>
        string.Join(':', SHA256.HashData(certificate.GetRawCertData()).Select(b => b.ToString("X2")));

    /// <summary>True when <paramref name="pin"/> (hex, any case, colons or not, optional "sha256:" prefix) names this certificate.</summary>
    public static bool MatchesPin(string pin, X509Certificate certificate) =>
        NormalizePin(pin) == Fingerprint(certificate).Replace(":", "", StringComparison.Ordinal);

    /// <summary>Upper-case hex without separators; throws a usage-grade error when the pin is not a SHA-256.</summary>
    public static string NormalizePin(string pin)
    {
        var p = pin.Trim();
        if (p.StartsWith("sha256:", StringComparison.OrdinalIgnoreCase)) p = p[7..];
        p = p.Replace(":", "", StringComparison.Ordinal).ToUpperInvariant();
        if (p.Length != 64 || !p.All(char.IsAsciiHexDigit))
            throw new ArgumentException($"'{pin}' is not a SHA-256 fingerprint (64 hex digits, colons optional)", nameof(pin));
        return p;
    }

    /// <summary>TLS 1.2 and 1.3 only: what every peer we interoperate with speaks.</summary>
    /// <summary>Every certificate in a PEM bundle (a CA file for --ca / --verify-client).</summary>
    public static X509Certificate2Collection LoadCaBundle(string path)
    {
        var bundle = new X509Certificate2Collection();
        try
        {
            bundle.ImportFromPemFile(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            throw new SockException($"cannot load CA bundle {path}: {e.Message}", e);
        }
        if (bundle.Count == 0) throw new SockException($"cannot load CA bundle {path}: no certificate in it");
        return bundle;
    }

    /// <summary>A chain policy that trusts exactly <paramref name="roots"/> (no system store, no revocation lookups).</summary>
    public static X509ChainPolicy TrustOnly(X509Certificate2Collection roots)
    {
        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        policy.CustomTrustStore.AddRange(roots);
        return policy;
    }

    public const System.Security.Authentication.SslProtocols Protocols =
        System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13;
}
