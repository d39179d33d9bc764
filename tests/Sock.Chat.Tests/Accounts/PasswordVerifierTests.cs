using System.Security.Cryptography;
using System.Text;
using Sock.Chat.Accounts;

namespace Sock.Tests.Accounts;

public class PasswordVerifierTests
{
    [Fact]
    public void RightPasswordVerifiesAndWrongOneDoesNot()
    {
        var v = PasswordVerifier.Create("correct horse", PasswordVerifier.MinimumIterations);
        Assert.True(v.Verify("correct horse"));
        Assert.False(v.Verify("correct horsf"));
        Assert.False(v.Verify(""));
        Assert.Equal(PasswordVerifier.MinimumIterations, v.Iterations);
    }

    [Fact]
    public void SaltIsFreshSoTheSamePasswordGivesDifferentKeys()
    {
        var a = PasswordVerifier.Create("same", PasswordVerifier.MinimumIterations);
        var b = PasswordVerifier.Create("same", PasswordVerifier.MinimumIterations);
        Assert.Equal(16, a.Salt.Length);
        Assert.NotEqual(a.Salt, b.Salt);
        Assert.NotEqual(a.StoredKey, b.StoredKey);
    }

    /// <summary>The stored keys are RFC 5802's, computed here from the RFC 7677 test vector by hand.</summary>
    [Fact]
    public void KeysAreScramStoredKeyAndServerKey()
    {
        var salt = Convert.FromBase64String("W22ZaJ0SNY7soEsUEjb6gQ==");
        var salted = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes("pencil"), salt, 4096, HashAlgorithmName.SHA256, 32);
        var stored = SHA256.HashData(HMACSHA256.HashData(salted, Encoding.ASCII.GetBytes("Client Key")));
        var server = HMACSHA256.HashData(salted, Encoding.ASCII.GetBytes("Server Key"));
        var v = new PasswordVerifier(salt, 4096, stored, server);
        Assert.True(v.Verify("pencil"));
        Assert.False(v.Verify("Pencil"));
        var (ourStored, ourServer) = PasswordVerifier.Keys("pencil", salt, 4096);
        Assert.Equal(stored, ourStored);
        Assert.Equal(server, ourServer);
    }

    [Fact]
    public void NonAsciiPasswordsAreUtf8()
    {
        var v = PasswordVerifier.Create("пароль 🔑 שלום", PasswordVerifier.MinimumIterations);
        Assert.True(v.Verify("пароль 🔑 שלום"));
        Assert.False(v.Verify("пароль 🔑 שלו"));
    }
}
