using System.Security.Cryptography;
using System.Text;

namespace Sock.Chat.Accounts;

/// <summary>
/// What is kept of a password: SCRAM-SHA-256's StoredKey and ServerKey (RFC 5802/7677) from a salted
/// PBKDF2-SHA-256, with the salt and iteration count, so PLAIN and SCRAM both verify and the
/// password itself is never stored. The count is stored per account so it can be raised later.
/// </summary>
public sealed record PasswordVerifier(byte[] Salt, int Iterations, byte[] StoredKey, byte[] ServerKey)
{
    /// <summary>OWASP's 2023 figure for PBKDF2-HMAC-SHA256.</summary>
    public const int DefaultIterations = 600_000;
    /// <summary>RFC 7677's minimum; lower counts are refused.</summary>
    public const int MinimumIterations = 4096;

    public static PasswordVerifier Create(string password, int iterations = DefaultIterations)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        var (stored, server) = Keys(password, salt, iterations);
        return new PasswordVerifier(salt, iterations, stored, server);
    }

    /// <summary>PLAIN: derive the keys from the given password and compare in constant time.</summary>
    public bool Verify(string password)
    {
        var (stored, _) = Keys(password, Salt, Iterations);
        return CryptographicOperations.FixedTimeEquals(stored, StoredKey);
    }

    /// <summary>The same work as <see cref="Verify"/> for an account that does not exist, so the two take as long.</summary>
    public static void VerifyNothing(string password, int iterations) => Keys(password, DummySalt, iterations);

    private static readonly byte[] DummySalt = RandomNumberGenerator.GetBytes(16);

    internal static (byte[] StoredKey, byte[] ServerKey) Keys(string password, byte[] salt, int iterations)
    {
        var salted = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, 32);
        var clientKey = HMACSHA256.HashData(salted, "Client Key"u8);
        var serverKey = HMACSHA256.HashData(salted, "Server Key"u8);
        return (SHA256.HashData(clientKey), serverKey);
    }
}
