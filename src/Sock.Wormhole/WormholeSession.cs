using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Sock.Wormhole;

/// <summary>
/// One magic-wormhole conversation over the mailbox: the code, SPAKE2 on it (phase "pake"), key
/// confirmation by each side's encrypted "version" message, then numbered application phases
/// ("0", "1"…), each a secretbox under a key of its own (side and phase). A wrong code shows up as
/// a "version" message that does not decrypt: the mailbox is closed "scary" and
/// <see cref="WrongCodeException"/> thrown.
/// </summary>
public sealed class WormholeSession : IAsyncDisposable
{
    /// <summary>magic-wormhole's file-transfer application id (also in the transit key's purpose, its bug 339).</summary>
    public const string FileTransferAppId = "lothar.com/wormhole/text-or-file-xfer";

    /// <summary>The public mailbox server magic-wormhole uses by default.</summary>
    public const string DefaultMailboxUrl = "ws://relay.magic-wormhole.io:4000/v1";

    private readonly MailboxClient _mailbox;
    private readonly string _appId;
    private readonly Dictionary<int, byte[]> _early = [];
    private string? _mailboxId;
    private byte[]? _key;
    private string? _theirSide;
    private int _nextOutbound;
    private int _nextInbound;
    private bool _closed;

    public string Code { get; private set; } = "";

    /// <summary>The SPAKE2 session key, once <see cref="EstablishAsync"/> has confirmed it.</summary>
    public ReadOnlySpan<byte> Key => _key ?? throw new InvalidOperationException("no key yet");

    private WormholeSession(MailboxClient mailbox, string appId)
    {
        _mailbox = mailbox;
        _appId = appId;
    }

    public static async Task<WormholeSession> ConnectAsync(Uri mailboxUrl, string appId, CancellationToken ct) =>
        new(await MailboxClient.ConnectAsync(mailboxUrl, appId, ct), appId);

    /// <summary>Allocates a nameplate and makes a code "NAMEPLATE-word-word" (odd/even PGP words), claimed and open.</summary>
    public async Task<string> AllocateCodeAsync(int words, CancellationToken ct)
    {
        var nameplate = await _mailbox.AllocateAsync(ct);
        var parts = new List<string> { nameplate };
        var random = RandomNumberGenerator.GetBytes(words);
        for (var i = 0; i < words; i++) parts.Add(i % 2 == 0 ? PgpWords.Odd[random[i]] : PgpWords.Even[random[i]]);
        var code = string.Join('-', parts);
        await UseCodeAsync(code, ct);
        return code;
    }

