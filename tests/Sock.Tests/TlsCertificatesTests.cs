using Sock.Tls;

namespace Sock.Tests;

public class TlsCertificatesTests
{
    [Fact]
    public void SelfSignedHasPrivateKeyAndColonFingerprint()
    {
        using var cert = TlsCertificates.CreateSelfSigned();
        Assert.True(cert.HasPrivateKey);
        var fp = TlsCertificates.Fingerprint(cert);
        Assert.Equal(32 * 3 - 1, fp.Length);
        Assert.True(TlsCertificates.MatchesPin(fp.ToLowerInvariant().Replace(":", ""), cert));
        Assert.True(TlsCertificates.MatchesPin("sha256:" + fp, cert));
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("zz:zz")]
    public void RejectsMalformedPins(string pin) =>
        Assert.Throws<ArgumentException>(() => TlsCertificates.NormalizePin(pin));
}
