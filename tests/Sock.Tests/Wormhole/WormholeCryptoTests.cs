using System.Diagnostics;
using Sock.Wormhole;

namespace Sock.Tests.Wormhole;

/// <summary>magic-wormhole's key schedule and secretboxes, checked against its own Python code (Debian's magic-wormhole).</summary>
public sealed class WormholeCryptoTests
{
    private static async Task<string> PythonAsync(string script)
    {
        var info = new ProcessStartInfo("/usr/bin/python3", ["-c", script]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var python = Process.Start(info)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var output = await python.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = await python.StandardError.ReadToEndAsync(timeout.Token);
        await python.WaitForExitAsync(timeout.Token);
        Assert.True(python.ExitCode == 0, "python3 with Debian's magic-wormhole failed: " + error);
        return output.Trim();
    }

    [Fact]
    public async Task PhaseKeyAndTransitKeysMatchWormhole()
    {
        var key = Convert.FromHexString("9c4fccaa3f0740615cee6fd10ed5d3a311b91b5bdc65f53e4ea7cb2fe8aa96eb");
        var python = await PythonAsync("""
            from binascii import unhexlify
            from wormhole._key import derive_phase_key, derive_key
            from wormhole.transit import build_sender_handshake, build_receiver_handshake, build_sided_relay_handshake
            k = unhexlify("9c4fccaa3f0740615cee6fd10ed5d3a311b91b5bdc65f53e4ea7cb2fe8aa96eb")
            print(derive_phase_key(k, "0123456789abcdef", "version").hex())
            t = derive_key(k, b"lothar.com/wormhole/text-or-file-xfer/transit-key")
            print(t.hex())
            print(build_sender_handshake(t).decode().strip())
            print(build_receiver_handshake(t).decode().strip())
            print(build_sided_relay_handshake(t, "0011223344556677").decode().strip())
            print(derive_key(k, b"wormhole:verifier").hex())
            """);
        var lines = python.Split('\n');
        Assert.Equal(lines[0], Convert.ToHexStringLower(WormholeCrypto.DerivePhaseKey(key, "0123456789abcdef", "version")));
        var transit = WormholeCrypto.DeriveKey(key, "lothar.com/wormhole/text-or-file-xfer/transit-key");
        Assert.Equal(lines[1], Convert.ToHexStringLower(transit));
        Assert.Equal(lines[2], TransitHandshake.Sender(transit).Trim());
        Assert.Equal(lines[3], TransitHandshake.Receiver(transit).Trim());
        Assert.Equal(lines[4], TransitHandshake.RelayRequest(transit, "0011223344556677").Trim());
        Assert.Equal(lines[5], Convert.ToHexStringLower(WormholeCrypto.DeriveKey(key, "wormhole:verifier")));
    }

    [Fact]
    public async Task SecretBoxOpensWhatPyNaClSealsAndBack()
    {
        var key = new byte[32];
        for (var i = 0; i < key.Length; i++) key[i] = (byte)i;
        var sealedByPython = await PythonAsync("""
            from nacl.secret import SecretBox
            print(SecretBox(bytes(range(32))).encrypt(b"hello wormhole", bytes(24)).hex())
            """);
        Assert.Equal("hello wormhole"u8.ToArray(), WormholeCrypto.Open(key, Convert.FromHexString(sealedByPython)));

        var ours = Convert.ToHexStringLower(WormholeCrypto.Seal(key, "from sock"u8));
        var opened = await PythonAsync($"""
            from nacl.secret import SecretBox
            print(SecretBox(bytes(range(32))).decrypt(bytes.fromhex("{ours}")).decode())
            """);
        Assert.Equal("from sock", opened);

        var tampered = Convert.FromHexString(sealedByPython);
        tampered[^1] ^= 1;
        Assert.Null(WormholeCrypto.Open(key, tampered));
        key[0] ^= 1;
        Assert.Null(WormholeCrypto.Open(key, Convert.FromHexString(sealedByPython)));
    }
}