    /// <summary>"4-purple-sausages" → "4"; null for anything that is not NAMEPLATE-WORDS.</summary>
    public static string? NameplateOf(string code)
    {
        ArgumentNullException.ThrowIfNull(code);
        var dash = code.IndexOf('-', StringComparison.Ordinal);
        if (dash <= 0 || dash == code.Length - 1 || code.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))) return null;
        var nameplate = code[..dash];
        return nameplate.All(char.IsAsciiDigit) ? nameplate : null;
    }

    /// <summary>Claims the code's nameplate, opens its mailbox and sends our SPAKE2 message.</summary>
    public async Task UseCodeAsync(string code, CancellationToken ct)
    {
        var nameplate = NameplateOf(code) ?? throw new ArgumentException($"'{code}' is not a wormhole code (like 7-guitarist-revenge)", nameof(code));
        Code = code;
        _mailboxId = await _mailbox.ClaimAsync(nameplate, ct);
        await _mailbox.OpenAsync(_mailboxId, ct);
        _pake = new Spake2Symmetric(Encoding.UTF8.GetBytes(code.Normalize(NormalizationForm.FormC)), Encoding.UTF8.GetBytes(_appId));
        await _mailbox.AddAsync("pake", JsonBytes(w => w.WriteString("pake_v1", Convert.ToHexStringLower(_pake.Outbound))), ct);
        _nameplate = nameplate;
    }

    private Spake2Symmetric? _pake;
    private string? _nameplate;

    /// <summary>
    /// Waits for the peer (as long as it takes: the other person may not have typed the code yet),
    /// derives the key, sends our "version" and checks theirs; throws <see cref="WrongCodeException"/>
    /// when the codes differ.
    /// </summary>
    public async Task EstablishAsync(CancellationToken ct)
    {
        if (_pake is null) throw new InvalidOperationException("no code yet");
        var theirPake = await NextFromPeerAsync("pake", ct);
        try
        {
            using var doc = JsonDocument.Parse(theirPake);
            _key = _pake.Finish(Convert.FromHexString(doc.RootElement.GetProperty("pake_v1").GetString() ?? ""));
        }
        catch (Exception e) when (e is CryptographicException or JsonException or FormatException or KeyNotFoundException or InvalidOperationException)
        {
            await CloseAsync("scary");
            throw new WrongCodeException("wrong code: the other side's key exchange message is malformed; nothing was transferred", e);
        }
        // The nameplate is only for finding each other; release it so the number can be reused.
        if (_nameplate is not null) await _mailbox.ReleaseAsync(_nameplate, ct);
        var version = JsonBytes(w =>
        {
            w.WriteStartObject("app_versions");
            w.WriteEndObject();
        });
        await _mailbox.AddAsync("version", WormholeCrypto.Seal(WormholeCrypto.DerivePhaseKey(_key, _mailbox.Side, "version"), version), ct);
        var theirVersion = await NextFromPeerAsync("version", ct);
        if (WormholeCrypto.Open(WormholeCrypto.DerivePhaseKey(_key, _theirSide!, "version"), theirVersion) is null)
        {
            await CloseAsync("scary");
            throw new WrongCodeException("wrong code: the key exchange failed (one side typed the code wrong, or someone guessed and lost); nothing was transferred");
        }
    }

    /// <summary>Sends one encrypted application message (the next numbered phase).</summary>
    public Task SendAsync(ReadOnlySpan<byte> plaintext, CancellationToken ct)
    {
        var phase = (_nextOutbound++).ToString(CultureInfo.InvariantCulture);
        return _mailbox.AddAsync(phase, WormholeCrypto.Seal(WormholeCrypto.DerivePhaseKey(Key, _mailbox.Side, phase), plaintext), ct);
    }

    /// <summary>The peer's next application message, decrypted, in phase order.</summary>
    public async Task<byte[]> ReceiveAsync(CancellationToken ct)
    {
        var want = _nextInbound++;
        byte[] body;
        if (!_early.Remove(want, out body!))
        {
            while (true)
            {
                var (side, phase, raw) = await _mailbox.ReceiveMessageAsync(ct);
                if (side == _mailbox.Side || !int.TryParse(phase, NumberStyles.None, CultureInfo.InvariantCulture, out var n)) continue;
                if (n == want) { body = raw; break; }
                if (n > want) _early[n] = raw;
            }
        }
        return WormholeCrypto.Open(WormholeCrypto.DerivePhaseKey(Key, _theirSide!, want.ToString(CultureInfo.InvariantCulture)), body)
            ?? throw new SockException("a wormhole message failed to decrypt (tampered with on the way?)");
    }

    private async Task<byte[]> NextFromPeerAsync(string phase, CancellationToken ct)
    {
        while (true)
        {
            var (side, p, body) = await _mailbox.ReceiveMessageAsync(ct);
            if (side == _mailbox.Side) continue; // our own message, echoed
            if (_theirSide is not null && side != _theirSide) continue;
            if (p == phase)
            {
                _theirSide = side;
                return body;
            }
            if (int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var n)) _early[n] = body;
        }
    }

    /// <summary>Closes the mailbox: "happy" after success, "scary" on a key mismatch, "errory" otherwise.</summary>
    public async Task CloseAsync(string mood)
    {
        if (_closed || _mailboxId is null) return;
        _closed = true;
        await _mailbox.CloseAsync(_mailboxId, mood, CancellationToken.None);
    }

    internal static byte[] JsonBytes(Action<Utf8JsonWriter> body)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }
        return stream.ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        await CloseAsync("errory");
        await _mailbox.DisposeAsync();
    }
}

/// <summary>The two sides used different codes (or a third party guessed): SPAKE2 gave different keys.</summary>
public sealed class WrongCodeException : SockException
{
    public WrongCodeException(string message) : base(message) { }

    public WrongCodeException(string message, Exception inner) : base(message, inner) { }

    public WrongCodeException() { }
}
