using System.Globalization;
using System.Text;
using Sock.Tls;

namespace Sock.Cli.Commands.Toolbox;

/// <summary>The human form of a <see cref="TlsReport"/>: the handshake, each certificate, the verdict.</summary>
internal static class TlsText
{
    public static string Render(TlsReport r)
    {
        var text = new StringBuilder();
        void Line(string label, string value) => text.Append(CultureInfo.InvariantCulture, $"{label,-12}{value}\n");
        Line("connected", $"{r.Address} port {r.Port}" + (r.StartTls is null ? "" : $" (STARTTLS {r.StartTls})"));
        Line("protocol", r.Protocol);
        Line("cipher", r.Cipher);
        Line("alpn", r.Alpn ?? "none");
        Line("sni", r.Sni ?? "none sent");
        Line("ocsp", r.OcspStapled switch { true => "stapled", false => "not stapled", null => "not visible (TLS 1.3 sends it encrypted)" });
        for (var i = 0; i < r.Certificates.Count; i++)
        {
            var c = r.Certificates[i];
            text.Append(CultureInfo.InvariantCulture, $"\ncertificate {i}{(i == 0 ? " (leaf)" : c.SelfSigned ? " (root)" : c.IsCa ? " (intermediate)" : "")}\n");
            Line("  subject", c.Subject);
            Line("  issuer", c.Issuer);
            if (c.DnsNames.Count + c.IpAddresses.Count > 0)
                Line("  names", string.Join(", ", c.DnsNames.Concat(c.IpAddresses)));
            var left = c.DaysLeft < 0 ? $"expired {-c.DaysLeft} days ago" : c.NotBefore > DateTime.UtcNow ? "not yet valid" : $"{c.DaysLeft} days left";
            Line("  valid", $"{c.NotBefore:yyyy-MM-dd HH:mm:ss} to {c.NotAfter:yyyy-MM-dd HH:mm:ss} UTC ({left})");
            Line("  key", $"{c.KeyType} {c.KeyBits} bits" + (c.Curve is null ? "" : $" ({c.Curve})"));
            Line("  signature", c.SignatureAlgorithm);
            Line("  sha256", c.Sha256);
        }
        text.Append('\n');
        Line("verified", r.Verified
            ? $"yes, for {r.VerifiedName} (a chain of {r.ChainLength})"
            : $"NO, for {r.VerifiedName}");
        foreach (var p in r.Problems) Line("  problem", p);
        return text.ToString();
    }
}
