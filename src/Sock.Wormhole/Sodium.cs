using System.Runtime.InteropServices;

namespace Sock.Wormhole;

/// <summary>
/// The few libsodium functions magic-wormhole's protocol needs that no maintained .NET binding
/// exposes: NaCl's secretbox (XSalsa20-Poly1305, which NSec and Geralt keep internal) and the
/// Ed25519 group operations SPAKE2 is built from (crypto_core_ed25519_*, noclamp scalar
/// multiplication). Every primitive is libsodium's own; this file only declares the calls into
/// the libsodium shared library that the libsodium NuGet package (by libsodium's author) ships.
/// </summary>
internal static unsafe partial class Sodium
{
    private const string Lib = "libsodium";

    public const int SecretBoxKeyBytes = 32;
    public const int SecretBoxNonceBytes = 24;
    public const int SecretBoxMacBytes = 16;
    public const int PointBytes = 32;
    public const int ScalarBytes = 32;

    private static readonly bool Initialized = Init();

    private static bool Init()
    {
        try
        {
            if (sodium_init() < 0) throw new SockException("libsodium failed to initialize");
        }
        catch (DllNotFoundException e)
        {
            throw new SockException("libsodium not found (keep libsodium.so beside sock, or install the system one: libsodium-dev)", e);
        }
        return true;
    }

    /// <summary>Makes sure sodium_init ran (it picks the fastest implementations and seeds the RNG).</summary>
    public static void EnsureInitialized() => _ = Initialized;

    [LibraryImport(Lib)]
    private static partial int sodium_init();

    [LibraryImport(Lib)]
    private static partial int crypto_secretbox_easy(byte* c, byte* m, ulong mlen, byte* n, byte* k);

    [LibraryImport(Lib)]
    private static partial int crypto_secretbox_open_easy(byte* m, byte* c, ulong clen, byte* n, byte* k);

    [LibraryImport(Lib)]
    private static partial int crypto_core_ed25519_add(byte* r, byte* p, byte* q);

    [LibraryImport(Lib)]
    private static partial int crypto_core_ed25519_sub(byte* r, byte* p, byte* q);

    [LibraryImport(Lib)]
    private static partial int crypto_scalarmult_ed25519_noclamp(byte* q, byte* n, byte* p);

    [LibraryImport(Lib)]
    private static partial int crypto_scalarmult_ed25519_base_noclamp(byte* q, byte* n);

    [LibraryImport(Lib)]
    private static partial void crypto_core_ed25519_scalar_reduce(byte* r, byte* s);

    [LibraryImport(Lib)]
    private static partial void crypto_core_ed25519_scalar_random(byte* r);

    [LibraryImport(Lib)]
    private static partial int crypto_core_ed25519_is_valid_point(byte* p);

    /// <summary>secretbox: MAC (16 bytes) then ciphertext, into <paramref name="output"/> (plaintext + 16 bytes).</summary>
    public static void SecretBoxSeal(Span<byte> output, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> key)
    {
        EnsureInitialized();
        Check(output.Length == plaintext.Length + SecretBoxMacBytes && nonce.Length == SecretBoxNonceBytes && key.Length == SecretBoxKeyBytes);
        fixed (byte* c = output)
        fixed (byte* m = plaintext)
        fixed (byte* n = nonce)
        fixed (byte* k = key)
        {
            if (crypto_secretbox_easy(c, m, (ulong)plaintext.Length, n, k) != 0) throw new SockException("secretbox encryption failed");
        }
    }

    /// <summary>Opens a secretbox; false when the MAC does not verify (wrong key or tampered data).</summary>
    public static bool SecretBoxOpen(Span<byte> output, ReadOnlySpan<byte> boxed, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> key)
    {
        EnsureInitialized();
        if (boxed.Length < SecretBoxMacBytes) return false;
        Check(output.Length == boxed.Length - SecretBoxMacBytes && nonce.Length == SecretBoxNonceBytes && key.Length == SecretBoxKeyBytes);
        fixed (byte* m = output)
        fixed (byte* c = boxed)
        fixed (byte* n = nonce)
        fixed (byte* k = key)
        {
            // libsodium needs a valid pointer even for an empty message.
            byte dummy = 0;
            return crypto_secretbox_open_easy(output.Length == 0 ? &dummy : m, c, (ulong)boxed.Length, n, k) == 0;
        }
    }

    /// <summary>p + q; false if either is not an encoded curve point.</summary>
    public static bool PointAdd(Span<byte> r, ReadOnlySpan<byte> p, ReadOnlySpan<byte> q) => PointOp(r, p, q, add: true);

    /// <summary>p - q; false if either is not an encoded curve point.</summary>
    public static bool PointSub(Span<byte> r, ReadOnlySpan<byte> p, ReadOnlySpan<byte> q) => PointOp(r, p, q, add: false);

    private static bool PointOp(Span<byte> r, ReadOnlySpan<byte> p, ReadOnlySpan<byte> q, bool add)
    {
        EnsureInitialized();
        Check(r.Length == PointBytes && p.Length == PointBytes && q.Length == PointBytes);
        fixed (byte* rp = r)
        fixed (byte* pp = p)
        fixed (byte* qp = q)
            return (add ? crypto_core_ed25519_add(rp, pp, qp) : crypto_core_ed25519_sub(rp, pp, qp)) == 0;
    }

    /// <summary>n·p with n used as is (no clamping); false for an invalid/small-order point or an identity result.</summary>
    public static bool ScalarMult(Span<byte> q, ReadOnlySpan<byte> n, ReadOnlySpan<byte> p)
    {
        EnsureInitialized();
        Check(q.Length == PointBytes && n.Length == ScalarBytes && p.Length == PointBytes);
        fixed (byte* qp = q)
        fixed (byte* np = n)
        fixed (byte* pp = p)
            return crypto_scalarmult_ed25519_noclamp(qp, np, pp) == 0;
    }

    /// <summary>n·B for the Ed25519 base point B, n used as is.</summary>
    public static bool ScalarMultBase(Span<byte> q, ReadOnlySpan<byte> n)
    {
        EnsureInitialized();
        Check(q.Length == PointBytes && n.Length == ScalarBytes);
        fixed (byte* qp = q)
        fixed (byte* np = n)
            return crypto_scalarmult_ed25519_base_noclamp(qp, np) == 0;
    }

    /// <summary>A 64-byte little-endian number reduced modulo the group order L.</summary>
    public static void ScalarReduce(Span<byte> r, ReadOnlySpan<byte> wide)
    {
        EnsureInitialized();
        Check(r.Length == ScalarBytes && wide.Length == 64);
        fixed (byte* rp = r)
        fixed (byte* sp = wide)
            crypto_core_ed25519_scalar_reduce(rp, sp);
    }

    /// <summary>A uniformly random non-zero scalar below L.</summary>
    public static void ScalarRandom(Span<byte> r)
    {
        EnsureInitialized();
        Check(r.Length == ScalarBytes);
        fixed (byte* rp = r)
            crypto_core_ed25519_scalar_random(rp);
    }

    /// <summary>True for a canonical encoding of a point in the prime-order subgroup (not of small order).</summary>
    public static bool IsValidPoint(ReadOnlySpan<byte> p)
    {
        EnsureInitialized();
        if (p.Length != PointBytes) return false;
        fixed (byte* pp = p)
            return crypto_core_ed25519_is_valid_point(pp) == 1;
    }

    private static void Check(bool ok)
    {
        if (!ok) throw new ArgumentException("wrong buffer length for a libsodium call");
    }
}
