using System.Security.Cryptography.X509Certificates;
using Sock.Interop.Tests.Infrastructure;
using Sock.Tls;

namespace Sock.Interop.Tests.Pipes;

/// <summary>A self-signed certificate written as PEM files, for peers (socat) and `sock listen --cert/--key`.</summary>
internal static class TestCertificate
{
    public static (string Cert, string Key, string Combined, string Fingerprint) Write(TempDir dir)
    {
        using var cert = TlsCertificates.CreateSelfSigned();
        var certPem = cert.ExportCertificatePem();
        using var key = cert.GetECDsaPrivateKey() ?? throw new InvalidOperationException("no key");
        var keyPem = key.ExportPkcs8PrivateKeyPem();
        var (c, k, both) = (dir.File("cert.pem"), dir.File("key.pem"), dir.File("both.pem"));
        File.WriteAllText(c, certPem + "\n");
        File.WriteAllText(k, keyPem + "\n");
        File.WriteAllText(both, certPem + "\n" + keyPem + "\n");
        return (c, k, both, TlsCertificates.Fingerprint(cert));
    }
}
