using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Sock.Wormhole;

namespace Sock.Tests.Wormhole;

/// <summary>
/// Our SPAKE2 (libsodium's group operations) against python-spake2, the implementation
/// magic-wormhole runs: its own published test vectors (spake2/test/test_compat.py), and a live
/// exchange with the installed Debian module.
/// </summary>
public sealed class Spake2Tests
{
    private static byte[] Hex(string hex) => Convert.FromHexString(hex);

    /// <summary>python-spake2's deterministic test RNG (test/common.py): SHA256("prng-N-" ‖ seed) blocks.</summary>
    private static byte[] Prg(string seed, int count)
    {
        var output = new List<byte>();
        for (var counter = 0; output.Count < count; counter++)
            output.AddRange(SHA256.HashData(Encoding.ASCII.GetBytes($"prng-{counter}-{seed}")));
        return output.Take(count).ToArray();
    }

    /// <summary>python-spake2's random_scalar(entropy): 64 bytes big-endian, mod L.</summary>
    private static byte[] ScalarFromPrg(string seed)
    {
        var wide = Prg(seed, 64);
        Array.Reverse(wide);
        var scalar = new byte[32];
        Sodium.ScalarReduce(scalar, wide);
        return scalar;
    }

    [Fact]
    public void SymmetricElementIsPythonsS()
    {
        // spake2.ParamsEd25519.S.to_bytes(), also pinned by the Rust spake2 crate.
        Assert.Equal("6f00dae87c1be1a73b5922ef431cd8f57879569c222d22b1cd71e8546ab8e6f1",
            Convert.ToHexStringLower(Spake2Symmetric.ArbitraryElement("symmetric"u8)));
        // ParamsEd25519.M and N (seeds "M" and "N"): the same derivation, other seeds.
        Assert.Equal("15cfd18e385952982b6a8f8c7854963b58e34388c8e6dae891db756481a02312",
            Convert.ToHexStringLower(Spake2Symmetric.ArbitraryElement("M"u8)));
        Assert.Equal("f04f2e7eb734b2a8f8b472eaf9c3c632576ac64aea650b496a8a20ff00e583c3",
            Convert.ToHexStringLower(Spake2Symmetric.ArbitraryElement("N"u8)));
    }

    [Theory]
    [InlineData("7077", "cf090b60384cb818b12c8d972dfbaf910c0c7295c5cfe560e508f5f062f3960f")]
    [InlineData("0001feff", "e86622bb57ea0f6f9f963354f2973a43a9e981901a478e6478682374441b0c04")]
    public void PasswordToScalarMatchesPythonVectors(string passwordHex, string scalarHex) =>
        Assert.Equal(scalarHex, Convert.ToHexStringLower(Spake2Symmetric.PasswordToScalar(Hex(passwordHex))));

    [Fact]
    public void SymmetricExchangeMatchesPythonVector()
    {
        // test_compat.py test_symmetric: PRG(b"1") and PRG(b"2") as the two sides' entropy.
        var s1 = new Spake2Symmetric("password"u8, ""u8, ScalarFromPrg("1"));
        var s2 = new Spake2Symmetric("password"u8, ""u8, ScalarFromPrg("2"));
        Assert.Equal("5308f692d38c4034ad6e2e1054c469ca1dbe990bcaec4bbd3ad78c7d968eadd0b3", Convert.ToHexStringLower(s1.Outbound));
        Assert.Equal("5329e2d5f9b7a53e609204115c6458921b0bb27419ce82a27679fc5961002897df", Convert.ToHexStringLower(s2.Outbound));
        var k1 = s1.Finish(s2.Outbound);
        var k2 = s2.Finish(s1.Outbound);
        Assert.Equal("9c4fccaa3f0740615cee6fd10ed5d3a311b91b5bdc65f53e4ea7cb2fe8aa96eb", Convert.ToHexStringLower(k1));
        Assert.Equal(k1, k2);
    }

    [Fact]
    public void WrongPasswordGivesDifferentKeys()
    {
        var a = new Spake2Symmetric("4-purple-sausage"u8, "app"u8);
        var b = new Spake2Symmetric("4-purple-sausages"u8, "app"u8);
        Assert.NotEqual(a.Finish(b.Outbound), b.Finish(a.Outbound));
    }

    [Fact]
    public void RejectsMalformedAndReflectedMessages()
    {
        var a = new Spake2Symmetric("pw"u8, ""u8);
        Assert.Throws<CryptographicException>(() => a.Finish(a.Outbound)); // reflection
        var b = new Spake2Symmetric("pw"u8, ""u8);
        Assert.Throws<CryptographicException>(() => b.Finish([(byte)'A', .. b.Outbound.AsSpan(1)])); // wrong side
        var c = new Spake2Symmetric("pw"u8, ""u8);
        var notAPoint = new byte[33];
        notAPoint[0] = (byte)'S';
        notAPoint[1] = 2; // y = 2 is not on the curve
        Assert.Throws<CryptographicException>(() => c.Finish(notAPoint));
    }

    /// <summary>A live exchange with Debian's python3-spake2 (magic-wormhole's dependency), both directions of the key.</summary>
    [Fact]
    public async Task AgreesWithInstalledPythonSpake2()
    {
        const string script = """
            import sys
            from binascii import hexlify, unhexlify
            from spake2 import SPAKE2_Symmetric
            s = SPAKE2_Symmetric(b"7-guitarist-revenge", idSymmetric=b"lothar.com/wormhole/text-or-file-xfer")
            print(hexlify(s.start()).decode(), flush=True)
            print(hexlify(s.finish(unhexlify(sys.stdin.readline().strip()))).decode(), flush=True)
            """;
        var ours = new Spake2Symmetric("7-guitarist-revenge"u8, "lothar.com/wormhole/text-or-file-xfer"u8);
        var info = new ProcessStartInfo("/usr/bin/python3", ["-c", script])
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        using var python = Process.Start(info)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var theirMessage = await python.StandardOutput.ReadLineAsync(timeout.Token);
        if (theirMessage is null)
            Assert.Fail("python3 spake2 (Debian python3-spake2) did not start: " + await python.StandardError.ReadToEndAsync(timeout.Token));
        await python.StandardInput.WriteLineAsync(Convert.ToHexStringLower(ours.Outbound));
        await python.StandardInput.FlushAsync(timeout.Token);
        var theirKey = await python.StandardOutput.ReadLineAsync(timeout.Token);
        await python.WaitForExitAsync(timeout.Token);
        Assert.Equal(theirKey, Convert.ToHexStringLower(ours.Finish(Hex(theirMessage))));
    }
}
