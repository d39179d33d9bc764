using System.Security.Cryptography;
using System.Text;
using Sock.Chat.Accounts;

namespace Sock.Tests.Accounts;

/// <summary>
/// ScramServer against a SCRAM-SHA-256 client written here from RFC 5802 §3, checked first against the
/// exchange RFC 7677 §3 prints (user "user", password "pencil").
/// </summary>
public class ScramServerTests
{
    private const string RfcClientNonce = "rOprNGfwEbeRWgbNEkqO";
    private const string RfcServerFirst = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
    private const string RfcClientFinal = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    private const string RfcServerFinal = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

    /// <summary>RFC 5802 client: returns client-final and the server signature it expects.</summary>
    private static (string ClientFinal, string ExpectedServerFinal) ClientFinal(string user, string password, string clientNonce, string serverFirst)
    {
        var f = serverFirst.Split(',').ToDictionary(p => p[0], p => p[2..]);
        var salted = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), Convert.FromBase64String(f['s']), int.Parse(f['i']), HashAlgorithmName.SHA256, 32);
        var clientKey = HMACSHA256.HashData(salted, Encoding.ASCII.GetBytes("Client Key"));
        var serverKey = HMACSHA256.HashData(salted, Encoding.ASCII.GetBytes("Server Key"));
        var withoutProof = $"c=biws,r={f['r']}";
        var auth = Encoding.UTF8.GetBytes($"n={user},r={clientNonce},{serverFirst},{withoutProof}");
        var signature = HMACSHA256.HashData(SHA256.HashData(clientKey), auth);
        var proof = clientKey.Zip(signature, (a, b) => (byte)(a ^ b)).ToArray();
        return ($"{withoutProof},p={Convert.ToBase64String(proof)}", "v=" + Convert.ToBase64String(HMACSHA256.HashData(serverKey, auth)));
    }

    private static PasswordVerifier RfcVerifier()
    {
        var salt = Convert.FromBase64String("W22ZaJ0SNY7soEsUEjb6gQ==");
        var (stored, server) = PasswordVerifier.Keys("pencil", salt, 4096);
        return new PasswordVerifier(salt, 4096, stored, server);
    }

    [Fact]
    public void TheTestClientReproducesRfc7677()
    {
        var (final, expected) = ClientFinal("user", "pencil", RfcClientNonce, RfcServerFirst);
        Assert.Equal(RfcClientFinal, final);
        Assert.Equal(RfcServerFinal, expected);
    }

    [Fact]
    public void ServerAcceptsTheRightProofAndSignsWithServerKey()
    {
        var server = new ScramServer(name => name == "user" ? RfcVerifier() : null);
        var serverFirst = server.First($"n,,n=user,r={RfcClientNonce}", out var error);
        Assert.Null(error);
        Assert.StartsWith($"r={RfcClientNonce}", serverFirst);
        Assert.EndsWith(",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", serverFirst);
        Assert.Equal("user", server.User);
        var (final, expected) = ClientFinal("user", "pencil", RfcClientNonce, serverFirst!);
        Assert.Equal(expected, server.Final(final, out error));
        Assert.Null(error);
    }

    [Fact]
    public void WrongPasswordIsRefused()
    {
        var server = new ScramServer(_ => RfcVerifier());
        var serverFirst = server.First($"n,,n=user,r={RfcClientNonce}", out _);
        var (final, _) = ClientFinal("user", "pencil2", RfcClientNonce, serverFirst!);
        Assert.Null(server.Final(final, out var error));
        Assert.Equal("authentication failed", error);
    }

    [Fact]
    public void UnknownAccountGetsAPlausibleChallengeAndFails()
    {
        var server = new ScramServer(_ => null);
        var first = server.First("n,,n=ghost,r=abc", out var error);
        Assert.Null(error);
        Assert.Matches(@"^r=abc[^,]+,s=[A-Za-z0-9+/=]+,i=\d+$", first);
        // The same name gets the same salt each time, so probing twice tells nothing either.
        var again = new ScramServer(_ => null).First("n,,n=ghost,r=abc", out _);
        Assert.Equal(first!.Split(',')[1], again!.Split(',')[1]);
        var (final, _) = ClientFinal("ghost", "x", "abc", first);
        Assert.Null(server.Final(final, out error));
    }

    [Fact]
    public void TamperedNonceAndChannelBindingAreRefused()
    {
        var server = new ScramServer(_ => RfcVerifier());
        var serverFirst = server.First($"n,,n=user,r={RfcClientNonce}", out _)!;
        var (final, _) = ClientFinal("user", "pencil", RfcClientNonce, serverFirst);
        Assert.Null(server.Final(final.Replace("r=" + RfcClientNonce, "r=X" + RfcClientNonce), out var error));
        Assert.Equal("nonce or channel binding mismatch", error);
        Assert.Null(new ScramServer(_ => RfcVerifier()).First("p=tls-unique,,n=user,r=x", out error));
        Assert.Equal("channel binding is not supported", error);
    }

    [Fact]
    public void EscapedUserNamesAreDecoded()
    {
        string? asked = null;
        var server = new ScramServer(name => { asked = name; return null; });
        server.First("n,,n=a=2Cb=3Dc,r=x", out _);
        Assert.Equal("a,b=c", asked);
    }
}
