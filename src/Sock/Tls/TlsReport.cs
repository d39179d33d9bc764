namespace Sock.Tls;

/// <summary>What <c>sock tls</c> saw of one handshake, as <c>openssl s_client -showcerts</c> shows it.</summary>
/// <param name="Host">The host as given.</param>
/// <param name="Address">The address connected to.</param>
/// <param name="Port">The port connected to.</param>
/// <param name="Sni">The server name sent (SNI), or null when none was (an IP address, or --no-sni).</param>
/// <param name="StartTls">The protocol upgraded with STARTTLS first, or null for TLS from the first byte.</param>
/// <param name="Protocol">TLSv1.2 or TLSv1.3, as OpenSSL names them.</param>
/// <param name="Cipher">The cipher suite, IANA name (TLS_AES_256_GCM_SHA384).</param>
/// <param name="Alpn">The protocol the server chose from the offered ALPN list, or null.</param>
/// <param name="OcspStapled">Whether the server stapled an OCSP response; null when it cannot be seen (TLS 1.3 encrypts it).</param>
/// <param name="Certificates">The certificates the server sent, leaf first, in its order.</param>
/// <param name="Verified">Whether the chain verifies for <see cref="VerifiedName"/> against the trusted roots.</param>
/// <param name="VerifiedName">The name checked against the leaf (the SNI, or the address).</param>
/// <param name="Problems">Why it does not verify, one reason each (expired, name mismatch, self-signed…).</param>
/// <param name="ChainLength">Certificates in the chain the platform built (leaf to root), which may include a root the server did not send.</param>
public sealed record TlsReport(
    string Host, string Address, int Port, string? Sni, string? StartTls, string Protocol, string Cipher, string? Alpn, bool? OcspStapled,
    IReadOnlyList<CertificateInfo> Certificates, bool Verified, string VerifiedName, IReadOnlyList<string> Problems, int ChainLength);

/// <summary>One certificate, with the fields <c>openssl x509 -text -fingerprint -sha256</c> shows.</summary>
public sealed record CertificateInfo(
    string Subject, string Issuer, string Serial, IReadOnlyList<string> DnsNames, IReadOnlyList<string> IpAddresses,
    DateTime NotBefore, DateTime NotAfter, int DaysLeft, string KeyType, int KeyBits, string? Curve, string SignatureAlgorithm,
    string Sha256, bool SelfSigned, bool IsCa);
