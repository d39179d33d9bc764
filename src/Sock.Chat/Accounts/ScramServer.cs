using System.Security.Cryptography;
using System.Text;

namespace Sock.Chat.Accounts;

/// <summary>
/// The server side of SCRAM-SHA-256 (RFC 5802, RFC 7677) without channel binding: client-first →
/// server-first (nonce, salt, iterations) → client-final (proof checked against StoredKey) →
/// server-final (signature from ServerKey). Knows only the verifier, never the password.
/// </summary>
public sealed class ScramServer(Func<string, PasswordVerifier?> lookup)
{
    private string? _user;
    private string? _clientFirstBare;
    private string? _serverFirst;
    private string? _nonce;
    private PasswordVerifier? _verifier;

    /// <summary>The account named in client-first (known once the first step succeeded).</summary>
    public string? User => _user;

    /// <summary>Step 1: the client-first message; returns the server-first message, or null with an error.</summary>
    public string? First(string clientFirst, out string? error)
    {
        error = null;
        // gs2 header: "n,," (no channel binding) or "y,," ; "p=" (binding) is not offered.
        if (!(clientFirst.StartsWith("n,", StringComparison.Ordinal) || clientFirst.StartsWith("y,", StringComparison.Ordinal)))
        {
            error = "channel binding is not supported";
            return null;
        }
        var second = clientFirst.IndexOf(',', 2);
        if (second < 0) { error = "malformed client-first message"; return null; }
        _clientFirstBare = clientFirst[(second + 1)..];
        var fields = Fields(_clientFirstBare);
        if (!fields.TryGetValue('n', out var user) || !fields.TryGetValue('r', out var clientNonce) || clientNonce.Length == 0 || fields.ContainsKey('m'))
        {
            error = "malformed client-first message";
            return null;
        }
        _user = user.Replace("=2C", ",", StringComparison.Ordinal).Replace("=3D", "=", StringComparison.Ordinal);
        // An unknown account still gets a plausible challenge (a salt derived from the name), so the
        // reply does not tell which accounts exist; the proof then fails.
        _verifier = lookup(_user);
        var salt = _verifier?.Salt ?? SHA256.HashData(Encoding.UTF8.GetBytes("sock-scram-unknown:" + _user))[..16];
        var iterations = _verifier?.Iterations ?? PasswordVerifier.DefaultIterations;
        _nonce = clientNonce + Convert.ToBase64String(RandomNumberGenerator.GetBytes(18));
        _serverFirst = $"r={_nonce},s={Convert.ToBase64String(salt)},i={iterations}";
        return _serverFirst;
    }

    /// <summary>Step 2: the client-final message; returns server-final when the proof holds, else null.</summary>
    public string? Final(string clientFinal, out string? error)
    {
        error = null;
        if (_serverFirst is null || _nonce is null) { error = "out of order"; return null; }
        var proofAt = clientFinal.LastIndexOf(",p=", StringComparison.Ordinal);
        if (proofAt < 0) { error = "malformed client-final message"; return null; }
        var withoutProof = clientFinal[..proofAt];
        var fields = Fields(clientFinal);
        if (!fields.TryGetValue('r', out var nonce) || nonce != _nonce || !fields.TryGetValue('c', out var binding)
            || (binding != "biws" && binding != "eSws"))
        {
            error = "nonce or channel binding mismatch";
            return null;
        }
        byte[] proof;
        try { proof = Convert.FromBase64String(fields['p']); }
        catch (FormatException) { error = "malformed proof"; return null; }
        var authMessage = Encoding.UTF8.GetBytes($"{_clientFirstBare},{_serverFirst},{withoutProof}");
        if (_verifier is null || proof.Length != 32) { error = "authentication failed"; return null; }
        var signature = HMACSHA256.HashData(_verifier.StoredKey, authMessage);
        var clientKey = new byte[32];
        for (var i = 0; i < 32; i++) clientKey[i] = (byte)(proof[i] ^ signature[i]);
        if (!CryptographicOperations.FixedTimeEquals(SHA256.HashData(clientKey), _verifier.StoredKey)) { error = "authentication failed"; return null; }
        return "v=" + Convert.ToBase64String(HMACSHA256.HashData(_verifier.ServerKey, authMessage));
    }

    private static Dictionary<char, string> Fields(string message)
    {
        var d = new Dictionary<char, string>();
        foreach (var part in message.Split(','))
            if (part.Length >= 2 && part[1] == '=') d.TryAdd(part[0], part[2..]);
        return d;
    }
}
