using System.Security.Cryptography.X509Certificates;

namespace Sock.Tls;

/// <summary>Reads a certificate into <see cref="CertificateInfo"/>, with OpenSSL's names for algorithms.</summary>
public static class CertificateDetails
{
    public static CertificateInfo Read(X509Certificate2 cert, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(cert);
        var dns = new List<string>();
        var ips = new List<string>();
        foreach (var extension in cert.Extensions)
        {
            if (extension is X509SubjectAlternativeNameExtension san)
            {
                dns.AddRange(san.EnumerateDnsNames());
                ips.AddRange(san.EnumerateIPAddresses().Select(a => a.ToString()));
            }
        }
        var (keyType, bits, curve) = Key(cert);
        var notAfter = cert.NotAfter.ToUniversalTime();
        var isCa = cert.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault()?.CertificateAuthority ?? false;
        return new CertificateInfo(
            cert.Subject, cert.Issuer, cert.SerialNumber, dns, ips,
            cert.NotBefore.ToUniversalTime(), notAfter, (int)Math.Floor((notAfter - now).TotalDays),
            keyType, bits, curve, SignatureName(cert.SignatureAlgorithm.Value), TlsCertificates.Fingerprint(cert),
            cert.SubjectName.RawData.AsSpan().SequenceEqual(cert.IssuerName.RawData), isCa);
    }

    private static (string Type, int Bits, string? Curve) Key(X509Certificate2 cert)
    {
        switch (cert.PublicKey.Oid.Value)
        {
            case "1.2.840.113549.1.1.1":
                using (var rsa = cert.GetRSAPublicKey()) return ("RSA", rsa?.KeySize ?? 0, null);
            case "1.2.840.10045.2.1":
                using (var ec = cert.GetECDsaPublicKey())
                {
                    var curve = ec?.ExportParameters(false).Curve.Oid;
                    return ("EC", ec?.KeySize ?? 0, CurveName(curve?.Value) ?? curve?.FriendlyName);
                }
            case "1.3.101.112": return ("ED25519", 256, null);
            case "1.3.101.113": return ("ED448", 456, null);
            default: return (cert.PublicKey.Oid.FriendlyName ?? cert.PublicKey.Oid.Value ?? "unknown", 0, null);
        }
    }

    // OpenSSL's NIST names, which `openssl x509 -text` prints ("NIST CURVE: P-256").
    private static string? CurveName(string? oid) => oid switch
    {
        "1.2.840.10045.3.1.7" => "P-256",
        "1.3.132.0.34" => "P-384",
        "1.3.132.0.35" => "P-521",
        _ => null,
    };

    /// <summary>OpenSSL's long names for signature algorithms ("sha256WithRSAEncryption"), the OID otherwise.</summary>
    public static string SignatureName(string? oid) => oid switch
    {
        "1.2.840.113549.1.1.5" => "sha1WithRSAEncryption",
        "1.2.840.113549.1.1.11" => "sha256WithRSAEncryption",
        "1.2.840.113549.1.1.12" => "sha384WithRSAEncryption",
        "1.2.840.113549.1.1.13" => "sha512WithRSAEncryption",
        "1.2.840.113549.1.1.10" => "rsassaPss",
        "1.2.840.10045.4.3.2" => "ecdsa-with-SHA256",
        "1.2.840.10045.4.3.3" => "ecdsa-with-SHA384",
        "1.2.840.10045.4.3.4" => "ecdsa-with-SHA512",
        "1.3.101.112" => "ED25519",
        "1.3.101.113" => "ED448",
        _ => oid ?? "unknown",
    };
}
