using System.Numerics;
using System.Security.Cryptography;

namespace Sock.Wormhole;

/// <summary>
/// SPAKE2 in its symmetric mode over the Ed25519 group, byte for byte as python-spake2 (the library
/// magic-wormhole uses) does it, with libsodium's group operations:
/// <list type="bullet">
/// <item>pw = HKDF-SHA256(ikm=password, salt="", info="SPAKE2 pw", 48 bytes) read big-endian, mod L;</item>
/// <item>S = arbitrary_element("symmetric"): HKDF(info="SPAKE2 arbitrary element") to a y coordinate
/// mod 2^255-19, the first y (counting up) that is on the curve with an even x, times the cofactor 8;</item>
/// <item>outbound = "S" ‖ (x·B + pw·S), K = x·(inbound − pw·S);</item>
/// <item>key = SHA256(SHA256(password) ‖ SHA256(idSymmetric) ‖ sorted(msg1, msg2) ‖ K).</item>
/// </list>
/// </summary>
public sealed class Spake2Symmetric
{
    private static readonly BigInteger FieldPrime = BigInteger.Pow(2, 255) - 19;
    private static readonly Lazy<byte[]> SymmetricElement = new(() => ArbitraryElement("symmetric"u8));

    private readonly byte[] _password;
    private readonly byte[] _identity;
    private readonly byte[] _passwordScalar;
    private readonly byte[] _secret = new byte[Sodium.ScalarBytes];
    private readonly byte[] _outboundElement = new byte[Sodium.PointBytes];
    private bool _finished;

    /// <summary>The message to send: 'S' then the 32-byte blinded element.</summary>
    public byte[] Outbound { get; }

    public Spake2Symmetric(ReadOnlySpan<byte> password, ReadOnlySpan<byte> identity, ReadOnlySpan<byte> secretScalar = default)
    {
        _password = password.ToArray();
        _identity = identity.ToArray();
        _passwordScalar = PasswordToScalar(password);
        // A fixed secret is for test vectors only; otherwise a fresh random scalar below L.
        if (secretScalar.IsEmpty) Sodium.ScalarRandom(_secret);
        else secretScalar.CopyTo(_secret);

        Span<byte> xB = stackalloc byte[Sodium.PointBytes];
        Span<byte> pwS = stackalloc byte[Sodium.PointBytes];
        if (!Sodium.ScalarMultBase(xB, _secret) || !Sodium.ScalarMult(pwS, _passwordScalar, SymmetricElement.Value)
            || !Sodium.PointAdd(_outboundElement, xB, pwS))
            throw new CryptographicException("SPAKE2: degenerate scalar");
        Outbound = [(byte)'S', .. _outboundElement];
    }

    /// <summary>The shared key from the peer's message; throws <see cref="CryptographicException"/> on a malformed one.</summary>
    public byte[] Finish(ReadOnlySpan<byte> inbound)
    {
        if (_finished) throw new InvalidOperationException("SPAKE2 finish() may only be called once");
        _finished = true;
        if (inbound.Length != 1 + Sodium.PointBytes) throw new CryptographicException("SPAKE2 message has the wrong length");
        if (inbound[0] != (byte)'S') throw new CryptographicException("SPAKE2 message is not from a symmetric side");
        var element = inbound[1..];
        if (!Sodium.IsValidPoint(element)) throw new CryptographicException("SPAKE2 message is not a group element");
        if (element.SequenceEqual(_outboundElement)) throw new CryptographicException("SPAKE2 message reflected back to us");

        Span<byte> pwS = stackalloc byte[Sodium.PointBytes];
        Span<byte> unblinded = stackalloc byte[Sodium.PointBytes];
        Span<byte> k = stackalloc byte[Sodium.PointBytes];
        if (!Sodium.ScalarMult(pwS, _passwordScalar, SymmetricElement.Value) || !Sodium.PointSub(unblinded, element, pwS)
            || !Sodium.ScalarMult(k, _secret, unblinded))
            throw new CryptographicException("SPAKE2 message gives a degenerate key");

        var transcript = new byte[5 * 32];
        SHA256.HashData(_password, transcript.AsSpan(0, 32));
        SHA256.HashData(_identity, transcript.AsSpan(32, 32));
        var inboundFirst = element.SequenceCompareTo(_outboundElement) < 0;
        element.CopyTo(transcript.AsSpan(inboundFirst ? 64 : 96));
        _outboundElement.CopyTo(transcript.AsSpan(inboundFirst ? 96 : 64));
        k.CopyTo(transcript.AsSpan(128));
        return SHA256.HashData(transcript);
    }

    /// <summary>python-spake2's password_to_scalar: a 48-byte HKDF output as a big-endian number, mod L.</summary>
    public static byte[] PasswordToScalar(ReadOnlySpan<byte> password)
    {
        var oversized = HKDF.Expand(HashAlgorithmName.SHA256, HKDF.Extract(HashAlgorithmName.SHA256, password.ToArray(), []), 48, "SPAKE2 pw"u8.ToArray());
        var wide = new byte[64];
        for (var i = 0; i < oversized.Length; i++) wide[i] = oversized[^(i + 1)]; // big-endian → little-endian
        var scalar = new byte[Sodium.ScalarBytes];
        Sodium.ScalarReduce(scalar, wide);
        return scalar;
    }

    /// <summary>python-spake2's arbitrary_element(seed) for Ed25519 (an element nobody knows the discrete log of).</summary>
    public static byte[] ArbitraryElement(ReadOnlySpan<byte> seed)
    {
        var expanded = HKDF.Expand(HashAlgorithmName.SHA256, HKDF.Extract(HashAlgorithmName.SHA256, seed.ToArray(), []), 48, "SPAKE2 arbitrary element"u8.ToArray());
        var y = new BigInteger(expanded, isUnsigned: true, isBigEndian: true) % FieldPrime;
        var encoded = new byte[Sodium.PointBytes];
        var p2 = new byte[Sodium.PointBytes];
        var p4 = new byte[Sodium.PointBytes];
        var p8 = new byte[Sodium.PointBytes];
        for (var plus = 0; plus < 1000; plus++)
        {
            // The encoding of (x, y) with the sign bit clear: the even x, which is the root python's xrecover picks.
            Array.Clear(encoded);
            ((y + plus) % FieldPrime).TryWriteBytes(encoded, out _, isUnsigned: true, isBigEndian: false);
            // Times the cofactor 8 by three doublings (libsodium's scalar multiplication only takes points
            // already in the prime-order subgroup). The first addition fails when y has no x on the curve.
            if (!Sodium.PointAdd(p2, encoded, encoded) || !Sodium.PointAdd(p4, p2, p2) || !Sodium.PointAdd(p8, p4, p4)) continue;
            if (Sodium.IsValidPoint(p8)) return p8; // not the identity (a small-order start)
        }
        throw new CryptographicException("no curve point found for the arbitrary element");
    }
}
