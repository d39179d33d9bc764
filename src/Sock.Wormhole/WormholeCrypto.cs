using System.Security.Cryptography;
using System.Text;

namespace Sock.Wormhole;

/// <summary>
/// magic-wormhole's key schedule and message boxes: every key is HKDF-SHA256 of the SPAKE2 key (no
/// salt) with a purpose string; mailbox messages and transit records are NaCl secretboxes, sent as
/// nonce ‖ MAC ‖ ciphertext.
/// </summary>
public static class WormholeCrypto
{
    public const int KeyLength = Sodium.SecretBoxKeyBytes;

    /// <summary>wormhole's derive_key(key, purpose, length): HKDF-SHA256 with no salt.</summary>
    public static byte[] DeriveKey(ReadOnlySpan<byte> key, ReadOnlySpan<byte> purpose, int length = KeyLength)
    {
        var output = new byte[length];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, key, output, [], purpose);
        return output;
    }

    public static byte[] DeriveKey(ReadOnlySpan<byte> key, string purpose, int length = KeyLength) =>
        DeriveKey(key, Encoding.UTF8.GetBytes(purpose), length);

    /// <summary>The key of one mailbox phase from one side: purpose "wormhole:phase:" ‖ SHA256(side) ‖ SHA256(phase).</summary>
    public static byte[] DerivePhaseKey(ReadOnlySpan<byte> key, string side, string phase)
    {
        var purpose = new byte[15 + 64];
        "wormhole:phase:"u8.CopyTo(purpose);
        SHA256.HashData(Encoding.ASCII.GetBytes(side), purpose.AsSpan(15, 32));
        SHA256.HashData(Encoding.ASCII.GetBytes(phase), purpose.AsSpan(47, 32));
        return DeriveKey(key, purpose);
    }

    /// <summary>A secretbox with a random nonce, as nonce ‖ box (wormhole's encrypt_data).</summary>
    public static byte[] Seal(ReadOnlySpan<byte> key, ReadOnlySpan<byte> plaintext)
    {
        var output = new byte[Sodium.SecretBoxNonceBytes + Sodium.SecretBoxMacBytes + plaintext.Length];
        RandomNumberGenerator.Fill(output.AsSpan(0, Sodium.SecretBoxNonceBytes));
        Sodium.SecretBoxSeal(output.AsSpan(Sodium.SecretBoxNonceBytes), plaintext, output.AsSpan(0, Sodium.SecretBoxNonceBytes), key);
        return output;
    }

    /// <summary>A secretbox with the given nonce, as nonce ‖ box (transit records use a counter).</summary>
    public static void Seal(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, Span<byte> output)
    {
        nonce.CopyTo(output);
        Sodium.SecretBoxSeal(output[Sodium.SecretBoxNonceBytes..], plaintext, nonce, key);
    }

    /// <summary>Opens nonce ‖ box; null when it does not authenticate under <paramref name="key"/>.</summary>
    public static byte[]? Open(ReadOnlySpan<byte> key, ReadOnlySpan<byte> sealedData)
    {
        if (sealedData.Length < Sodium.SecretBoxNonceBytes + Sodium.SecretBoxMacBytes) return null;
        var output = new byte[sealedData.Length - Sodium.SecretBoxNonceBytes - Sodium.SecretBoxMacBytes];
        return Sodium.SecretBoxOpen(output, sealedData[Sodium.SecretBoxNonceBytes..], sealedData[..Sodium.SecretBoxNonceBytes], key) ? output : null;
    }

    /// <summary>Opens into <paramref name="output"/> (length of data minus 40); false when it does not authenticate.</summary>
    public static bool Open(ReadOnlySpan<byte> key, ReadOnlySpan<byte> sealedData, Span<byte> output) =>
        sealedData.Length >= Sodium.SecretBoxNonceBytes + Sodium.SecretBoxMacBytes
        && Sodium.SecretBoxOpen(output, sealedData[Sodium.SecretBoxNonceBytes..], sealedData[..Sodium.SecretBoxNonceBytes], key);
}
